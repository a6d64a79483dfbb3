using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// The size of the first <c>tools/list</c> (SPEC §4.9), measured on the wire of a real <c>mp_mcp --demo</c> over stdio:
/// the full listing stays within 32 KB, and <c>--progressive</c> lists a core set within 12 KB, whose <c>toolsets</c>
/// tool enables the rest with <c>notifications/tools/list_changed</c>.
/// </summary>
public sealed class ProgressiveListingTests
{
    private readonly ConcurrentQueue<string> _stderr = new();

    [Test]
    public async Task FullListing_EveryToolset_IsAtMost32KB()
    {
        await using var client = await DemoMcpProcess.StdioAsync("2025-06-18", _stderr);

        var tools = await client.ListToolsAsync();
        var bytes = ListingBytes(tools);

        TestContext.Out.WriteLine($"full listing: {tools.Count} tools, {bytes:N0} bytes");
        Assert.That(tools.Select(t => t.Name), Does.Contain("sql").And.Contain("segmentation").And.Not.Contain("toolsets"));
        Assert.That(bytes, Is.LessThanOrEqualTo(32 * 1024));
    }

    [Test]
    public async Task Progressive_CoreFirstThenEnabled_ListChangedAndNewToolsWork()
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new McpClientHandlers
        {
            NotificationHandlers = [new(NotificationMethods.ToolListChangedNotification, (_, _) =>
            {
                changed.TrySetResult();
                return ValueTask.CompletedTask;
            })],
        };
        await using var client = await DemoMcpProcess.StdioAsync("2025-06-18", _stderr, handlers, "--progressive");

        var first = await client.ListToolsAsync();
        var firstBytes = ListingBytes(first);
        TestContext.Out.WriteLine($"progressive first listing: {first.Count} tools, {firstBytes:N0} bytes");
        Assert.That(firstBytes, Is.LessThanOrEqualTo(12 * 1024));
        Assert.That(first.Select(t => t.Name), Does.Contain("toolsets").And.Contain("segmentation").And.Contain("list_events").And.Not.Contain("sql"));

        var listed = await client.CallToolAsync("toolsets");
        var local = listed.StructuredContent!.Value.GetProperty("toolsets").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "local");
        Assert.That(local.GetProperty("enabled").GetBoolean(), Is.False);
        Assert.That(local.GetProperty("tools").EnumerateArray().Select(t => t.GetString()), Does.Contain("sql_scalar"));

        var enabled = await client.CallToolAsync("toolsets", new Dictionary<string, object?> { ["enable"] = new[] { "local" } });
        Assert.That(enabled.IsError, Is.Not.True);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var after = await client.ListToolsAsync();
        var scalar = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = "SELECT 6 * 7" });

        Assert.That(after.Select(t => t.Name), Does.Contain("sql").And.Contain("sql_scalar").And.Not.Contain("fetch_events"));
        Assert.That(scalar.StructuredContent!.Value.GetProperty("value").GetInt64(), Is.EqualTo(42));
    }

    [Test]
    public async Task Progressive_UnknownToolset_IsAToolErrorNamingTheChoices()
    {
        await using var client = await DemoMcpProcess.StdioAsync("2025-06-18", _stderr, null, "--progressive");

        var result = await client.CallToolAsync("toolsets", new Dictionary<string, object?> { ["enable"] = new[] { "nope" } });

        Assert.That(result.IsError, Is.True);
        Assert.That(string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text)), Does.Contain("nope").And.Contain("local"));
    }

    /// <summary>The bytes of the tools array as the server sent it (the SDK keeps each tool's JSON as received).</summary>
    private static int ListingBytes(IEnumerable<McpClientTool> tools) =>
        Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(tools.Select(t => t.ProtocolTool).ToList(), ModelContextProtocol.McpJsonUtilities.DefaultOptions));
}
