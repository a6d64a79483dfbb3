using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// Protocol-version rules of the <c>2026-07-28</c> revision that the SDK's endpoint does not enforce itself. A request
/// whose body speaks <c>2026-07-28</c> (its <c>_meta</c> names the revision) but whose <c>MCP-Protocol-Version</c>
/// header is missing may only be refused or treated as <c>2025-03-26</c>; treating it as <c>2025-03-26</c> would give a
/// sessionless client a session-era answer it cannot use, so it is refused with a 400 that says which header to send.
/// (Missing <c>_meta</c> client capabilities under the header already get the SDK's 400.)
/// </summary>
internal static class McpProtocolConformance
{
    public const string ProtocolVersionMetaKey = "io.modelcontextprotocol/protocolVersion";

    /// <summary>Rules only look at bodies up to this size; larger ones go to the SDK unread.</summary>
    private const int MaxInspectedBytes = 1 << 20;

    /// <summary>Null when the request may go on to the SDK; otherwise why not.</summary>
    public static async Task<Violation?> CheckPostAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers[McpHttpMiddleware.ProtocolVersionHeader].ToString().Length > 0
            || request.ContentLength is > MaxInspectedBytes)
        {
            return null;
        }

        // The body is read here and again by the SDK, so it is buffered and rewound.
        request.EnableBuffering(MaxInspectedBytes);
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            body = null; // The SDK answers malformed bodies.
        }
        finally
        {
            request.Body.Position = 0;
        }

        if (body is not JsonObject message
            || message["params"] is not JsonObject parameters
            || parameters["_meta"] is not JsonObject meta
            || meta[ProtocolVersionMetaKey] is not JsonValue value
            || !value.TryGetValue(out string? version)
            || string.CompareOrdinal(version, "2026-07-28") < 0)
        {
            return null;
        }

        return new Violation(
            -32022,
            $"Bad Request: this request speaks protocol version '{version}' (params._meta) but has no {McpHttpMiddleware.ProtocolVersionHeader} header; "
                + $"send {McpHttpMiddleware.ProtocolVersionHeader}: {version} with every request of that revision.",
            message["id"]);
    }

    /// <summary>A refused request: the JSON-RPC error code, the message, and the request's id to echo.</summary>
    public sealed record Violation(int Code, string Message, JsonNode? Id);
}
