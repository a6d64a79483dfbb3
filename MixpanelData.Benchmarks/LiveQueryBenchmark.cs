using System.Diagnostics;
using System.Globalization;
using MixpanelData.Configuration;
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

        var to = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var query = new SegmentationQuery(eventName, to.AddDays(1 - days), to);
        var canned = arguments.GetValueOrDefault("answer", "emulator") == "canned";
        await using var workspace = canned
            ? new Workspace(new WorkspaceOptions
            {
                Account = new MixpanelAccount("bench", new Credentials("bench.user", "bench-secret", 1, MixpanelRegion.Us), "benchmark"),
                PrimaryHandler = new CannedAnswer(SegmentationJson(eventName, query.FromDate, days)),
                RateLimits = new RateLimitOptions { Disabled = true },
            })
            : Workspace.OpenDemo(
                new DemoOptions { Emulator = new EmulatorOptions { EnforceRateLimits = false } },
                new WorkspaceOptions { RateLimits = new RateLimitOptions { Disabled = true } });
        Console.WriteLine(canned ? "answered by a canned-answer handler (the library's own cost)" : "answered by the demo's in-process emulator");

        var clock = Stopwatch.StartNew();
        var first = await workspace.Query.SegmentationAsync(query);
        Console.WriteLine($"first call (opens the demo, if any): {clock.Elapsed.TotalMilliseconds:F0} ms, {first.Series.Count} buckets, total {first.Segments.Sum(s => s.Values.Sum()):N0}");

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

    /// <summary>A segmentation answer as Mixpanel writes it, one count per day.</summary>
    private static string SegmentationJson(string eventName, DateOnly from, int days)
    {
        var dates = Enumerable.Range(0, days).Select(i => from.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        var series = string.Join(",", dates.Select(d => $"\"{d}\""));
        var values = string.Join(",", dates.Select((d, i) => $"\"{d}\": {100 + i}"));
        return $"{{\"data\": {{\"series\": [{series}], \"values\": {{\"{eventName}\": {{{values}}}}}}}, \"legend_size\": 1}}";
    }

    /// <summary>Answers every request with the same JSON, in place of sockets.</summary>
    private sealed class CannedAnswer(string json) : HttpMessageHandler
    {
        private readonly byte[] _body = System.Text.Encoding.UTF8.GetBytes(json);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(_body) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") } },
            });
    }

    private static double Percentile(List<double> sorted, double p)
    {
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
