using System.Net;
using System.Text.Json;
using MixpanelData.Mcp.Transport;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Transport;

/// <summary>
/// One <c>/mcp</c> endpoint for both kinds of client, and the <c>2026-07-28</c> rules our middleware and filters add to
/// the SDK's: a body of that revision without the version header, missing client capabilities, the closing result of
/// <c>subscriptions/listen</c>; plus the request-size limit, readiness and graceful shutdown.
/// </summary>
public sealed class McpHttpConformanceTests
{
    private const string Meta = """
        "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"}}
        """;

    [Test]
    public async Task OneEndpoint_InitializeAndSessionlessClientsSideBySide_BothListAndCall()
    {
        await using var host = await TestMcpServer.StartAsync();
        await using var sessionClient = await TestMcpServer.ConnectAsync(host, "2025-06-18");
        await using var sessionlessClient = await TestMcpServer.ConnectAsync(host, null);

        var results = await Task.WhenAll(
            Enumerable.Range(0, 10).Select(async i =>
            {
                var client = i % 2 == 0 ? sessionClient : sessionlessClient;
                var tools = await client.ListToolsAsync();
                var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = $"n{i}" });
                return (tools.Count, Text: result.Content.OfType<TextContentBlock>().Single().Text);
            }));

        Assert.That(sessionClient.NegotiatedProtocolVersion, Is.EqualTo("2025-06-18"));
        Assert.That(sessionClient.SessionId, Is.Not.Null.And.Not.Empty, "initialize-era clients get a session");
        Assert.That(sessionlessClient.NegotiatedProtocolVersion, Is.EqualTo(TestMcpServer.SessionlessRevision));
        Assert.That(sessionlessClient.SessionId, Is.Null.Or.Empty, "2026-07-28 clients are served per request");
        Assert.That(host.SessionCount, Is.EqualTo(1));
        Assert.That(results.Select(r => r.Count), Is.All.EqualTo(6));
        Assert.That(results.Select(r => r.Text), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"echo: n{i}")));
    }

    [Test]
    public async Task Post_SessionlessBodyWithoutVersionHeader_Returns400NamingTheHeader()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{""" + Meta + "}}");
        request.Headers.Add("Mcp-Method", "tools/list");

        using var response = await http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.RootElement.GetProperty("id").GetInt32(), Is.EqualTo(5));
        Assert.That(body.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("MCP-Protocol-Version: 2026-07-28"));
        Assert.That(host.SessionCount, Is.Zero);
    }

    [Test]
    public async Task Post_WithoutVersionHeaderOrMeta_IsServedAsAnInitializeEraClient()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"old","version":"1"}}}""");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Headers.Contains("Mcp-Session-Id"), Is.True);
        Assert.That(body, Does.Contain("\"protocolVersion\":\"2025-03-26\""));
    }

    [Test]
    public async Task Post_SessionlessWithoutClientCapabilities_Returns400()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(
            host,
            """{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}""",
            protocolVersion: "2026-07-28");
        request.Headers.Add("Mcp-Method", "tools/list");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("clientCapabilities"));
    }

    [Test]
    public async Task SubscriptionsListen_ClosingResult_CarriesTheSubscriptionId()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(
            host,
            """{"jsonrpc":"2.0","id":"sub-1","method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},""" + Meta + "}}",
            protocolVersion: "2026-07-28");
        request.Headers.Add("Mcp-Method", "subscriptions/listen");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var result = body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]))
            .Single(d => d.RootElement.TryGetProperty("result", out _));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(result.RootElement.GetProperty("id").GetString(), Is.EqualTo("sub-1"));
        Assert.That(result.RootElement.GetProperty("result").GetProperty("_meta").GetProperty("io.modelcontextprotocol/subscriptionId").GetString(), Is.EqualTo("sub-1"), body);
        Assert.That(body, Does.Contain("notifications/subscriptions/acknowledged"));
    }

    [Test]
    public async Task Post_BodyOverTheLimit_Returns413SayingTheLimit()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, MaxRequestBodyBytes = 4096 });
        using var http = new HttpClient();
        var text = new string('x', 8000);
        using var request = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":""" + "\"" + text + "\"}}}");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("4,096"));
    }

    [Test]
    public async Task Readyz_WhileServing_Returns200()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(host.BaseUri, "readyz"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"ready":true}"""));
    }

    [TestCase("2025-06-18")]
    [TestCase(null)]
    public async Task Stop_WhileAToolRuns_LetsItFinishAndAnswer(string? revision)
    {
        var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(10) });
        await using var client = await TestMcpServer.ConnectAsync(host, revision);
        var call = client.CallToolAsync("sleep", new Dictionary<string, object?> { ["milliseconds"] = 1500 }).AsTask();
        await Task.Delay(400);

        var stopping = host.DisposeAsync().AsTask();
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(result.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("slept 1500 ms"));
    }
}
