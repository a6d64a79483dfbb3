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
        Assert.That(emulator.Output, Does.Contain("Rate limits: Mixpanel's"), "the emulator enforces the limits");
        var stderr = new ConcurrentQueue<string>();
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [ProcessRunner.McpDll],
            EnvironmentVariables = ServerEnvironment(home, emulator),
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
            // A status 429, not the digits inside a figure such as "3,429/s".
            Assert.That(fetch.Messages, Has.None.Match(@"(?<![\d,.])429(?![\d,.])"), "the client's pacing kept within the emulator's 3 per second");
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

    [Test]
    public async Task ProcessKilledMidFetch_ResumeInANewProcess_StoresEveryEventOnceWithNoPartialTable()
    {
        var home = await SharedDemo.HomeAsync();
        await using var emulator = await EmulatorProcess.StartAsync(home);
        Assert.That(emulator.Output, Does.Contain("Rate limits: Mixpanel's"), "the emulator enforces the limits");
        var db = Path.Combine(Path.GetTempPath(), "mp-kill-" + Guid.NewGuid().ToString("N") + ".duckdb");
        var range = new Dictionary<string, object?> { ["from_date"] = Iso(Yesterday.AddDays(-29)), ["to_date"] = Iso(Yesterday), ["table"] = "month" };
        try
        {
            // First process: killed (SIGKILL) once two of the ten windows are stored.
            using (var doomed = StartServer(home, emulator, db))
            {
                var twoWindows = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await using var client = await McpClient.CreateAsync(new StreamClientTransport(doomed.StandardInput.BaseStream, doomed.StandardOutput.BaseStream));
                var call = client.CallToolAsync("fetch_events", range, new SyncProgress<ProgressNotificationValue>(p =>
                {
                    if (p.Progress >= 6)
                    {
                        twoWindows.TrySetResult();
                    }
                }));
                await Task.WhenAny(twoWindows.Task, call.AsTask()).WaitAsync(TimeSpan.FromMinutes(3));
                Assert.That(twoWindows.Task.IsCompleted, Is.True, "the fetch was still running after two windows");
                doomed.Kill(entireProcessTree: true);
                await doomed.WaitForExitAsync();
            }

            // Second process on the same file: no table yet, then a resume that finishes the fetch.
            using var server = StartServer(home, emulator, db);
            try
            {
                await using var client = await McpClient.CreateAsync(new StreamClientTransport(server.StandardInput.BaseStream, server.StandardOutput.BaseStream));
                var before = await ScalarAsync(client, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'month'");
                var resumed = await client.CallToolAsync("fetch_events", new Dictionary<string, object?>(range) { ["resume"] = true });
                var fresh = await client.CallToolAsync("fetch_events", new Dictionary<string, object?>(range) { ["table"] = "fresh" });

                Assert.That(before, Is.Zero, "the killed fetch published nothing");
                Assert.That(resumed.IsError, Is.Not.True, DemoMcpProcess.Text(resumed));
                var json = resumed.StructuredContent!.Value;
                Assert.That(json.GetProperty("resumed_from").ValueKind, Is.EqualTo(JsonValueKind.String), "it continued after the stored windows");
                Assert.That(DateOnly.ParseExact(json.GetProperty("resumed_from").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture), Is.GreaterThan(Yesterday.AddDays(-29)));
                var rows = await ScalarAsync(client, "SELECT count(*) FROM month");
                Assert.That(rows, Is.EqualTo(fresh.StructuredContent!.Value.GetProperty("rows_inserted").GetInt64()), "the same events as a fetch that was never interrupted");
                Assert.That(await ScalarAsync(client, "SELECT count(DISTINCT insert_id) FROM month"), Is.EqualTo(rows), "no duplicate");
                Assert.That(await ScalarAsync(client, "SELECT count(DISTINCT CAST(event_time AS DATE)) FROM month"), Is.EqualTo(30), "no lost window");
                Assert.That(await ScalarAsync(client, "SELECT count(*) FROM ((SELECT insert_id FROM month EXCEPT SELECT insert_id FROM fresh) UNION ALL (SELECT insert_id FROM fresh EXCEPT SELECT insert_id FROM month))"), Is.Zero);
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
        finally
        {
            File.Delete(db);
            File.Delete(db + ".wal");
        }
    }

    /// <summary>Starts <c>mp_mcp --db</c> against the emulator, its stderr drained (the test speaks to it over stdin/stdout).</summary>
    private static Process StartServer(string home, EmulatorProcess emulator, string db)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ProcessRunner.McpDll);
        start.ArgumentList.Add("--db");
        start.ArgumentList.Add(db);
        foreach (var (name, value) in ServerEnvironment(home, emulator))
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static Dictionary<string, string?> ServerEnvironment(string home, EmulatorProcess emulator) => new()
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
    };

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
}
