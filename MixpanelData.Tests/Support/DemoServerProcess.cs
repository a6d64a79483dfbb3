using System.Collections.Concurrent;
using System.Text.Json;
using ModelContextProtocol.Client;

namespace MixpanelData.Tests.Support;

/// <summary>Reading the demo server's audit lines about resource reads (the server itself is started by <see cref="DemoMcpProcess"/>).</summary>
public static class DemoServerProcess
{
    /// <summary>A stdio client of <c>mp_mcp --demo</c>; <paramref name="stderr"/> collects the server's stderr (audit lines included).</summary>
    /// <param name="protocol">"latest" for the client's default revision, or a pinned one such as "2025-06-18".</param>
    public static Task<McpClient> StartStdioAsync(string protocol, ConcurrentQueue<string> stderr, params string[] arguments) =>
        DemoMcpProcess.StdioAsync(protocol, stderr, null, arguments);

    /// <summary>The audit lines of resource reads of <paramref name="uri"/>, in order.</summary>
    public static IReadOnlyList<JsonElement> ResourceAudit(IEnumerable<string> stderr, string uri) =>
        [.. stderr.Where(l => l.StartsWith('{') && l.Contains("\"resource_read\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("uri").GetString() == uri)];

    /// <summary>All Mixpanel requests an audit line counts.</summary>
    public static int Calls(JsonElement auditLine) =>
        auditLine.GetProperty("mixpanel_calls").EnumerateObject().Sum(p => p.Value.GetInt32());
}
