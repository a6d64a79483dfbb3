using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { ProcessRunner.McpDll, "--demo", "--transport", "http", "--port", port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = await SharedDemo.HomeAsync();
        using var process = Process.Start(start)!;
        var stderr = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            stderr.Enqueue(e.Data);
            if (e.Data.Contains("Streamable HTTP at", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
            var prompts = new ConcurrentQueue<string>();
            await using var client = await McpClient.CreateAsync(
                new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri($"http://127.0.0.1:{port}/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
                new McpClientOptions { ProtocolVersion = "2025-06-18", Handlers = new McpClientHandlers { SamplingHandler = SmartToolsStdioTests.Fixed(prompts) } });

            var diagnosis = await SmartToolsStdioTests.CallAsync(client, "diagnose_metric_drop", SmartToolsStdioTests.DiagnoseSignUps());

            var narrative = diagnosis.GetProperty("narrative");
            Assert.That(narrative.GetProperty("text").GetString(), Is.EqualTo(SmartToolsStdioTests.FixedNarrative));
            Assert.That(narrative.GetProperty("source").GetString(), Is.EqualTo("client_sampling"));
            Assert.That(prompts, Has.Count.EqualTo(1));
            SmartToolsStdioTests.AssertSafariFirst(diagnosis);
            await SmartToolsStdioTests.AssertSpendMatchesAuditAsync(stderr, ("diagnose_metric_drop", diagnosis));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
