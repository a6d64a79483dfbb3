using System.Net;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary><c>mp_mcp --demo --transport http</c> as a real process, reached by the SDK's HTTP client in both protocol eras.</summary>
public sealed class HttpServerProcessTests
{
    [Test]
    public async Task DemoOverHttp_BothEras_ListAndCallTools()
    {
        await using var server = await DemoMcpProcess.HttpAsync();
        var port = server.Endpoint!.Port;
        using var http = new HttpClient();
        var health = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        foreach (var protocol in new[] { "2025-06-18", null })
        {
            await using var client = await McpClient.CreateAsync(
                new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri($"http://127.0.0.1:{port}/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
                new McpClientOptions { ProtocolVersion = protocol });
            var tools = await client.ListToolsAsync();
            var info = await client.CallToolAsync("workspace_info");
            var events = await client.CallToolAsync("list_events");

            Assert.That(tools, Has.Count.GreaterThanOrEqualTo(38), protocol ?? "latest");
            Assert.That(info.StructuredContent!.Value.GetProperty("demo").GetBoolean(), Is.True);
            Assert.That(events.IsError, Is.Not.True, string.Join("\n", events.Content.OfType<TextContentBlock>().Select(t => t.Text)));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/mcp") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("Origin", "http://evil.example");
        var refused = await http.SendAsync(request);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "DNS-rebinding origins are refused");
    }

    [Test]
    public async Task FiftyConcurrentSessions_CallToolsWithoutErrorsOrLeaks()
    {
        await using var server = await DemoMcpProcess.HttpAsync();
        var port = server.Endpoint!.Port;
        using var http = new HttpClient();
        var endpoint = new Uri($"http://127.0.0.1:{port}/mcp");

        async Task<int> RoundAsync()
        {
            // The clients' own connection pool: disposed after the round, so the server's side of every connection must close too.
            using var pool = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 200 });
            var clients = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => McpClient.CreateAsync(
                new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp }, pool, ownsHttpClient: false),
                new McpClientOptions { ProtocolVersion = i % 5 == 0 ? null : "2025-06-18" })));
            try
            {
                var during = await SessionsAsync(http, port);
                var failures = await Task.WhenAll(clients.Select(async (client, i) =>
                {
                    var events = await client.CallToolAsync("list_events");
                    var scalar = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = $"SELECT {i} * 2" });
                    var ok = events.IsError != true
                        && scalar.IsError != true
                        && scalar.StructuredContent!.Value.GetProperty("value").GetInt64() == i * 2;
                    return ok ? 0 : 1;
                }));
                Assert.That(failures.Sum(), Is.Zero, "every session's calls succeed with its own answer");
                return during;
            }
            finally
            {
                await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            }
        }

        var first = await RoundAsync();
        var descriptorsAfterFirst = await SettledDescriptorsAsync(server.ProcessId);
        var second = await RoundAsync();
        var descriptorsAfterSecond = await SettledDescriptorsAsync(server.ProcessId);

        Assert.That(first, Is.EqualTo(40), "the 40 handshake-era clients hold sessions; the 10 sessionless ones do not");
        Assert.That(second, Is.EqualTo(40));
        Assert.That(await SessionsAsync(http, port), Is.Zero, "closing the clients ends their sessions (DELETE)");
        TestContext.Out.WriteLine($"open descriptors after round 1: {descriptorsAfterFirst}, after round 2: {descriptorsAfterSecond}");
        Assert.That(descriptorsAfterSecond, Is.LessThanOrEqualTo(descriptorsAfterFirst + 10), "a second round of 50 sessions does not leave descriptors behind");
    }

    [Test]
    public async Task TypeScriptClients_OfficialSdkAndAiSdk_WorkWithoutComplaints()
    {
        var clients = await TypeScriptClients.EnsureInstalledAsync();
        await using var server = await DemoMcpProcess.HttpAsync();
        var port = server.Endpoint!.Port;
        var run = await ProcessRunner.RunAsync(TypeScriptClients.Node(clients), ["client.mjs", $"http://127.0.0.1:{port}/mcp"], clients, TimeSpan.FromMinutes(2));
        TestContext.Out.WriteLine(run.StandardOutput);
        Assert.That(run.ExitCode, Is.Zero, run.StandardOutput + run.StandardError);
        using var report = System.Text.Json.JsonDocument.Parse(run.StandardOutput);
        foreach (var client in new[] { "official", "ai_sdk_discovery", "ai_sdk_initialize" })
        {
            var seen = report.RootElement.GetProperty(client);
            Assert.That(seen.GetProperty("tools").GetInt32(), Is.GreaterThanOrEqualTo(38), client);
            Assert.That(seen.GetProperty("demo").GetBoolean(), Is.True, client);
            Assert.That(seen.GetProperty("value").GetInt64(), Is.EqualTo(42), client);
            Assert.That(seen.GetProperty("isError").GetBoolean(), Is.False, client);
        }

        Assert.That(report.RootElement.GetProperty("complaints").GetArrayLength(), Is.Zero, "no client logged an error or warning");
        using var http = new HttpClient();
        Assert.That(await SessionsAsync(http, port), Is.Zero, "every client ended its session");
    }

    private static async Task<int> SessionsAsync(HttpClient http, int port)
    {
        using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/healthz"));
        return health.RootElement.GetProperty("sessions").GetInt32();
    }

    private static int OpenDescriptors(int processId) => Directory.GetFiles($"/proc/{processId}/fd").Length;

    /// <summary>The server's descriptor count once closed connections have been noticed (it stops falling), at most 5 s.</summary>
    private static async Task<int> SettledDescriptorsAsync(int processId)
    {
        var last = OpenDescriptors(processId);
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(500);
            var now = OpenDescriptors(processId);
            if (now >= last)
            {
                return now;
            }

            last = now;
        }

        return last;
    }
}
