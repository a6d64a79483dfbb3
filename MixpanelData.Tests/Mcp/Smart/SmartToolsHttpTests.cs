using System.Collections.Concurrent;
using System.Globalization;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;

#pragma warning disable MCP9005 // Sampling is what this test exercises.

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary><c>diagnose_metric_drop</c> over Streamable HTTP (a stateful 2025-06-18 session), with the client's model sampled over the session's stream.</summary>
public sealed class SmartToolsHttpTests
{
    [Test]
    public async Task DiagnoseOverHttp_HandshakeEra_NarrativeComesFromTheClientsSampling()
    {
        await using var server = await DemoMcpProcess.HttpAsync();
        var stderr = server.StandardError;
        var prompts = new ConcurrentQueue<string>();
        await using var client = await server.ConnectAsync("2025-06-18", new McpClientHandlers { SamplingHandler = SmartToolsStdioTests.Fixed(prompts) });

        var diagnosis = await SmartToolsStdioTests.CallAsync(client, "diagnose_metric_drop", SmartToolsStdioTests.DiagnoseSignUps());

        var narrative = diagnosis.GetProperty("narrative");
        Assert.That(narrative.GetProperty("text").GetString(), Is.EqualTo(SmartToolsStdioTests.FixedNarrative));
        Assert.That(narrative.GetProperty("source").GetString(), Is.EqualTo("client_sampling"));
        Assert.That(prompts, Has.Count.EqualTo(1));
        SmartToolsStdioTests.AssertSafariFirst(diagnosis);
        await SmartToolsStdioTests.AssertSpendMatchesAuditAsync(stderr, ("diagnose_metric_drop", diagnosis));
    }
}
