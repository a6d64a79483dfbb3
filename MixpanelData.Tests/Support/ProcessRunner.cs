using System.Diagnostics;

namespace MixpanelData.Tests.Support;

/// <summary>Runs the built mp_mcp as a real child process with a controlled environment.</summary>
public static class ProcessRunner
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    public static string McpDll => Path.Combine(AppContext.BaseDirectory, "mp_mcp.dll");

    public static async Task<Outcome> RunMcpAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(McpDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "MP_USERNAME", "MP_SECRET", "MP_PROJECT_ID", "MP_REGION", "MP_CONFIG_PATH", "MP_QUERY_URL", "MP_EXPORT_URL", "MP_APP_URL", "MP_WORKSPACE_ID" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs any program to completion (killing it after <paramref name="timeout"/>) and returns its output.</summary>
    public static async Task<Outcome> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s. Output so far: {await stderr}");
        }

        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
