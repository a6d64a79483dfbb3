using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

#pragma warning disable MCP9005 // Sampling is deprecated in 2026-07-28 but is what the smart tools use where a client lends its model.

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>ask_mixpanel over Streamable HTTP (mp_mcp --demo --transport http as a real process) with a 2025-06-18 client that lends its model.</summary>
public sealed class AskMixpanelHttpTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Test]
    public async Task AskMixpanel_Http2025WithSampling_RunsTheModelsPlanAndReturnsItsAnswer()
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
            var from = SmartToolClient.LastDay.AddDays(-13).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var to = SmartToolClient.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var plan = JsonSerializer.Serialize(new { steps = new object[] { new { op = "funnel", args = new { funnel_id = 7011, from_date = from, to_date = to, on = "properties[\"platform\"]" } }, new { op = "jql", args = new { script = "x" } } } });
            var prompts = new ConcurrentQueue<string>();
            var options = new McpClientOptions { ProtocolVersion = "2025-06-18" };
            options.Handlers.SamplingHandler = (request, _, _) =>
            {
                prompts.Enqueue(string.Join("\n", request!.Messages.SelectMany(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text)));
                var text = prompts.Count == 1 ? plan : "Android users invite teammates far less often.";
                return ValueTask.FromResult(new CreateMessageResult { Content = [new TextContentBlock { Text = text }], Model = "scripted", Role = Role.Assistant });
            };
            await using var client = await McpClient.CreateAsync(
                new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri($"http://127.0.0.1:{port}/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
                options);

            var asked = await client.CallToolAsync("ask_mixpanel", new Dictionary<string, object?> { ["question"] = "Where does activation break down by platform?" });

            var text = string.Join("\n", asked.Content.OfType<TextContentBlock>().Select(t => t.Text));
            TestContext.Out.WriteLine(text);
            Assert.That(asked.IsError, Is.Not.True, text);
            var result = asked.StructuredContent!.Value;
            Assert.That(result.GetProperty("mode").GetString(), Is.EqualTo("model_plan"));
            Assert.That(result.GetProperty("answer").GetString(), Is.EqualTo("Android users invite teammates far less often."));
            Assert.That(result.GetProperty("rejected")[0].GetProperty("op").GetString(), Is.EqualTo("jql"));
            var segments = result.GetProperty("steps")[0].GetProperty("data").GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("segment").GetString()).ToList();
            Assert.That(segments, Is.SupersetOf(new[] { "web", "iOS", "Android" }));
            Assert.That(prompts, Has.Count.EqualTo(2));
            Assert.That(prompts.Last(), Does.Contain("Android").And.Contain("Refused steps"), "the funnel's results and the refusal went back to the model");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
