using System.Diagnostics;
using System.Globalization;
using System.Text;
using MixpanelData.Storage;

// Ingestion benchmark: N synthetic export events as JSONL on disk, then, each in a fresh child process
// (so peak RSS is per phase):
//   store    — LocalStore.IngestEventsAsync from a FileStream of the JSONL (the library's whole path:
//              line checks and column reads, DuckDB.NET appender into staging, swap) into an ephemeral file-backed store;
//   raw      — DuckDB alone: CREATE TABLE … AS the same projection over read_ndjson(file) — the physical
//              limit for the same bytes on this machine;
//   rawauto  — DuckDB alone: CREATE TABLE … AS SELECT * FROM read_ndjson(file) with schema auto-detection;
//   appender — the alternative load path: each line parsed once in C# (System.Text.Json) and its five columns
//              written through DuckDB.NET's appender into the same table shape (no spool, no second JSON parse);
//   fetch    — ws.Fetch.EventsAsync of the same lines over loopback HTTP, gzip, 10 one-day windows, 3 requests open
//              at once (FetchBenchmark); fetch-serial — the same, window after window.
// Usage: dotnet run -c Release --project MixpanelData.Benchmarks -- [events=1000000] [runs=1] [phases=raw,store,fetch]
//        [source=demo: the demo project's last 30 days of export instead of synthetic events]
//
// Other commands (docs/performance.md, docs/tools.md):
//   tool-docs      — run every example of docs/tool-examples.json against mp_mcp --demo and write docs/tools.md
//   cold-start     — mp_mcp process start → initialize response over stdio, N runs; tools/list size  [runs=20 launch=dotnet|apphost]
//   result-sizes   — text vs structured bytes of the ten largest example results on the demo
//   call-overhead  — server-side cost of a cached discovery tool call, in-process over pipes    [calls=2000 tool=list_events]
//   live-query     — a live segmentation per call through Workspace → Api → Http against the demo's in-process emulator
//                    (no cache, limits off); answer=canned swaps the emulator for a fixed answer  [calls=500 warmup=100 days=30 answer=emulator|canned]
//   smart-tools    — each composed analysis (ws.Insights) on the demo: first call and warm median, Query calls spent  [runs=5 tools=a,b]

var arguments = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
switch (args.FirstOrDefault(a => !a.Contains('=', StringComparison.Ordinal)))
{
    case null:
        break;
    case "tool-docs":
        Environment.ExitCode = await MixpanelData.ToolDocs.ToolDocsCommand.RunAsync(arguments);
        return;
    case "cold-start":
        Environment.ExitCode = await MixpanelData.Benchmarks.Mcp.ColdStartBenchmark.RunAsync(arguments);
        return;
    case "result-sizes":
        Environment.ExitCode = await MixpanelData.Benchmarks.Mcp.ResultSizesBenchmark.RunAsync(arguments);
        return;
    case "call-overhead":
        Environment.ExitCode = await MixpanelData.Benchmarks.Mcp.CallOverheadBenchmark.RunAsync(arguments);
        return;
    case "live-query":
        Environment.ExitCode = await MixpanelData.Benchmarks.LiveQueryBenchmark.RunAsync(arguments);
        return;
    case "smart-tools":
        Environment.ExitCode = await MixpanelData.Benchmarks.SmartToolsBenchmark.RunAsync(arguments);
        return;
    case var unknown:
        Console.Error.WriteLine($"Unknown command '{unknown}': use tool-docs, cold-start, call-overhead, live-query, result-sizes, smart-tools, or name=value options for the ingestion benchmark.");
        Environment.ExitCode = 2;
        return;
}
if (arguments.TryGetValue("phase", out var phase))
{
    await RunPhase(phase, arguments["file"]);
    return;
}

var events = int.Parse(arguments.GetValueOrDefault("events", "1000000"), CultureInfo.InvariantCulture);
var runs = int.Parse(arguments.GetValueOrDefault("runs", "1"), CultureInfo.InvariantCulture);
var demo = arguments.GetValueOrDefault("source") == "demo";
var file = Path.Combine(Path.GetTempPath(), demo ? "mixpanel-bench-demo30.jsonl" : $"mixpanel-bench-{events}.jsonl");
if (!File.Exists(file))
{
    if (demo)
    {
        await GenerateDemoAsync(file);
    }
    else
    {
        Generate(file, events);
    }
}

if (demo)
{
    events = (int)File.ReadLines(file).LongCount();
}

if (arguments.GetValueOrDefault("phases", string.Empty).Contains("fetch", StringComparison.Ordinal))
{
    MixpanelData.Benchmarks.FetchBenchmark.Parts(file);
}
var size = new FileInfo(file).Length;
Console.WriteLine($"DuckDB {LocalStore.DuckDbVersion}; {Environment.ProcessorCount} cores; {events:N0} events, {size / 1048576.0:F1} MB of JSONL");
Console.WriteLine("phase    | seconds | events/s  | MB/s  | peak RSS MB | CPU s | load");
var results = new Dictionary<string, List<(double Seconds, long Rss)>>();
foreach (var name in (arguments.GetValueOrDefault("phases", "raw,store,rawauto")).Split(','))
{
    for (var run = 0; run < runs; run++)
    {
        var (seconds, rss, cpu) = Child(name, file);
        results.TryAdd(name, []);
        results[name].Add((seconds, rss));
        // CPU s: the child's user + system time (all threads, whole process life); load: the 1-minute load average after it.
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "-";
        Console.WriteLine($"{name,-8} | {seconds,7:F2} | {events / seconds,9:N0} | {size / 1048576.0 / seconds,5:F0} | {rss / 1048576.0,11:F0} | {cpu,5:F2} | {load}");
    }
}
var best = results.ToDictionary(r => r.Key, r => r.Value.Min(v => v.Seconds));
foreach (var name in new[] { "store", "fetch", "fetch-serial" })
{
    if (best.ContainsKey("raw") && best.ContainsKey(name))
    {
        Console.WriteLine($"{name} / raw read_ndjson throughput ratio: {best["raw"] / best[name]:F2}");
    }
}

static (double Seconds, long Rss, double Cpu) Child(string phase, string file)
{
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(typeof(EventLineScan).Assembly.Location);
    }
    start.ArgumentList.Add("phase=" + phase);
    start.ArgumentList.Add("file=" + file);
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    var line = output.Split('\n').Last(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
    return (double.Parse(line[1], CultureInfo.InvariantCulture), long.Parse(line[2], CultureInfo.InvariantCulture), double.Parse(line[3], CultureInfo.InvariantCulture));
}

static async Task RunPhase(string phase, string file)
{
    long rows;
    Stopwatch watch;
    await using var sampler = MixpanelData.Benchmarks.MemorySampler.Start();
    if (phase is "fetch" or "fetch-serial")
    {
        double seconds;
        (rows, seconds) = await MixpanelData.Benchmarks.FetchBenchmark.RunAsync(file, serial: phase == "fetch-serial");
        Console.Error.WriteLine($"{phase}: {rows} rows");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {seconds:F3} {PeakRss()} {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2}"));
        return;
    }

    if (phase == "scan")
    {
        // C# side only: read and check/rewrite every line, writing nowhere.
        watch = Stopwatch.StartNew();
        rows = EventLineScan.Run(file);
        watch.Stop();
    }
    else if (phase == "store")
    {
        watch = Stopwatch.StartNew();
        await using var store = LocalStore.Open(new LocalStoreOptions { Mode = LocalStoreMode.Ephemeral, MemoryLimit = Environment.GetEnvironmentVariable("BENCH_MEMORY_LIMIT") });
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var result = await store.IngestEventsAsync("events", input);
        rows = result.TableRowCount;
        watch.Stop();
    }
    else if (phase == "appender")
    {
        var path = Path.Combine(Path.GetTempPath(), "mixpanel-data", "bench-" + Guid.NewGuid().ToString("N") + ".duckdb");
        using var database = StoreDatabase.Acquire(path, Environment.GetEnvironmentVariable("BENCH_MEMORY_LIMIT") ?? LocalStoreOptions.DefaultFileMemoryLimit);
        using var connection = database.Connect();
        watch = Stopwatch.StartNew();
        connection.Execute("CREATE TABLE events (event_name VARCHAR, event_time TIMESTAMP, distinct_id VARCHAR, insert_id VARCHAR, properties JSON)");
        using (var appender = connection.CreateAppender("events"))
        {
            foreach (var line in File.ReadLines(file))
            {
                using var document = System.Text.Json.JsonDocument.Parse(line);
                var root = document.RootElement;
                var properties = root.GetProperty("properties");
                appender.CreateRow()
                    .AppendValue(root.GetProperty("event").GetString())
                    .AppendValue(DateTime.UnixEpoch.AddTicks((long)Math.Round(properties.GetProperty("time").GetDouble() * TimeSpan.TicksPerSecond)))
                    .AppendValue(properties.TryGetProperty("distinct_id", out var id) ? id.GetString() : null)
                    .AppendValue(properties.TryGetProperty("$insert_id", out var insert) ? insert.GetString() : null)
                    .AppendValue(properties.GetRawText())
                    .EndRow();
            }
        }
        rows = (long)connection.Scalar("SELECT count(*) FROM events")!;
        watch.Stop();
        connection.Dispose();
        database.Dispose();
        File.Delete(path);
        File.Delete(path + ".wal");
    }
    else
    {
        var path = Path.Combine(Path.GetTempPath(), "mixpanel-data", "bench-" + Guid.NewGuid().ToString("N") + ".duckdb");
        using var database = StoreDatabase.Acquire(path, Environment.GetEnvironmentVariable("BENCH_MEMORY_LIMIT"));
        using var connection = database.Connect();
        // The sandbox only lets DuckDB read the spool folder (symlinks are resolved), so the file is copied
        // into it before the clock starts.
        var link = Path.Combine(database.SpoolDirectory, "input.jsonl");
        File.Copy(file, link);
        watch = Stopwatch.StartNew();
        var sql = phase == "raw"
            ? "CREATE TABLE events AS SELECT event AS event_name, make_timestamp(CAST(round(CAST(f[1] AS DOUBLE) * 1000000) AS BIGINT)) AS event_time, " +
              "f[2] AS distinct_id, f[3] AS insert_id, properties FROM (SELECT event, properties, " +
              "json_extract_string(properties, ['$.time', '$.distinct_id', '$.\"$insert_id\"']) AS f FROM read_ndjson(?, columns = {event: 'VARCHAR', properties: 'JSON'}))"
            : "CREATE TABLE events AS SELECT * FROM read_ndjson(?)";
        connection.Query(sql, [link]);
        rows = (long)connection.Scalar("SELECT count(*) FROM events")!;
        watch.Stop();
        connection.Dispose();
        database.Dispose();
        File.Delete(path);
        File.Delete(path + ".wal");
    }
    Console.Error.WriteLine($"{phase}: {rows} rows");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {watch.Elapsed.TotalSeconds:F3} {PeakRss()} {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2}"));
}

static long PeakRss()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }
    return Environment.WorkingSet;
}

static async Task GenerateDemoAsync(string file)
{
    // The demo project's last 30 days, as its export sends them (the figure the issue quotes: ≈ 438k events, 186 MB).
    var dataset = MixpanelData.Emulation.Demo.DemoDataset.Create(MixpanelData.Emulation.Demo.DemoDatasetOptions.EndingYesterday(TimeProvider.System));
    var last = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
    await using var output = File.Create(file);
    await dataset.WriteEventsAsync(output, last.AddDays(-29), last);
}

static void Generate(string file, int count)
{
    // Shaped like real export lines: ~15 properties, a mix of strings, numbers, booleans and a list.
    var events = new[] { "Page View", "Sign Up", "Login", "Add To Cart", "Purchase", "Search", "Share", "Logout" };
    var browsers = new[] { "Chrome", "Firefox", "Safari", "Edge" };
    var cities = new[] { "Berlin", "London", "New York", "São Paulo", "Tokyo", "Paris" };
    var random = new Random(42);
    using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20);
    var start = 1704067200L;
    for (var i = 0; i < count; i++)
    {
        var user = random.Next(50_000);
        writer.Write(string.Create(CultureInfo.InvariantCulture,
            $"{{\"event\":\"{events[random.Next(events.Length)]}\",\"properties\":{{\"time\":{start + (i / 12)},\"distinct_id\":\"user-{user}\",\"$insert_id\":\"{Guid.NewGuid():N}\"," +
            $"\"mp_lib\":\"web\",\"$browser\":\"{browsers[random.Next(browsers.Length)]}\",\"$browser_version\":{random.Next(90, 130)},\"$city\":\"{cities[random.Next(cities.Length)]}\"," +
            $"\"$os\":\"Mac OS X\",\"$screen_width\":1920,\"$screen_height\":1080,\"$current_url\":\"https://example.com/p/{random.Next(1000)}\"," +
            $"\"plan\":\"{(user % 3 == 0 ? "pro" : "free")}\",\"amount\":{random.Next(10000) / 100.0},\"is_trial\":{(user % 2 == 0 ? "true" : "false")},\"tags\":[\"a\",\"b\"]}}}}\n"));
    }
}

internal static class EventLineScan
{
    public static long Run(string file)
    {
        var bytes = File.ReadAllBytes(file);
        long rows = 0;
        var span = bytes.AsSpan();
        while (!span.IsEmpty)
        {
            var end = span.IndexOf((byte)'\n');
            var line = end < 0 ? span : span[..end];
            if (EventLineValidator.Read(line, out _) is null)
            {
                rows++;
            }
            span = end < 0 ? default : span[(end + 1)..];
        }
        return rows;
    }
}
