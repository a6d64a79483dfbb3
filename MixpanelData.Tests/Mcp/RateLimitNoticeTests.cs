using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MixpanelData.Configuration;
using MixpanelData.Http;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Filters;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Storage;
using MixpanelData.Tests.Emulation;
using MixpanelData.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Tests.Mcp;

/// <summary>A tool call that waits for the Query API budget tells the client how long, through a real client and server.</summary>
public sealed class RateLimitNoticeTests
{
    [Test]
    public async Task ToolCall_WaitingForTheHourlyBudget_ReportsTheWaitAsProgress()
    {
        await using var fixture = await EmulatorFixture.CreateAsync(new MixpanelData.Emulation.EmulatorOptions { EnforceRateLimits = false, QueryPerHour = 1 });
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 21, 12, 0, 0, TimeSpan.Zero));
        var workspace = new Workspace(new WorkspaceOptions
        {
            Account = new MixpanelAccount("t", new Credentials("demo", "demo", 1, MixpanelRegion.Us), "test"),
            PrimaryHandler = fixture.Emulator,
            Store = new LocalStoreOptions { Mode = LocalStoreMode.InMemory },
            RateLimits = new RateLimitOptions { QueryPerHour = 1 },
            TimeProvider = clock,
            OnRateLimitWait = RateLimitNoticeFilter.Report,
        });
        await using var holder = new WorkspaceHolder(workspace, _ => throw new InvalidOperationException());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMixpanelMcp(new ServerSettings(), holder, TextWriter.Null);
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<McpServerOptions>>().Value;
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var stop = new CancellationTokenSource();
        await using var server = McpServer.Create(new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream()), options, serviceProvider: provider);
        var running = server.RunAsync(stop.Token);
        await using var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()));

        var arguments = new Dictionary<string, object?> { ["event"] = "Login", ["from_date"] = "2026-03-02", ["to_date"] = "2026-03-05" };
        var first = await client.CallToolAsync("segmentation", arguments);
        Assert.That(first.IsError, Is.Not.True);

        var notices = new ConcurrentQueue<ProgressNotificationValue>();
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = client.CallToolAsync("segmentation", arguments, new Notices(notices, heard)).AsTask();
        await Task.WhenAny(heard.Task, second, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.That(second.IsCompleted, Is.False, second.IsCompleted ? string.Join("\n", second.Result.Content.OfType<TextContentBlock>().Select(t => t.Text)) : "");
        Assert.That(heard.Task.IsCompleted, Is.True, "a progress notice arrived");
        clock.Advance(TimeSpan.FromHours(1));
        var answer = await second.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(answer.IsError, Is.Not.True);
        Assert.That(notices.Single().Message, Does.Contain("waiting 3600 s for the Query API hourly rate limit"));
        await stop.CancelAsync();
    }

    private sealed class Notices(ConcurrentQueue<ProgressNotificationValue> sink, TaskCompletionSource heard) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value)
        {
            sink.Enqueue(value);
            heard.TrySetResult();
        }
    }
}
