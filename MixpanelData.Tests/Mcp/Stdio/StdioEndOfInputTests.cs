using System.Diagnostics;
using System.Text.Json;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// <c>mp_mcp --demo</c> over stdio as a real process, fed raw JSON-RPC lines: when the client closes stdin right after
/// its last requests, those requests are still answered before the process exits; a request the client cancelled is
/// not answered and does not hold the exit up. Ctrl+C (SIGINT) while the client keeps stdin open stops the server
/// cleanly, with exit code 0.
/// </summary>
public sealed class StdioEndOfInputTests
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"eof","version":"1"}}}""";
    private const string Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";

    [Test]
    public async Task EndOfInput_RightAfterSlowCalls_AnswersThemBeforeExit()
    {
        var lines = await RunAsync(
            Initialize,
            Initialized,
            // The first tool call opens the demo workspace (hundreds of ms); the query then takes a while of its own.
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_events","arguments":{}}}""",
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"sql_scalar","arguments":{"query":"SELECT count(*) FROM range(300000000) t(x) WHERE x % 7 = 3"}}}""",
            """{"jsonrpc":"2.0","id":"last","method":"ping"}""");

        var answers = Answers(lines);
        Assert.That(answers.Keys, Is.SupersetOf(new[] { "1", "2", "3", "last" }), string.Join("\n", lines));
        Assert.That(answers["2"].GetProperty("result").TryGetProperty("isError", out var error2) && error2.GetBoolean(), Is.False, answers["2"].ToString());
        Assert.That(answers["3"].GetProperty("result").GetProperty("structuredContent").GetProperty("value").GetInt64(), Is.EqualTo(42857143));
    }

    [Test]
    public async Task EndOfInput_WithACancelledCall_SkipsItsAnswerAndExitsPromptly()
    {
        var clock = Stopwatch.StartNew();
        var lines = await RunAsync(
            Initialize,
            Initialized,
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"sql_scalar","arguments":{"query":"SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3"}}}""",
            """{"jsonrpc":"2.0","id":8,"method":"ping"}""",
            """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user pressed stop"}}""");

        var answers = Answers(lines);
        Assert.That(answers.Keys, Does.Contain("8"), string.Join("\n", lines));
        Assert.That(answers.Keys, Does.Not.Contain("7"), "a cancelled request gets no response");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the cancelled query does not run to its end");
    }

    [Test]
    public async Task Interrupt_WhileInputStaysOpen_ExitsWithZero()
    {
        using var process = Process.Start(await DemoStartAsync())!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync(Initialize);
        await process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var first = await process.StandardOutput.ReadLineAsync(timeout.Token);
        Assert.That(Answers([first!]).Keys, Does.Contain("1"), first);

        // What Ctrl+C in a terminal sends; stdin stays open, so only the signal can end the server.
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(timeout.Token);
        }

        await process.WaitForExitAsync(timeout.Token);
        // System.CommandLine answers 130 when the server is still running 2 s after the signal.
        Assert.That(process.ExitCode, Is.Zero, await stderr);
    }

    /// <summary>Starts mp_mcp --demo, writes the lines, closes stdin at once and reads stdout until the process exits.</summary>
    private static async Task<List<string>> RunAsync(params string[] input)
    {
        using var process = Process.Start(await DemoStartAsync())!;
        var stderr = process.StandardError.ReadToEndAsync();
        foreach (var line in input)
        {
            await process.StandardInput.WriteLineAsync(line);
        }

        process.StandardInput.Close();
        var output = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.Add(line);
        }

        await process.WaitForExitAsync(timeout.Token);
        TestContext.Out.WriteLine(await stderr);
        Assert.That(process.ExitCode, Is.Zero, await stderr);
        return output;
    }

    private static async Task<ProcessStartInfo> DemoStartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ProcessRunner.McpDll);
        start.ArgumentList.Add("--demo");
        foreach (var name in new[] { "MP_USERNAME", "MP_SECRET", "MP_PROJECT_ID", "MP_REGION" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = await SharedDemo.HomeAsync();
        return start;
    }

    private static Dictionary<string, JsonElement> Answers(IEnumerable<string> lines) =>
        lines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(m => m.TryGetProperty("id", out _) && (m.TryGetProperty("result", out _) || m.TryGetProperty("error", out _)))
            .ToDictionary(m => m.GetProperty("id").ToString(), m => m);
}
