using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MixpanelData.Mcp.Transport;
using MixpanelData.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Transport;

/// <summary><see cref="McpHttpHost"/> on the wire: status codes, headers and guards, seen with a plain HttpClient.</summary>
public sealed class McpHttpHostWireTests
{
    private const string ToolsList = """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""";

    [Test]
    public async Task Post_ForeignOrigin_Returns403()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody);
        request.Headers.Add("Origin", "http://evil.example");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("evil.example"));
    }

    [TestCase("http://localhost:3000")]
    [TestCase("https://127.0.0.1")]
    [TestCase("http://[::1]:8080")]
    public async Task Post_LoopbackOrigin_IsServed(string origin)
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody);
        request.Headers.Add("Origin", origin);

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Post_ConfiguredOrigin_IsServed()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, AllowedOrigins = ["https://copilot.example.com"] });
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody);
        request.Headers.Add("Origin", "https://copilot.example.com");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Post_ForeignHostOnLoopbackBind_Returns403()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody);
        request.Headers.Host = "rebound.example";

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("application/json")]
    [TestCase("text/event-stream")]
    [TestCase("text/html")]
    public async Task Post_AcceptLacksAType_Returns406(string accept)
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody, accept: accept);

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
    }

    [Test]
    public async Task Post_MalformedBody_Returns400WithInvalidRequest()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, "{not json");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(ErrorCode(await response.Content.ReadAsStringAsync()), Is.EqualTo(-32600));
    }

    [Test]
    public async Task Post_UnsupportedProtocolVersionHeader_Returns400WithSupportedList()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, ToolsList, protocolVersion: "1999-01-01");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(ErrorCode(body), Is.EqualTo(-32022));
        Assert.That(body, Does.Contain("2025-06-18").And.Contain("2026-07-28"));
    }

    [Test]
    public async Task Post_NonInitializeWithoutSession_Returns400()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, ToolsList, protocolVersion: "2025-06-18");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Mcp-Session-Id"));
    }

    [Test]
    public async Task Post_UnknownSession_Returns404SessionNotFound()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, ToolsList, sessionId: "no-such-session", protocolVersion: "2025-06-18");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(ErrorCode(body), Is.EqualTo(-32001));
        Assert.That(body, Does.Contain("Session not found"));
    }

    [Test]
    public async Task Post_Initialize_StartsSseWithSessionHeaderAndNotificationGets202()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var initialize = TestMcpServer.Post(host, TestMcpServer.InitializeBody);

        using var response = await http.SendAsync(initialize);
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = TestMcpServer.Post(host, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", sessionId, "2025-06-18");
        using var accepted = await http.SendAsync(initialized);

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(response.Headers.GetValues("X-Accel-Buffering").Single(), Is.EqualTo("no"));
        Assert.That(response.Headers.CacheControl?.NoCache, Is.True);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("event: message").And.Contain("\"serverInfo\""));
        Assert.That(Convert.FromBase64String(sessionId.Replace('-', '+').Replace('_', '/') + "=="), Has.Length.EqualTo(16));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task Get_WithoutSession_Returns405AllowPost()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Endpoint);
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
    }

    [Test]
    public async Task Get_SessionlessRevision_Returns405AllowPost()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Endpoint);
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
    }

    [Test]
    public async Task Get_SecondStreamForSession_IsAcceptedAndEndsWithTheSession()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        var sessionId = await TestMcpServer.InitializeRawAsync(http, host);
        using var first = GetStream(host, sessionId);
        using var firstResponse = await http.SendAsync(first, HttpCompletionOption.ResponseHeadersRead);

        using var second = GetStream(host, sessionId);
        using var secondResponse = await http.SendAsync(second, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(firstResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(firstResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(secondResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the protocol allows several streams per session; refusing one makes @ai-sdk/mcp log an error");
        Assert.That(secondResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));

        using var delete = new HttpRequestMessage(HttpMethod.Delete, host.Endpoint);
        delete.Headers.Add("Mcp-Session-Id", sessionId);
        using var deleted = await http.SendAsync(delete);
        var secondBody = await secondResponse.Content.ReadAsStreamAsync();
        var drained = await Task.Run(async () =>
        {
            var buffer = new byte[1024];
            while (await secondBody.ReadAsync(buffer) > 0)
            {
            }

            return true;
        }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(drained, Is.True, "the extra stream ends when the session does");
    }

    [Test]
    public async Task Delete_UnknownSession_Returns200()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, host.Endpoint);
        request.Headers.Add("Mcp-Session-Id", "gone");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Delete_KnownSession_EndsIt()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        var sessionId = await TestMcpServer.InitializeRawAsync(http, host);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, host.Endpoint);
        delete.Headers.Add("Mcp-Session-Id", sessionId);

        using var response = await http.SendAsync(delete);
        using var after = TestMcpServer.Post(host, ToolsList, sessionId, "2025-06-18");
        using var afterResponse = await http.SendAsync(after);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(host.SessionCount, Is.Zero);
        Assert.That(afterResponse.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Delete_SessionlessRevision_Returns405()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, host.Endpoint);
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task Post_TokenConfiguredButMissing_Returns401WithBearerChallenge()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, BearerToken = "s3cret" });
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody);

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Bearer"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("s3cret"));
    }

    [Test]
    public async Task Post_TokenConfiguredAndWrong_Returns401()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, BearerToken = "s3cret" });
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cre");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Post_TokenConfiguredAndRight_Returns200AndClientWorks()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, BearerToken = "s3cret" });
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, TestMcpServer.InitializeBody);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");

        using var response = await http.SendAsync(request);
        await using var client = await TestMcpServer.ConnectAsync(host, null, headers: new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret" });
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "ok" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(result.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("echo: ok"));
    }

    [Test]
    public async Task Healthz_EvenWithToken_Returns200WithStatusAndVersion()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, BearerToken = "s3cret", Version = "1.2.3" });
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(host.BaseUri, "healthz"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(document.RootElement.GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(document.RootElement.GetProperty("version").GetString(), Is.EqualTo("1.2.3"));
    }

    [Test]
    public async Task Start_PortTaken_ThrowsOneLineError()
    {
        await using var first = await TestMcpServer.StartAsync();

        var error = await Assert.ThrowsAsync<IOException>(() => TestMcpServer.StartAsync(new McpHttpHostOptions { Port = first.Port }));

        Assert.That(error!.Message, Is.EqualTo($"Port {first.Port} on 127.0.0.1 is already in use; choose another with --port."));
    }

    [Test]
    public async Task Start_NonLoopbackWithoutOptIn_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => TestMcpServer.StartAsync(new McpHttpHostOptions { Host = "0.0.0.0", Port = 0 }));

        Assert.That(error!.Message, Does.Contain("0.0.0.0").And.Contain("explicitly"));
    }

    [Test]
    public async Task IdleSession_PastTimeout_IsPrunedAndItsIdGets404()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock });
        using var http = new HttpClient();
        var sessionId = await TestMcpServer.InitializeRawAsync(http, host);
        Assert.That(host.SessionCount, Is.EqualTo(1));
        clock.Advance(TimeSpan.FromSeconds(20));
        await Task.Delay(200);
        Assert.That(host.SessionCount, Is.EqualTo(1), "not idle for long enough yet");

        Assert.That(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            return host.SessionCount;
        }, Is.Zero.After(10000, 200));
        using var request = TestMcpServer.Post(host, ToolsList, sessionId, "2025-06-18");
        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task IdleSession_WithOpenGetStream_IsKeptUntilTheStreamCloses()
    {
        // The SDK counts an open GET stream as activity: the session lives while its client listens, and idles out after.
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock });
        using var http = new HttpClient();
        var sessionId = await TestMcpServer.InitializeRawAsync(http, host);
        var get = GetStream(host, sessionId);
        var stream = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        clock.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(300);
        Assert.That(host.SessionCount, Is.EqualTo(1), "a session whose client holds its GET stream is not idle");

        stream.Dispose();
        get.Dispose();
        await Task.Delay(300);
        Assert.That(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            return host.SessionCount;
        }, Is.Zero.After(10000, 200));
    }

    [Test]
    public async Task Initialize_AtSessionLimit_EndsTheLongestIdleSession()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, MaxSessions = 2 });
        using var http = new HttpClient();
        var oldest = await TestMcpServer.InitializeRawAsync(http, host);
        await Task.Delay(20);
        var second = await TestMcpServer.InitializeRawAsync(http, host);

        var third = await TestMcpServer.InitializeRawAsync(http, host);
        using var toOldest = TestMcpServer.Post(host, ToolsList, oldest, "2025-06-18");
        using var oldestResponse = await http.SendAsync(toOldest);
        using var toSecond = TestMcpServer.Post(host, ToolsList, second, "2025-06-18");
        using var secondResponse = await http.SendAsync(toSecond);

        Assert.That(third, Is.Not.EqualTo(second));
        Assert.That(host.SessionCount, Is.EqualTo(2));
        Assert.That(oldestResponse.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(secondResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task BusySession_PastIdleTimeout_IsNotPruned()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock });
        using var http = new HttpClient();
        var sessionId = await TestMcpServer.InitializeRawAsync(http, host);
        using var call = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"sleep","arguments":{"milliseconds":1500}}}""", sessionId, "2025-06-18");

        var sending = http.SendAsync(call);
        await Task.Delay(500);
        clock.Advance(TimeSpan.FromMinutes(10));
        using var response = await sending;
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(body, Does.Contain("slept 1500 ms"));
        Assert.That(host.SessionCount, Is.EqualTo(1), "a session with a call in flight is not idle, however long it runs");
    }

    [Test]
    public async Task LongToolCall_SilentForSeveralIntervals_GetsKeepAliveComments()
    {
        await using var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, KeepAliveInterval = TimeSpan.FromMilliseconds(100) });
        using var http = new HttpClient();
        var sessionId = await TestMcpServer.InitializeRawAsync(http, host);
        using var call = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"sleep","arguments":{"milliseconds":1000}}}""", sessionId, "2025-06-18");

        using var response = await http.SendAsync(call);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.Split(": keep-alive\n\n").Length - 1, Is.GreaterThanOrEqualTo(2));
        Assert.That(body, Does.Contain("slept 1000 ms"));
        Assert.That(body.IndexOf(": keep-alive", StringComparison.Ordinal), Is.LessThan(body.IndexOf("event: message", StringComparison.Ordinal)));
    }

    [Test]
    public async Task ToolCall_WithProgressToken_StreamsProgressInOrderBeforeResult()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        var sessionId = await TestMcpServer.InitializeRawAsync(http, host);
        using var call = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"count","_meta":{"progressToken":"t"}}}""", sessionId, "2025-06-18");

        using var response = await http.SendAsync(call);
        var body = await response.Content.ReadAsStringAsync();
        var positions = new[] { "\"progress\":1", "\"progress\":2", "\"progress\":3", "counted" }.Select(s => body.IndexOf(s, StringComparison.Ordinal)).ToArray();

        Assert.That(positions, Is.All.GreaterThanOrEqualTo(0));
        Assert.That(positions, Is.Ordered.Ascending);
    }

    [Test]
    public async Task Post_SessionlessUnknownMethod_Returns404()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(
            host,
            """{"jsonrpc":"2.0","id":9,"method":"no/such","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}""",
            protocolVersion: "2026-07-28");
        request.Headers.Add("Mcp-Method", "no/such");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(host.SessionCount, Is.Zero);
    }

    [TestCase(null, null, "Missing required Mcp-Method header")]
    [TestCase("tools/list", null, "Mcp-Method header value 'tools/list' does not match body value 'tools/call'")]
    [TestCase("tools/call", null, "Missing required Mcp-Name header")]
    [TestCase("tools/call", "count", "Mcp-Name header value 'count' does not match body value 'echo'")]
    [TestCase("tools/call", "=?base64?not base64!?=", "invalid Base64 encoding")]
    [TestCase("tools/call", "=?base64?Y291bnQ=?=", "does not match body value 'echo'")]
    public async Task Post_SessionlessHeadersDisagreeWithBody_Returns400HeaderMismatchWithTheId(string? method, string? name, string expected)
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = SessionlessCall(host, method, name);

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(ErrorCode(body), Is.EqualTo((int)McpErrorCode.HeaderMismatch));
        using var document = JsonDocument.Parse(body);
        Assert.That(document.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
        Assert.That(document.RootElement.GetProperty("id").GetInt32(), Is.EqualTo(7), "the error answers the request it refuses");
    }

    [TestCase("echo")]
    [TestCase("=?base64?ZWNobw==?=")]
    public async Task Post_SessionlessHeadersMatchTheBody_IsServed(string name)
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = SessionlessCall(host, "tools/call", name);

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("echo: hi"));
    }

    [Test]
    public async Task Post_SessionlessNotificationWithoutMcpMethod_Returns400()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(
            host,
            """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}""",
            protocolVersion: "2026-07-28");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(ErrorCode(await response.Content.ReadAsStringAsync()), Is.EqualTo((int)McpErrorCode.HeaderMismatch));
    }

    [Test]
    public async Task Post_InitializeEraWithoutStandardHeaders_IsServed()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var http = new HttpClient();
        var session = await TestMcpServer.InitializeRawAsync(http, host);
        using var request = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}""", session, "2025-06-18");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "Mcp-Method and Mcp-Name are required only from 2026-07-28 on");
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("echo: hi"));
    }

    private static HttpRequestMessage SessionlessCall(McpHttpHost host, string? method, string? name)
    {
        var request = TestMcpServer.Post(
            host,
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"}}}}""",
            protocolVersion: "2026-07-28");
        if (method is not null)
        {
            request.Headers.Add("Mcp-Method", method);
        }

        if (name is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Name", name);
        }

        return request;
    }

    private static HttpRequestMessage GetStream(McpHttpHost host, string sessionId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, host.Endpoint);
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        return request;
    }

    private static int ErrorCode(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("error").GetProperty("code").GetInt32();
    }
}
