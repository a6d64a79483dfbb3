using System.Diagnostics;
using System.Globalization;
using MixpanelData.Emulation.Demo;
using MixpanelData.Insights;

namespace MixpanelData.Benchmarks;

/// <summary>
/// <c>smart-tools</c>: each composed analysis (the library call each composed MCP tool maps) on the demo, in a fresh
/// workspace: the first call (discovery not yet cached, emulator warming) and then the median of warm calls, with the
/// Query API calls each spent. The demo's emulator is in-process, so the figures are the library's and the emulator's
/// work, without network latency. <c>fetch=1</c> fetches every event of the 60 days into the store first, so the tools
/// that can read it (cohort_comparison) do; <c>export=N</c> times a bare export of N days.
/// </summary>
internal static class SmartToolsBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> arguments)
    {
        var runs = int.Parse(arguments.GetValueOrDefault("runs", "5"), CultureInfo.InvariantCulture);
        var only = arguments.GetValueOrDefault("tools");
        var open = Stopwatch.StartNew();
        await using var ws = Workspace.OpenDemo();
        var last = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var from = last.AddDays(-59);
        await ws.Discovery.EventsAsync();
        Console.WriteLine($"demo opened and first discovery call in {open.Elapsed.TotalMilliseconds:F0} ms; {Environment.ProcessorCount} cores; {runs} warm runs each");
        if (arguments.ContainsKey("export"))
        {
            var days = int.Parse(arguments["export"], CultureInfo.InvariantCulture);
            for (var i = 0; i < 2; i++)
            {
                var watch = Stopwatch.StartNew();
                long count = 0;
                await foreach (var e in ws.Fetch.StreamEventsAsync(new Fetching.StreamEventsRequest(last.AddDays(1 - days), last)))
                {
                    count++;
                }

                Console.WriteLine($"export of every event over {days} days: {count:N0} events in {watch.Elapsed.TotalMilliseconds:F0} ms");
            }
        }

        if (arguments.ContainsKey("fetch"))
        {
            // fetch=1: every event of the 60 days into the store first, as a user who ran fetch_events would have;
            // cohort_comparison then reads that table instead of the export.
            var watch = Stopwatch.StartNew();
            var fetched = await ws.Fetch.EventsAsync(new Fetching.FetchEventsRequest(from, last));
            Console.WriteLine($"fetch_events {from:yyyy-MM-dd}..{last:yyyy-MM-dd} into the store: {fetched.RowsInserted:N0} events in {watch.Elapsed.TotalMilliseconds:F0} ms");
        }

        Console.WriteLine("tool                        | first ms | warm median ms | warm max ms | Query calls (budget)");

        var tools = new List<(string Name, Func<Task<QuerySpend>> Run)>
        {
            ("ask_mixpanel", async () => (await ws.Insights.AskAsync("which utm_source had the most Sign Ups last month?")).Spend),
            ("diagnose_metric_drop", async () => (await ws.Insights.DiagnoseDropAsync(new MetricDropRequest("Sign Up"))).Spend),
            ("funnel_optimization_report", async () => (await ws.Insights.FunnelReportAsync(new FunnelReportRequest(DemoDefinitions.ActivationFunnelId, from, last))).Spend),
            ("product_health_dashboard", async () => (await ws.Insights.ProductHealthAsync(new ProductHealthRequest(last.AddDays(-29), last))).Spend),
            ("cohort_comparison", async () => (await ws.Insights.CompareCohortsAsync(new CohortComparisonRequest("Android users", "Large free accounts", from, last))).Spend),
            ("gqm_investigation", async () => (await ws.Insights.InvestigateGoalAsync(new GqmRequest("improve retention of new users", from, last))).Spend),
            ("guided_analysis", async () =>
            {
                var session = ws.Insights.Guided(new QueryBudget(10));
                var catalog = (await session.FocusesAsync()).Require("focuses");
                await session.RunAsync(catalog.Options[0], GuidedPeriod.Ending(last, 30), GuidedSession.NoSegment);
                return session.Budget.Report();
            }),
        };

        foreach (var (name, run) in tools.Where(t => only is null || only.Split(',').Contains(t.Name)))
        {
            var clock = Stopwatch.StartNew();
            var spend = await run();
            var first = clock.Elapsed.TotalMilliseconds;
            var warm = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                clock.Restart();
                await run();
                warm.Add(clock.Elapsed.TotalMilliseconds);
            }

            warm.Sort();
            Console.WriteLine($"{name,-27} | {first,8:F0} | {warm[warm.Count / 2],14:F0} | {warm[^1],11:F0} | {spend.Spent} ({spend.Limit})");
        }

        return 0;
    }
}
