using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// The checks every <c>/mcp</c> request passes before the protocol sees it: Host and Origin (DNS rebinding), then
/// the bearer token when one is configured.
/// </summary>
internal sealed class McpHttpRequestGuard
{
    private readonly McpHttpHostOptions _options;
    private readonly bool _loopbackBind;
    private readonly byte[]? _tokenHash;

    public McpHttpRequestGuard(McpHttpHostOptions options)
    {
        _options = options;
        _loopbackBind = McpHttpHostOptions.IsLoopbackName(options.Host);
        _tokenHash = options.BearerToken is { } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;
    }

    /// <summary>Null when the request may proceed; otherwise the refusal to send.</summary>
    public Refusal? Check(HttpRequest request)
    {
        var host = request.Host.Host;
        if (!IsHostAllowed(host))
        {
            return new Refusal(StatusCodes.Status403Forbidden, $"Forbidden: Host '{host}' is not allowed for this server.");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsOriginAllowed(origin))
        {
            return new Refusal(StatusCodes.Status403Forbidden, $"Forbidden: Origin '{origin}' is not allowed; add it to the allowed origins if it is yours.");
        }

        if (_tokenHash is not null)
        {
            var presented = BearerTokenOf(request);
            if (presented is null)
            {
                return new Refusal(StatusCodes.Status401Unauthorized, "Unauthorized: this server requires 'Authorization: Bearer <token>' (the value of MP_MCP_TOKEN).", "Bearer");
            }

            // Comparing fixed-length hashes keeps the comparison constant-time whatever the lengths.
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _tokenHash))
            {
                return new Refusal(StatusCodes.Status401Unauthorized, "Unauthorized: the bearer token does not match MP_MCP_TOKEN.", "Bearer error=\"invalid_token\"");
            }
        }

        return null;
    }

    private bool IsHostAllowed(string host)
    {
        if (_loopbackBind)
        {
            return McpHttpHostOptions.IsLoopbackName(host);
        }

        return _options.AllowedHosts.Count == 0
            || _options.AllowedHosts.Any(allowed => allowed == "*" || string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase));
    }

    private bool IsOriginAllowed(string origin)
    {
        if (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && McpHttpHostOptions.IsLoopbackName(uri.Host))
        {
            return true;
        }

        var normalized = origin.TrimEnd('/');
        return _options.AllowedOrigins.Any(allowed => allowed == "*" || string.Equals(allowed.TrimEnd('/'), normalized, StringComparison.OrdinalIgnoreCase));
    }

    private static string? BearerTokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header.Length > Scheme.Length
            ? header[Scheme.Length..].Trim()
            : null;
    }

    /// <summary>A refused request: the status, the message for the JSON-RPC error body, and a challenge for 401s.</summary>
    public sealed record Refusal(int StatusCode, string Message, string? Challenge = null);
}
