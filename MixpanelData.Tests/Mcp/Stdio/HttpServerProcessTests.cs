using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary><c>mp_mcp --demo --transport http</c> as a real process, reached by the SDK's HTTP client in both protocol eras.</summary>
public sealed class HttpServerProcessTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Test]
    public async Task DemoOverHttp_BothEras_ListAndCallTools()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { ProcessRunner.McpDll, "--demo", "--transport", "http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
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
            using var http = new HttpClient();
            var health = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));

            foreach (var protocol in new[] { "2025-06-18", null })
            {
                await using var client = await McpClient.CreateAsync(
                    new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri($"http://127.0.0.1:{port}/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
                    new McpClientOptions { ProtocolVersion = protocol });
                var tools = await client.ListToolsAsync();
                var info = await client.CallToolAsync("workspace_info");
                var events = await client.CallToolAsync("list_events");

                Assert.That(tools, Has.Count.GreaterThanOrEqualTo(38), protocol ?? "latest");
                Assert.That(info.StructuredContent!.Value.GetProperty("demo").GetBoolean(), Is.True);
                Assert.That(events.IsError, Is.Not.True, string.Join("\n", events.Content.OfType<TextContentBlock>().Select(t => t.Text)));
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/mcp") { Content = new StringContent("{}") };
            request.Headers.TryAddWithoutValidation("Origin", "http://evil.example");
            var refused = await http.SendAsync(request);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "DNS-rebinding origins are refused");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
