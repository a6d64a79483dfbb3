using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// The standard request headers of the <c>2026-07-28</c> revision (SEP-2243): every request and notification carries
/// <c>Mcp-Method</c> equal to its JSON-RPC method, and <c>tools/call</c>, <c>prompts/get</c> and <c>resources/read</c>
/// carry <c>Mcp-Name</c> equal to <c>params.name</c> (or <c>params.uri</c>), Base64-wrapped (<c>=?base64?…?=</c>) when
/// the value is not plain ASCII. Proxies route on these headers, so a request whose headers and body disagree is
/// refused (400, -32020 HeaderMismatch) rather than served. Earlier revisions do not require the headers.
/// </summary>
internal static class McpStandardHeaders
{
    public const string MethodHeader = "Mcp-Method";
    public const string NameHeader = "Mcp-Name";

    /// <summary>Why the headers of <paramref name="message"/> are not acceptable under <paramref name="protocolVersion"/>, or null when they are.</summary>
    public static string? Check(HttpRequest request, JsonRpcMessage message, string? protocolVersion)
    {
        // Revisions are dates, so ordinal order is release order.
        if (protocolVersion is null || string.CompareOrdinal(protocolVersion, McpHttpEndpoint.SessionlessRevision) < 0)
        {
            return null;
        }

        var (method, parameters) = message switch
        {
            JsonRpcRequest r => (r.Method, r.Params),
            JsonRpcNotification n => (n.Method, n.Params),
            _ => (null, null),
        };
        if (method is null)
        {
            return null;
        }

        if (!request.Headers.TryGetValue(MethodHeader, out var methodValues))
        {
            return $"Header mismatch: the {MethodHeader} header is required from protocol {McpHttpEndpoint.SessionlessRevision} on; send {MethodHeader}: {method}.";
        }

        var methodHeader = methodValues.ToString().Trim();
        if (!string.Equals(methodHeader, method, StringComparison.Ordinal))
        {
            return $"Header mismatch: the {MethodHeader} header is '{methodHeader}' but the body's method is '{method}'.";
        }

        var field = method switch
        {
            RequestMethods.ToolsCall or RequestMethods.PromptsGet => "name",
            RequestMethods.ResourcesRead => "uri",
            _ => null,
        };
        if (field is null)
        {
            return null;
        }

        if (!request.Headers.TryGetValue(NameHeader, out var nameValues))
        {
            return $"Header mismatch: {method} needs the {NameHeader} header, equal to params.{field}.";
        }

        var nameHeader = nameValues.ToString().Trim();
        if (nameHeader.Any(c => c is not ('\t' or (>= ' ' and <= '~'))))
        {
            return $"Header mismatch: the {NameHeader} header holds characters a header may not carry; send non-ASCII values Base64-encoded as =?base64?…?=.";
        }

        var name = McpHeaderEncoder.DecodeValue(nameHeader);
        if (name is null)
        {
            return $"Header mismatch: the {NameHeader} header is not valid =?base64?…?= encoding.";
        }

        var body = (parameters as JsonObject)?[field] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
        return string.Equals(name, body, StringComparison.Ordinal)
            ? null
            : $"Header mismatch: the {NameHeader} header is '{name}' but params.{field} is '{body}'.";
    }
}
