using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MixpanelData.Tests.Fetching;
using MixpanelData.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// <c>fetch_events</c> through a spawned <c>mp_mcp</c> over stdio against a spawned <c>mp_mcp emulator</c>, which
/// enforces Mixpanel's limits (export: 60 requests per rolling hour, 3 per second) and answers 429 past them: three
/// quarter-sized fetches in a row fit in one hour's budget, none waits for it, and every event is stored exactly once
/// (checked against each other: the same days fetched with other windows and filters give the same events).
/// </summary>
public sealed class FetchBudgetToolTests
{
    private static readonly DateOnly Yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    [Test]
    public async Task ThreeFetchesInARow_AgainstTheEmulatorWithMixpanelsLimits_FitTheHourAndStoreEachEventOnce()
    {
        var home = await SharedDemo.HomeAsync();
        await using var emulator = await EmulatorProcess.StartAsync(home);
        var stderr = new ConcurrentQueue<string>();
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [ProcessRunner.McpDll],
            EnvironmentVariables = new Dictionary<string, string?>
            {
                ["HOME"] = home,
                ["MP_USERNAME"] = "demo",
                ["MP_SECRET"] = "demo",
                ["MP_PROJECT_ID"] = "1",
                ["MP_REGION"] = null,
                ["MP_WORKSPACE_ID"] = null,
                ["MP_CONFIG_PATH"] = Path.Combine(home, "no-config.toml"),
                ["MP_QUERY_URL"] = emulator.BaseUrl + "/api/query",
                ["MP_EXPORT_URL"] = emulator.BaseUrl + "/api/2.0",
                ["MP_APP_URL"] = emulator.BaseUrl + "/api/app",
            },
            StandardErrorLines = stderr.Enqueue,
            Name = "mp_mcp",
        }));
        var quarter = (From: Yesterday.AddDays(-89), To: Yesterday);
        var twoMonths = (From: Yesterday.AddDays(-59), To: Yesterday);

        var all = await FetchAsync(client, quarter.From, quarter.To, "q_all", null);
        var purchases = await FetchAsync(client, quarter.From, quarter.To, "q_purchase", ["Purchase"]);
        var recent = await FetchAsync(client, twoMonths.From, twoMonths.To, "m_all", null);

        foreach (var (fetch, windows, days) in new[] { (all, 10, 9), (purchases, 10, 9), (recent, 10, 6) })
        {
            Assert.That(fetch.Result.IsError, Is.Not.True, DemoMcpProcess.Text(fetch.Result));
            var json = fetch.Result.StructuredContent!.Value;
            Assert.That((json.GetProperty("windows").GetInt32(), json.GetProperty("window_days").GetInt32(), json.GetProperty("retries").GetInt32()), Is.EqualTo((windows, days, 0)),
                "ten export requests each, none asked again: 30 of the hour's 60");
            Assert.That(json.GetProperty("budget").GetProperty("must_wait").GetBoolean(), Is.False, DemoMcpProcess.Text(fetch.Result));
            Assert.That(DemoMcpProcess.Text(fetch.Result), Does.Not.Contain("budget held it back"));
            Assert.That(fetch.Messages, Has.None.Contains("hourly").And.None.Contains("budget"), "no progress message spoke of waiting for the hourly budget");
            Assert.That(fetch.Messages, Has.None.Contains("429"), "the client's pacing kept within the emulator's 3 per second");
            TestContext.Out.WriteLine($"{fetch.Elapsed.TotalSeconds:F1} s, {fetch.Messages.Count(m => m.StartsWith("waiting", StringComparison.Ordinal))} short per-second waits");
            Assert.That(fetch.Elapsed, Is.LessThan(TimeSpan.FromMinutes(5)), "nobody waited out the hourly budget");
        }

        var allRows = all.Result.StructuredContent!.Value.GetProperty("rows_inserted").GetInt64();
        Assert.That(allRows, Is.GreaterThan(100_000));
        Assert.That(await ScalarAsync(client, "SELECT count(DISTINCT insert_id) FROM q_all"), Is.EqualTo(allRows), "each event once");
        Assert.That(await ScalarAsync(client, "SELECT count(DISTINCT CAST(event_time AS DATE)) FROM q_all"), Is.EqualTo(90));
        Assert.That(await ScalarAsync(client, "SELECT count(*) FROM q_purchase"), Is.EqualTo(await ScalarAsync(client, "SELECT count(*) FROM q_all WHERE event_name = 'Purchase'")));
        Assert.That(await ScalarAsync(client, "SELECT count(*) FROM m_all"), Is.EqualTo(await ScalarAsync(client, $"SELECT count(*) FROM q_all WHERE event_time >= DATE '{Iso(twoMonths.From)}'")));
        Assert.That(
            await ScalarAsync(client, "SELECT count(*) FROM ((SELECT insert_id FROM m_all EXCEPT SELECT insert_id FROM q_all) UNION ALL (SELECT insert_id FROM q_purchase EXCEPT SELECT insert_id FROM q_all))"),
            Is.Zero,
            "windows of 6 and of 9 days, with and without an event filter, store the same events");
    }

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<(CallToolResult Result, List<string> Messages, TimeSpan Elapsed)> FetchAsync(McpClient client, DateOnly from, DateOnly to, string table, string[]? events)
    {
        var messages = new List<string>();
        var progress = new SyncProgress<ProgressNotificationValue>(p =>
        {
            lock (messages)
            {
                messages.Add(p.Message ?? string.Empty);
            }
        });
        var arguments = new Dictionary<string, object?> { ["from_date"] = Iso(from), ["to_date"] = Iso(to), ["table"] = table };
        if (events is not null)
        {
            arguments["events"] = events;
        }

        var clock = Stopwatch.StartNew();
        var result = await client.CallToolAsync("fetch_events", arguments, progress);
        lock (messages)
        {
            return (result, messages.ToList(), clock.Elapsed);
        }
    }

    private static async Task<long> ScalarAsync(McpClient client, string sql)
    {
        var result = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = sql });
        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        return result.StructuredContent!.Value.GetProperty("value").GetInt64();
    }

    /// <summary>A spawned <c>mp_mcp emulator</c> (Mixpanel's limits enforced) on a free loopback port.</summary>
    private sealed class EmulatorProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private EmulatorProcess(Process process, string baseUrl)
        {
            _process = process;
            BaseUrl = baseUrl;
        }

        public string BaseUrl { get; }

        public static async Task<EmulatorProcess> StartAsync(string home)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(ProcessRunner.McpDll);
            start.ArgumentList.Add("emulator");
            start.ArgumentList.Add("--port");
            start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
            start.Environment["HOME"] = home;
            var process = Process.Start(start)!;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var output = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }

                if (e.Data?.Contains("Press Ctrl+C", StringComparison.Ordinal) == true)
                {
                    ready.TrySetResult();
                }
            };
            process.BeginErrorReadLine();
            try
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
                lock (output)
                {
                    Assert.That(output.ToString(), Does.Contain("Rate limits: Mixpanel's"), "the emulator enforces the limits");
                }
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }

            return new EmulatorProcess(process, $"http://127.0.0.1:{port}");
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
