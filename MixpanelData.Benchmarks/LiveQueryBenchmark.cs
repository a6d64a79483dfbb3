using System.Diagnostics;
using System.Globalization;
using MixpanelData.Emulation;
using MixpanelData.Emulation.Demo;
using MixpanelData.Http;
using MixpanelData.Queries;

namespace MixpanelData.Benchmarks;

/// <summary>
/// <c>live-query</c>: one live segmentation per call through the library's whole path — <see cref="Workspace.Query"/>,
/// the Query API client, the Http core's pipeline (request handler, resilience, rate-limit strategy, gzip, error
/// mapping) — answered by the demo's in-process emulator (its DuckDB query included). No cache answers it: every call
/// reaches the emulator. Client-side limits are off and the emulator's are not enforced, so nothing waits.
/// </summary>
internal static class LiveQueryBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> arguments)
    {
        var calls = int.Parse(arguments.GetValueOrDefault("calls", "500"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(arguments.GetValueOrDefault("warmup", "100"), CultureInfo.InvariantCulture);
        var eventName = arguments.GetValueOrDefault("event", "Sign Up");
        var days = int.Parse(arguments.GetValueOrDefault("days", "30"), CultureInfo.InvariantCulture);

        await using var workspace = Workspace.OpenDemo(
            new DemoOptions { Emulator = new EmulatorOptions { EnforceRateLimits = false } },
            new WorkspaceOptions { RateLimits = new RateLimitOptions { Disabled = true } });
        var to = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var query = new SegmentationQuery(eventName, to.AddDays(1 - days), to);

        var clock = Stopwatch.StartNew();
        var first = await workspace.Query.SegmentationAsync(query);
        Console.WriteLine($"first call (demo opens): {clock.Elapsed.TotalMilliseconds:F0} ms, {first.Series.Count} buckets, total {first.Segments.Sum(s => s.Values.Sum()):N0}");

        for (var i = 0; i < warmup; i++)
        {
            await workspace.Query.SegmentationAsync(query);
        }

        var micros = new List<double>(calls);
        var gcBefore = GC.CollectionCount(0);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await workspace.Query.SegmentationAsync(query);
            micros.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var sorted = micros.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"segmentation '{eventName}' over {days} days, {calls} calls after {warmup} warm-up, {Environment.ProcessorCount} cores:"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  per call: median {Percentile(sorted, 0.5):F0} µs, p90 {Percentile(sorted, 0.9):F0} µs, p99 {Percentile(sorted, 0.99):F0} µs, min {sorted[0]:F0} µs, max {sorted[^1]:F0} µs"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  allocated in the process (client and emulator): {allocated / (double)calls / 1024:F1} KB/call; gen0 GCs: {GC.CollectionCount(0) - gcBefore}"));
        Console.WriteLine($"load average: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
        return 0;
    }

    private static double Percentile(List<double> sorted, double p)
    {
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
