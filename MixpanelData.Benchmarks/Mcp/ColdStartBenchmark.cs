using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MixpanelData.ToolDocs;

namespace MixpanelData.Benchmarks.Mcp;

/// <summary>
/// <c>cold-start</c>: wall-clock time from starting the <c>mp_mcp</c> process to reading its <c>initialize</c> response on
/// stdout (stdio, protocol 2025-06-18, the request written to stdin right after the start), N fresh processes in a row.
/// The first run also sends <c>tools/list</c> and reports its size on the wire and how long after the <c>initialize</c>
/// response it came (the server creates its tools on the first listing). <c>--help</c> runs are the floor:
/// the runtime starting and the command line parsing, with no server. Next to wall-clock time, the child's CPU time
/// (user + system, read when the response arrives) is reported: startup is nearly single-threaded, so on an idle
/// machine the two are close, and CPU time stays meaningful when other work shares the cores.
/// <c>launch=</c> <c>dotnet</c> (<c>dotnet mp_mcp.dll</c>, default), <c>apphost</c> (the <c>mp_mcp</c> executable next to the
/// dll) or <c>dnx</c> (<c>dnx MixpanelData.Mcp@version --yes</c>, with <c>package=</c> and <c>source=</c> naming a feed).
/// </summary>
internal static class ColdStartBenchmark
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"cold-start","version":"1"}}}""";

    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> arguments)
    {
        var runs = int.Parse(arguments.GetValueOrDefault("runs", "20"), CultureInfo.InvariantCulture);
        var launch = arguments.GetValueOrDefault("launch", "dotnet");
        var extra = arguments.GetValueOrDefault("args", "--demo").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var dll = arguments.GetValueOrDefault("dll", McpProcess.Dll);
        if (launch == "dnx")
        {
            // dnx MixpanelData.Mcp@0.1.0 --source ./feed --yes -- --demo
            dll = arguments.GetValueOrDefault("package", "MixpanelData.Mcp@0.1.0");
            extra = [.. arguments.TryGetValue("source", out var source) ? new[] { "--source", source } : [], "--yes", "--", .. extra];
        }

        Console.WriteLine($"cold start of {launch switch { "apphost" => Path.ChangeExtension(dll, null), "dnx" => "dnx " + dll, _ => "dotnet " + dll }} {string.Join(' ', extra)}; {runs} runs; {Environment.ProcessorCount} cores");

        var help = new List<double>();
        for (var i = 0; i < (launch == "dnx" ? 0 : Math.Max(3, runs / 4)); i++)
        {
            help.Add(await HelpAsync(launch, dll));
        }

        var times = new List<double>();
        var cpu = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var (ms, cpuMs, listBytes, toolsBytes, tools, listMs) = await OnceAsync(launch, dll, extra, measureList: i == 0);
            times.Add(ms);
            cpu.Add(cpuMs);
            if (i == 0)
            {
                Console.WriteLine($"tools/list: {tools} tools; response line {listBytes:N0} bytes, tools array {toolsBytes:N0} bytes (≈ {toolsBytes / 4:N0} tokens at 4 bytes/token); "
                    + $"first tools/list answered {listMs:F0} ms after the initialize response");
            }
        }

        if (help.Count > 0)
        {
            Console.WriteLine($"--help (runtime + CLI floor): {Summary(help)}");
        }

        Console.WriteLine($"initialize response:         {Summary(times)}");
        Console.WriteLine($"  its CPU time (user+sys):   {Summary(cpu)}");
        Console.WriteLine($"load average: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
        Console.WriteLine("all runs (ms): " + string.Join(' ', times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture))));
        return 0;
    }

    internal static string Summary(List<double> values, int decimals = 1)
    {
        var sorted = values.Order().ToList();
        var f = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"median {Percentile(sorted, 0.5).ToString(f, CultureInfo.InvariantCulture)} ms, p90 {Percentile(sorted, 0.9).ToString(f, CultureInfo.InvariantCulture)} ms, min {sorted[0].ToString(f, CultureInfo.InvariantCulture)} ms, max {sorted[^1].ToString(f, CultureInfo.InvariantCulture)} ms (n={sorted.Count})");
    }

    internal static double Percentile(List<double> sorted, double p)
    {
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    private static ProcessStartInfo Start(string launch, string dll, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(launch switch { "apphost" => Path.ChangeExtension(dll, null), "dnx" => "dnx", _ => "dotnet" })
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (launch != "apphost")
        {
            start.ArgumentList.Add(dll);
        }

        if (launch == "dnx")
        {
            // The dnx shim lives next to dotnet; a GUI client would name its absolute path.
            // (the runtime directory is <dotnet root>/shared/Microsoft.NETCore.App/<version>/).
            var root = new DirectoryInfo(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory()).Parent!.Parent!.Parent!.FullName;
            start.FileName = Path.Combine(root, OperatingSystem.IsWindows() ? "dnx.cmd" : "dnx");
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "MP_USERNAME", "MP_SECRET", "MP_PROJECT_ID", "MP_REGION" })
        {
            start.Environment.Remove(name);
        }

        return start;
    }

    private static async Task<double> HelpAsync(string launch, string dll)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(Start(launch, dll, ["--help"]))!;
        process.StandardInput.Close();
        _ = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<(double Ms, double CpuMs, int ListBytes, int ToolsBytes, int Tools, double ListMs)> OnceAsync(string launch, string dll, string[] arguments, bool measureList)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(Start(launch, dll, arguments))!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        await process.StandardInput.WriteLineAsync(Initialize);
        await process.StandardInput.FlushAsync();
        var line = await ReadResponseAsync(process.StandardOutput, 1);
        var ms = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        var cpuMs = process.TotalProcessorTime.TotalMilliseconds;
        if (!line.Contains("\"result\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("initialize failed: " + line);
        }

        int listBytes = 0, toolsBytes = 0, tools = 0;
        double listMs = 0;
        if (measureList)
        {
            // The tools are created on the first listing, so it is timed too (from the initialize response).
            await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
            await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
            await process.StandardInput.FlushAsync();
            var list = await ReadResponseAsync(process.StandardOutput, 2);
            listMs = clock.Elapsed.TotalMilliseconds - ms;
            listBytes = Encoding.UTF8.GetByteCount(list);
            using var document = JsonDocument.Parse(list);
            var array = document.RootElement.GetProperty("result").GetProperty("tools");
            toolsBytes = Encoding.UTF8.GetByteCount(array.GetRawText());
            tools = array.GetArrayLength();
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (ms, cpuMs, listBytes, toolsBytes, tools, listMs);
    }

    private static async Task<string> ReadResponseAsync(StreamReader output, int id)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            if (line.Contains($"\"id\":{id}", StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"mp_mcp closed stdout before answering request {id}.");
    }
}
