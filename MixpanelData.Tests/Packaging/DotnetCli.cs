using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MixpanelData.Tests.Packaging;

/// <summary>Runs the real <c>dotnet</c> CLI (pack, tool install, build) as a child process with a clean environment.</summary>
internal static class DotnetCli
{
    public sealed record Outcome(int ExitCode, string Output)
    {
        public Outcome EnsureSuccess(string what) =>
            ExitCode == 0 ? this : throw new AssertionException($"{what} failed (exit {ExitCode}):\n{Tail(Output)}");

        private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;
    }

    /// <summary>The repository root (the folder holding MixpanelData.sln), found above the test assembly.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration this test assembly was built in; the projects it references were built the same way.</summary>
    public static string Configuration { get; } =
        typeof(DotnetCli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The .NET installation running this test (what an installed tool's launcher needs as DOTNET_ROOT).</summary>
    public static string DotnetRoot { get; } =
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>
    /// Variables a child `dotnet` must not inherit: MSBuild's from the test host, and the MP_* ones that would point
    /// a server at a real account.
    /// </summary>
    public static IEnumerable<string> InheritedNoise() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(n => n.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || n.StartsWith("MP_", StringComparison.Ordinal))
            .ToList();

    public static async Task<Outcome> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in InheritedNoise())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
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
            throw new AssertionException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s.");
        }
        return new Outcome(process.ExitCode, await stdout + await stderr);
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MixpanelData.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("MixpanelData.sln was not found above " + AppContext.BaseDirectory);
    }
}
