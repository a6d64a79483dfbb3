using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Mcp.Transport;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Tests.Mcp.Transport;

/// <summary>The SDK's own client against <see cref="McpHttpHost"/> on a loopback port, in both protocol eras.</summary>
public sealed class McpHttpHostClientTests
{
    private static readonly object?[] s_revisions = [null, "2025-06-18", "2025-11-25"];
    private static readonly string[] s_initializeRevisions = ["2025-06-18", "2025-11-25"];

    [TestCaseSource(nameof(s_revisions))]
    public async Task CallTool_EachRevision_ListsAndEchoes(string? revision)
    {
        await using var host = await TestMcpServer.StartAsync();
        await using var client = await TestMcpServer.ConnectAsync(host, revision);

        var tools = await client.ListToolsAsync();
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" });

        Assert.That(tools.Select(t => t.Name), Is.SupersetOf(new[] { "echo", "count", "confirm", "summarize", "sleep" }));
        Assert.That(result.IsError, Is.Not.True);
        Assert.That(result.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("echo: hi"));
        Assert.That(client.NegotiatedProtocolVersion, Is.EqualTo(revision ?? TestMcpServer.SessionlessRevision));
        if (revision is null)
        {
            Assert.That(client.SessionId, Is.Null);
            Assert.That(host.SessionCount, Is.Zero);
        }
        else
        {
            Assert.That(client.SessionId, Is.Not.Null.And.Length.GreaterThanOrEqualTo(22));
            Assert.That(host.SessionCount, Is.EqualTo(1));
        }
    }

    [TestCaseSource(nameof(s_revisions))]
    public async Task CallTool_ToolReportsProgress_ClientReceivesThreeNotifications(string? revision)
    {
        await using var host = await TestMcpServer.StartAsync();
        await using var client = await TestMcpServer.ConnectAsync(host, revision);
        var progress = new CollectingProgress();

        var result = await client.CallToolAsync("count", progress: progress);

        Assert.That(result.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("counted"));
        // The server writes them in order; the SDK's client dispatches notifications concurrently, so compare as a set.
        Assert.That(() => progress.Values.Select(v => v.Progress), Is.EquivalentTo(new float[] { 1, 2, 3 }).After(2000, 20));
    }

#pragma warning disable MCP9005 // Log notifications are deprecated in 2026-07-28 but still delivered in every revision.
    [TestCaseSource(nameof(s_revisions))]
    public async Task CallTool_ToolSendsLogNotification_ClientReceivesIt(string? revision)
    {
        await using var host = await TestMcpServer.StartAsync();
        await using var client = await TestMcpServer.ConnectAsync(host, revision);
        var received = new ConcurrentQueue<string>();
        await using var registration = client.RegisterNotificationHandler(NotificationMethods.LoggingMessageNotification, (notification, _) =>
        {
            received.Enqueue(notification.Params?["data"]?.GetValue<string>() ?? "");
            return ValueTask.CompletedTask;
        });

        await client.CallToolAsync("log", new Dictionary<string, object?> { ["message"] = "hello" });

        Assert.That(() => received.ToArray(), Is.EqualTo(new[] { "hello" }).After(2000, 20));
    }
#pragma warning restore MCP9005

    [TestCaseSource(nameof(s_initializeRevisions))]
    public async Task ToolCollectionChanges_InitializeEra_ListChangedArrivesOverGetStream(string revision)
    {
        var tools = TestMcpServer.CreateTools();
        await using var host = await TestMcpServer.StartAsync(null, tools);
        await using var client = await TestMcpServer.ConnectAsync(host, revision);
        var changes = 0;
        await using var registration = client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            Interlocked.Increment(ref changes);
            return ValueTask.CompletedTask;
        });
        await client.PingAsync();

        // Nothing is in flight: the only way to the client is the session's GET stream. The client opens that stream
        // on its own schedule and a notification sent before it is open is dropped, so change the tools until one lands.
        for (var i = 0; i < 50 && Volatile.Read(ref changes) == 0; i++)
        {
            tools.Add(McpServerTool.Create(() => "new", new McpServerToolCreateOptions { Name = $"added_{i}" }));
            await Task.Delay(100);
        }

        Assert.That(changes, Is.GreaterThanOrEqualTo(1));
        Assert.That((await client.ListToolsAsync()).Select(t => t.Name), Does.Contain("added_0"));
    }

    [TestCaseSource(nameof(s_revisions))]
    public async Task CallTool_ToolElicits_HandlerAnswerIsUsed(string? revision)
    {
        await using var host = await TestMcpServer.StartAsync();
        var asked = 0;
        var handlers = new McpClientHandlers
        {
            ElicitationHandler = (request, _) =>
            {
                Interlocked.Increment(ref asked);
                Assert.That(request?.Message, Is.EqualTo("Who is asking?"));
                return ValueTask.FromResult(new ElicitResult
                {
                    Action = "accept",
                    Content = new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement("Ada") },
                });
            },
        };
        await using var client = await TestMcpServer.ConnectAsync(host, revision, handlers);

        var result = await client.CallToolAsync("confirm");

        Assert.That(result.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("confirmed by Ada"));
        Assert.That(asked, Is.EqualTo(1));
    }

#pragma warning disable MCP9005 // Sampling is what initialize-era clients offer.
    [TestCaseSource(nameof(s_initializeRevisions))]
    public async Task CallTool_ToolSamplesInitializeEra_HandlerAnswerIsUsed(string revision)
    {
        await using var host = await TestMcpServer.StartAsync();
        string? prompt = null;
        var handlers = new McpClientHandlers
        {
            SamplingHandler = (request, _, _) =>
            {
                prompt = request?.Messages.Single().Content.OfType<TextContentBlock>().Single().Text;
                return ValueTask.FromResult(new CreateMessageResult
                {
                    Content = [new TextContentBlock { Text = "short" }],
                    Model = "test-model",
                    Role = Role.Assistant,
                });
            },
        };
        await using var client = await TestMcpServer.ConnectAsync(host, revision, handlers);

        var result = await client.CallToolAsync("summarize", new Dictionary<string, object?> { ["text"] = "a long story" });

        Assert.That(result.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("summary: short"));
        Assert.That(prompt, Is.EqualTo("Summarize: a long story"));
    }
#pragma warning restore MCP9005

    [TestCaseSource(nameof(s_initializeRevisions))]
    public async Task DisposeClient_InitializeEra_EndsSessionAndItsIdGets404(string revision)
    {
        await using var host = await TestMcpServer.StartAsync();
        var client = await TestMcpServer.ConnectAsync(host, revision);
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" });
        var sessionId = client.SessionId!;
        Assert.That(host.SessionCount, Is.EqualTo(1));

        await client.DisposeAsync();
        using var http = new HttpClient();
        using var request = TestMcpServer.Post(host, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", sessionId, revision);
        using var response = await http.SendAsync(request);

        Assert.That(() => host.SessionCount, Is.Zero.After(2000, 20));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("-32001").And.Contain("Session not found"));
    }

    [Test]
    public async Task CallTool_FiftyConcurrentSessions_AllSucceedAndAllEnd()
    {
        await using var host = await TestMcpServer.StartAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            await using var client = await TestMcpServer.ConnectAsync(host, i % 2 == 0 ? "2025-06-18" : null);
            var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = $"n{i}" });
            return result.Content.OfType<TextContentBlock>().Single().Text;
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(answers, Is.EquivalentTo(Enumerable.Range(0, 50).Select(i => $"echo: n{i}")));
        Assert.That(() => host.SessionCount, Is.Zero.After(5000, 50));
    }

    [Test]
    public async Task Dispose_SessionWithOpenGetStream_StopsPromptlyAndEndsSessions()
    {
        var host = await TestMcpServer.StartAsync(new McpHttpHostOptions { Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        await using var client = await TestMcpServer.ConnectAsync(host, "2025-06-18");
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" });

        var stopping = host.DisposeAsync().AsTask();

        Assert.That(await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(4))), Is.SameAs(stopping));
        Assert.That(host.SessionCount, Is.Zero);
    }

    [TestCaseSource(nameof(s_revisions))]
    public async Task Start_WithAddMcpServerRegistrations_ServesRegisteredTools(string? revision)
    {
        await using var host = await McpHttpHost.StartAsync(
            new McpHttpHostOptions { Port = 0 },
            services => services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "di", Version = "2.0.0" })
                .WithTools([McpServerTool.Create((string text) => $"di: {text}", new McpServerToolCreateOptions { Name = "di_echo" })]));
        await using var client = await TestMcpServer.ConnectAsync(host, revision);

        var result = await client.CallToolAsync("di_echo", new Dictionary<string, object?> { ["text"] = "x" });

        Assert.That(client.ServerInfo?.Name, Is.EqualTo("di"));
        Assert.That(result.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("di: x"));
    }

    [Test]
    public async Task WaitForShutdown_TokenFires_StopsAndEndsSessions()
    {
        await using var host = await TestMcpServer.StartAsync();
        await using var client = await TestMcpServer.ConnectAsync(host, "2025-06-18");
        using var cts = new CancellationTokenSource();

        var waiting = host.WaitForShutdownAsync(cts.Token);
        await cts.CancelAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(host.SessionCount, Is.Zero);
    }

    private sealed class CollectingProgress : IProgress<ProgressNotificationValue>
    {
        private readonly ConcurrentQueue<ProgressNotificationValue> _values = new();

        public IReadOnlyList<ProgressNotificationValue> Values => [.. _values];

        public void Report(ProgressNotificationValue value) => _values.Enqueue(value);
    }
}
