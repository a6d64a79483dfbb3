using System.Collections.Concurrent;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

#pragma warning disable MCP9005 // Sampling is deprecated in 2026-07-28 but is what the smart tools use where a client lends its model.

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>
/// The built mp_mcp --demo as a child process driven by the SDK's client over stdio, optionally lending a "model" through
/// a sampling handler that answers with scripted text (or throws, to decline). Keeps the server's audit lines.
/// </summary>
internal sealed class SmartToolClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _stderr = new();

    private SmartToolClient()
    {
    }

    public McpClient Client { get; private set; } = null!;

    /// <summary>Every sampling request the server sent, in order.</summary>
    public ConcurrentQueue<CreateMessageRequestParams> SamplingRequests { get; } = new();

    public static DateOnly LastDay => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    public static async Task<SmartToolClient> StartAsync(string protocol, Func<CreateMessageRequestParams, int, string>? model = null)
    {
        var client = new SmartToolClient();
        var handlers = new McpClientHandlers();
        if (model is not null)
        {
            handlers.SamplingHandler = (request, _, _) =>
            {
                client.SamplingRequests.Enqueue(request!);
                var text = model(request!, client.SamplingRequests.Count);
                return ValueTask.FromResult(new CreateMessageResult { Content = [new TextContentBlock { Text = text }], Model = "scripted", Role = Role.Assistant });
            };
        }

        client.Client = await DemoMcpProcess.StdioAsync(protocol, client._stderr, handlers);
        return client;
    }

    public static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?> arguments)
    {
        var result = await Client.CallToolAsync(tool, arguments);
        TestContext.Out.WriteLine($"--- {tool}\n{Text(result)[..Math.Min(Text(result).Length, 3000)]}");
        return result;
    }

    /// <summary>The audit line's <c>mixpanel_calls</c> of the last call of <paramref name="tool"/> (waits briefly: stderr is read asynchronously).</summary>
    public async Task<JsonElement> AuditCallsAsync(string tool)
    {
        for (var i = 0; i < 50; i++)
        {
            var line = _stderr.LastOrDefault(l => l.Contains($"\"tool\":\"{tool}\"", StringComparison.Ordinal));
            if (line is not null)
            {
                using var document = JsonDocument.Parse(line);
                return document.RootElement.GetProperty("mixpanel_calls").Clone();
            }

            await Task.Delay(100);
        }

        throw new AssertionException($"no audit line for {tool}");
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
