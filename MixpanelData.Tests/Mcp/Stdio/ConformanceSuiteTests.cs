using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// The official conformance suite (<c>@modelcontextprotocol/conformance</c>, pinned in Interop/) against
/// <c>mp_mcp --demo --transport http</c>: every server scenario of its active suite runs, and the run passes only when
/// the failures are exactly the scenarios that call the reference server's fixtures (tools, resources and prompts
/// named <c>test_*</c> / <c>test://…</c>, which a Mixpanel server does not have). A fixture scenario that starts
/// passing, or any other scenario failing, fails the test.
/// </summary>
public sealed class ConformanceSuiteTests
{
    // Each of these asks for a primitive only the suite's reference server defines (e.g. tools/call test_simple_text,
    // resources/read test://static-text, prompts/get test_simple_prompt, completion/complete on test_prompt_with_arguments).
    private static readonly string[] s_fixtureScenarios =
    [
        "completion-complete",
        "tools-call-simple-text", "tools-call-image", "tools-call-audio", "tools-call-embedded-resource", "tools-call-mixed-content",
        "tools-call-with-logging", "tools-call-error", "tools-call-with-progress", "tools-call-sampling", "tools-call-elicitation",
        "elicitation-sep1034-defaults", "elicitation-sep1330-enums",
        "resources-read-text", "resources-read-binary", "resources-templates-read",
        "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource", "prompts-get-with-image",
    ];

    [Test]
    public async Task ServerScenarios_AgainstMpMcpOverHttp_OnlyFixtureScenariosFail()
    {
        var interop = await TypeScriptClients.EnsureInstalledAsync();
        await using var server = await DemoMcpProcess.HttpAsync();
        var baseline = Path.Combine(Path.GetTempPath(), $"mp-mcp-conformance-{Guid.NewGuid():N}.yml");
        await File.WriteAllLinesAsync(baseline, ["server:", .. s_fixtureScenarios.Select(s => $"  - {s}")]);
        try
        {
            var run = await ProcessRunner.RunAsync(
                TypeScriptClients.Node(interop),
                [Path.Combine(interop, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"), "server", "--url", server.Endpoint!.ToString(), "--expected-failures", baseline],
                interop,
                TimeSpan.FromMinutes(5));
            var output = run.StandardOutput + run.StandardError;
            TestContext.Out.WriteLine(output);

            Assert.That(output, Does.Contain("server-initialize: 1 passed, 0 failed"));
            Assert.That(output, Does.Contain("dns-rebinding-protection: 2 passed, 0 failed"));
            Assert.That(output, Does.Contain("Baseline check passed"), "only the fixture scenarios may fail, and all of them must (else the baseline is stale)");
            Assert.That(run.ExitCode, Is.Zero, output);
        }
        finally
        {
            File.Delete(baseline);
        }
    }
}
