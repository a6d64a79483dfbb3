using System.Diagnostics;
using System.Globalization;

namespace MixpanelData.Benchmarks;

/// <summary>
/// With <c>BENCH_TRACE=1</c>, samples this process every 200 ms while a phase runs and prints, at the end, the peak of
/// each part of its memory (<c>/proc/self/status</c>: RSS, anonymous and file-backed; the GC heap and its committed
/// memory), the process CPU time and the CPU time of its busiest threads, to stderr. It is how the fetch phase's peak
/// RSS was split between the runtime, DuckDB and the GC heap (docs/performance.md).
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    private long _rss, _anon, _file, _heap, _committed;
    private string _atPeak = string.Empty;

    private MemorySampler() => _loop = Task.Run(LoopAsync);

    /// <summary>A sampler when <c>BENCH_TRACE=1</c>, else null.</summary>
    public static MemorySampler? Start() => Environment.GetEnvironmentVariable("BENCH_TRACE") == "1" ? new MemorySampler() : null;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"TRACE peak RSS {_rss >> 20} MB (anon {_anon >> 20}, file {_file >> 20}); GC heap peak {_heap >> 20} MB, committed {_committed >> 20} MB; at RSS peak: {_atPeak}; CPU {cpu.TotalSeconds:F2} s in {_watch.Elapsed.TotalSeconds:F2} s"));
        _stop.Dispose();
        var threads = new List<(string Name, double Seconds)>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                threads.Add((name, (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0));
            }
            catch (IOException)
            {
            }
        }

        Console.Error.WriteLine("TRACE busiest threads: " + string.Join(", ", threads.OrderByDescending(t => t.Seconds).Take(8).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Seconds:F2} s"))));
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                await Task.Delay(200, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        long rss = 0, anon = 0, file = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kilobytes(line);
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                file = Kilobytes(line);
            }
        }

        var gc = GC.GetGCMemoryInfo();
        if (rss > _rss)
        {
            _rss = rss;
            _atPeak = string.Create(CultureInfo.InvariantCulture, $"t={_watch.Elapsed.TotalSeconds:F1} s anon {anon >> 20} MB, file {file >> 20} MB, GC heap {gc.HeapSizeBytes >> 20} MB, committed {gc.TotalCommittedBytes >> 20} MB");
        }

        _anon = Math.Max(_anon, anon);
        _file = Math.Max(_file, file);
        _heap = Math.Max(_heap, gc.HeapSizeBytes);
        _committed = Math.Max(_committed, gc.TotalCommittedBytes);
    }

    private static long Kilobytes(string line) => long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
}
