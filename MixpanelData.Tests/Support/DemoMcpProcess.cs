using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Support;

/// <summary>
/// The built <c>mp_mcp --demo</c> as a child process: over stdio (one client per process) or over HTTP (any number of
/// clients), with its stderr (audit lines included) captured.
/// </summary>
public sealed class DemoMcpProcess : IAsyncDisposable
{
    private readonly Process? _process;

    private DemoMcpProcess(Process? process, Uri? endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>The process's stderr lines so far.</summary>
    public ConcurrentQueue<string> StandardError { get; } = new();

    /// <summary>The server process's id (HTTP servers).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Stdio clients own their process.");

    /// <summary>The <c>/mcp</c> endpoint of an HTTP server; null over stdio.</summary>
    public Uri? Endpoint { get; }

    /// <summary>A client that spawns its own <c>mp_mcp --demo</c> over stdio; <paramref name="protocol"/> "latest" (or null) lets the SDK pick 2026-07-28.</summary>
    public static Task<McpClient> StdioAsync(string? protocol, ConcurrentQueue<string> stderr, McpClientHandlers? handlers = null, params string[] arguments) =>
        StdioWithConfigAsync(protocol, stderr, handlers, configPath: null, arguments);

    /// <summary>As <see cref="StdioAsync(string?, ConcurrentQueue{string}, McpClientHandlers?, string[])"/>, with <c>MP_CONFIG_PATH</c> at <paramref name="configPath"/> (null: a file that does not exist).</summary>
    public static async Task<McpClient> StdioWithConfigAsync(string? protocol, ConcurrentQueue<string> stderr, McpClientHandlers? handlers, string? configPath, params string[] arguments)
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
                ["MP_CONFIG_PATH"] = configPath ?? Path.Combine(home, "no-config.toml"),
            },
            StandardErrorLines = stderr.Enqueue,
            Name = "mp_mcp",
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocol is null or "latest" ? null : protocol, Handlers = handlers ?? new McpClientHandlers() });
    }

    /// <summary>Starts <c>mp_mcp --demo --transport http</c> (plus <paramref name="extraArguments"/>) on a free loopback port and waits until it serves.</summary>
    public static async Task<DemoMcpProcess> HttpAsync(params string[] extraArguments)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])[ProcessRunner.McpDll, "--demo", "--transport", "http", "--port", port.ToString(CultureInfo.InvariantCulture), .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "MP_USERNAME", "MP_SECRET", "MP_PROJECT_ID", "MP_REGION" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = await SharedDemo.HomeAsync();
        var process = Process.Start(start)!;
        var server = new DemoMcpProcess(process, new Uri($"http://127.0.0.1:{port}/mcp"));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            server.StandardError.Enqueue(e.Data);
            if (e.Data.Contains("Streamable HTTP at", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
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

    /// <summary>A client of this HTTP server.</summary>
    public Task<McpClient> ConnectAsync(string? protocol, McpClientHandlers? handlers = null) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = Endpoint!, TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions { ProtocolVersion = protocol is null or "latest" ? null : protocol, Handlers = handlers ?? new McpClientHandlers() });

    /// <summary>
    /// The Query API requests that the audit line of the latest matching call of <paramref name="tool"/> says it really sent.
    /// Waits briefly for the line: stderr is read apart from the protocol stream.
    /// </summary>
    public static async Task<int> AuditedQueryCallsAsync(IEnumerable<string> stderr, string tool, string? containing = null, int skip = 0)
    {
        bool Matches(string l) => l.Contains($"\"tool\":\"{tool}\"", StringComparison.Ordinal) && (containing is null || l.Contains(containing, StringComparison.Ordinal));
        for (var waited = 0; waited < 50 && stderr.Count(Matches) <= skip; waited++)
        {
            await Task.Delay(100);
        }

        var line = stderr.Where(Matches).Skip(skip).First();
        using var audit = JsonDocument.Parse(line);
        return audit.RootElement.GetProperty("mixpanel_calls").GetProperty("query").GetInt32();
    }

    public static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
