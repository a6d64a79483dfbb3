using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ModelContextProtocol.Client;

namespace MixpanelData.Tests.Support;

/// <summary>Starts the built <c>mp_mcp --demo</c> as a child process and connects the SDK's real client, over stdio or HTTP.</summary>
public static class DemoServerProcess
{
    /// <summary>A stdio client of <c>mp_mcp --demo</c>; <paramref name="stderr"/> collects the server's stderr (audit lines included).</summary>
    /// <param name="protocol">"latest" for the client's default revision, or a pinned one such as "2025-06-18".</param>
    public static async Task<McpClient> StartStdioAsync(string protocol, ConcurrentQueue<string> stderr, params string[] arguments)
    {
        var home = await SharedDemo.HomeAsync();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [ProcessRunner.McpDll, "--demo", .. arguments],
            EnvironmentVariables = new Dictionary<string, string?>
            {
                ["HOME"] = home,
                ["MP_USERNAME"] = null,
                ["MP_SECRET"] = null,
                ["MP_PROJECT_ID"] = null,
                ["MP_REGION"] = null,
                ["MP_CONFIG_PATH"] = Path.Combine(home, "no-config.toml"),
            },
            StandardErrorLines = stderr.Enqueue,
            Name = "mp_mcp",
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocol == "latest" ? null : protocol });
    }

    /// <summary>Starts <c>mp_mcp --demo --transport http</c> on a free loopback port and waits until it listens.</summary>
    public static async Task<HttpServer> StartHttpAsync()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { ProcessRunner.McpDll, "--demo", "--transport", "http", "--port", port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = await SharedDemo.HomeAsync();
        var process = Process.Start(start)!;
        var server = new HttpServer(process, new Uri($"http://127.0.0.1:{port}/mcp"));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            server.Stderr.Enqueue(e.Data);
            if (e.Data.Contains("Streamable HTTP at", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>The audit lines of resource reads of <paramref name="uri"/>, in order.</summary>
    public static IReadOnlyList<JsonElement> ResourceAudit(IEnumerable<string> stderr, string uri) =>
        [.. stderr.Where(l => l.StartsWith('{') && l.Contains("\"resource_read\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("uri").GetString() == uri)];

    /// <summary>All Mixpanel requests an audit line counts.</summary>
    public static int Calls(JsonElement auditLine) =>
        auditLine.GetProperty("mixpanel_calls").EnumerateObject().Sum(p => p.Value.GetInt32());

    /// <summary>A running HTTP server process; disposing kills it.</summary>
    public sealed class HttpServer(Process process, Uri endpoint) : IAsyncDisposable
    {
        public Uri Endpoint { get; } = endpoint;

        public ConcurrentQueue<string> Stderr { get; } = new();

        public Task<McpClient> ConnectAsync(string? protocol) => McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = Endpoint, TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions { ProtocolVersion = protocol });

        public async ValueTask DisposeAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
