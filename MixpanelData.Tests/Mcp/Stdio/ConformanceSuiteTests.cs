using System.Globalization;
using System.Text.RegularExpressions;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// The official conformance suite (<c>@modelcontextprotocol/conformance</c>, pinned in Interop/) against
/// <c>mp_mcp --demo --transport http --conformance-fixtures</c>: every server scenario of its active suite runs, and
/// every one must pass. The hidden option adds the suite's fixtures (<c>test_*</c> tools and prompts,
/// <c>test://…</c> resources, completion) beside the real tools on the same endpoint; without it the fixture
/// scenarios fail, which the second test shows, so the first cannot pass by the suite skipping them.
/// </summary>
public sealed partial class ConformanceSuiteTests
{
    [Test]
    public async Task ServerScenarios_AgainstMpMcpOverHttpWithFixtures_AllPass()
    {
        var (output, exitCode) = await RunSuiteAsync("--conformance-fixtures");
        var results = Scenarios(output);

        Assert.That(results, Has.Count.GreaterThanOrEqualTo(30), "the suite ran its server scenarios");
        Assert.That(results.Where(r => r.Value.Failed > 0).Select(r => r.Key), Is.Empty, output);
        Assert.That(results.Values.Select(r => r.Passed), Has.All.GreaterThan(0));
        Assert.That(results["tools-call-sampling"].Passed, Is.GreaterThan(0));
        Assert.That(results["dns-rebinding-protection"], Is.EqualTo((2, 0)));
        Assert.That(output, Does.Match(@"Total: \d+ passed, 0 failed"));
        Assert.That(exitCode, Is.Zero, output);
    }

    [Test]
    public async Task FixtureScenarios_WithoutTheOption_Fail()
    {
        var (output, _) = await RunSuiteAsync();
        var results = Scenarios(output);

        Assert.That(results["tools-call-simple-text"].Failed, Is.GreaterThan(0), output);
        Assert.That(results["resources-read-text"].Failed, Is.GreaterThan(0), output);
        Assert.That(results["prompts-get-simple"].Failed, Is.GreaterThan(0), output);
        Assert.That(results["server-initialize"], Is.EqualTo((1, 0)), output);
    }

    [Test]
    public async Task ConformanceFixtures_WithoutDemo_AreRefused_AndHelpDoesNotListThem()
    {
        var run = await ProcessRunner.RunAsync("dotnet", [ProcessRunner.McpDll, "--transport", "http", "--conformance-fixtures"], AppContext.BaseDirectory, TimeSpan.FromMinutes(1));
        var help = await ProcessRunner.RunAsync("dotnet", [ProcessRunner.McpDll, "--help"], AppContext.BaseDirectory, TimeSpan.FromMinutes(1));

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.StandardError, Does.Contain("--conformance-fixtures").And.Contain("--demo"));
        Assert.That(help.StandardOutput, Does.Contain("--demo").And.Not.Contain("conformance"));
    }

    private static async Task<(string Output, int ExitCode)> RunSuiteAsync(params string[] serverArguments)
    {
        var interop = await TypeScriptClients.EnsureInstalledAsync();
        await using var server = await DemoMcpProcess.HttpAsync(serverArguments);
        var run = await ProcessRunner.RunAsync(
            TypeScriptClients.Node(interop),
            [Path.Combine(interop, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"), "server", "--url", server.Endpoint!.ToString()],
            interop,
            TimeSpan.FromMinutes(5));
        var output = run.StandardOutput + run.StandardError;
        TestContext.Out.WriteLine(output);
        return (output, run.ExitCode);
    }

    // The suite prints one "✓ <scenario>: N passed, M failed" (or ✗) line per scenario.
    private static Dictionary<string, (int Passed, int Failed)> Scenarios(string output) =>
        ScenarioLine().Matches(output).ToDictionary(m => m.Groups[1].Value, m => (int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"^[^a-zA-Z0-9\n]*([a-z0-9-]+): (\d+) passed, (\d+) failed", RegexOptions.Multiline)]
    private static partial Regex ScenarioLine();
}
