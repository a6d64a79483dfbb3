using System.Net;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// How <see cref="McpHttpHost"/> listens and whom it lets in. Defaults are safe for a laptop: loopback only,
/// loopback origins only, no token, sessions idle out after 30 minutes.
/// </summary>
public sealed record McpHttpHostOptions
{
    /// <summary>The address to bind, e.g. <c>127.0.0.1</c>, <c>::1</c>, <c>localhost</c> or <c>0.0.0.0</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (see <see cref="McpHttpHost.Port"/>).</summary>
    public int Port { get; init; } = 8000;

    /// <summary>
    /// Must be set to bind anything but loopback: a non-loopback bind exposes every tool to the network, so it has
    /// to be asked for explicitly (the CLI sets it when <c>--host</c> names such an address).
    /// </summary>
    public bool AllowNonLoopbackBind { get; init; }

    /// <summary>
    /// When set (from <c>MP_MCP_TOKEN</c>), every <c>/mcp</c> request must carry <c>Authorization: Bearer</c> with
    /// this value. <c>/healthz</c> stays open.
    /// </summary>
    public string? BearerToken { get; init; }

    /// <summary>
    /// Browser origins allowed besides loopback ones (<c>http(s)://localhost|127.0.0.1|[::1]</c> on any port, which are
    /// always allowed), written as <c>scheme://host[:port]</c>; <c>*</c> allows any origin. A request without an
    /// <c>Origin</c> header (every non-browser client) is not affected.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Host header values (host names, without port) accepted when bound beyond loopback; empty accepts any.
    /// On a loopback bind only loopback names are accepted, whatever this says, which defeats DNS rebinding.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>
    /// A session with nothing in flight (no request, no open GET stream) for this long is ended; the SDK looks every
    /// 5 seconds.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The most idle sessions kept at once; at the limit a new session makes the longest-idle one end.</summary>
    public int MaxSessions { get; init; } = 1000;

    /// <summary>How often an otherwise silent SSE response gets a <c>: keep-alive</c> comment.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The largest request body accepted (one JSON-RPC message); larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long shutdown waits for requests in flight (running tools) before it aborts them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The version reported by <c>/healthz</c>.</summary>
    public string Version { get; init; } = typeof(McpHttpHostOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The clock for idle expiry and keep-alives.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Whether <paramref name="host"/> names this machine only.</summary>
    internal static bool IsLoopbackName(string host)
    {
        var name = host.Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    internal void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "The port must be between 0 and 65535.");
        }

        if (!IsLoopbackName(Host) && !AllowNonLoopbackBind)
        {
            throw new ArgumentException(
                $"Binding to {Host} exposes the server beyond this machine; allow it explicitly (and set MP_MCP_TOKEN).",
                nameof(Host));
        }

        if (IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "The idle timeout must be positive.");
        }

        if (MaxSessions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSessions), MaxSessions, "At least one session must be allowed.");
        }

        if (KeepAliveInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, "The keep-alive interval must be positive.");
        }

        if (MaxRequestBodyBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, "The request size limit must be at least 1024 bytes.");
        }

        if (BearerToken is { Length: 0 })
        {
            throw new ArgumentException("The bearer token is empty; leave MP_MCP_TOKEN unset or give it a value.", nameof(BearerToken));
        }
    }
}
