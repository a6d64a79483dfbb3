using System.Net;
using System.Text.Json;

namespace MixpanelData.Http;

/// <summary>Turns an error response into the typed exception of its status (reference §4).</summary>
internal static class ErrorMapper
{
    private const int ExcerptLength = 500;

    public static MixpanelApiException Map(HttpStatusCode status, string requestPath, string body, TimeSpan? retryAfter, string? secret)
    {
        var excerpt = Excerpt(body, secret);
        var error = ReadError(body, secret);
        var said = error ?? (excerpt.Length > 0 ? excerpt : null);
        var detail = said is null ? string.Empty : $": {said.TrimEnd().TrimEnd('.')}";
        var code = (int)status;

        if (status == HttpStatusCode.Unauthorized || (code == 400 && body.Contains("Unable to authenticate request", StringComparison.OrdinalIgnoreCase)))
        {
            return new AuthenticationException(
                $"Mixpanel refused the credentials ({code}) at {requestPath}{detail}. Check the service-account username and secret, that it has access to the project, and the region (a wrong region answers 401).",
                status, requestPath, error, excerpt);
        }

        return code switch
        {
            400 => new QueryException($"Mixpanel rejected the request ({code}) at {requestPath}{detail}. Fix the parameter it names and try again.", requestPath, error, excerpt),
            402 => new PaymentRequiredException($"The project's Mixpanel plan does not include this API ({code}) at {requestPath}{detail}.", requestPath, error, excerpt),
            403 => new PermissionDeniedException(
                $"Mixpanel denied access ({code}) at {requestPath}{detail}. The service account may lack permission, or the date range reaches past the project's history window: use a later from_date.",
                requestPath, error, excerpt),
            404 => new NotFoundException($"Mixpanel found nothing at {requestPath} ({code}){detail}. Check the id or name.", requestPath, error, excerpt),
            412 => new JqlException($"The JQL script failed ({code}){detail}. JQL is in maintenance mode at Mixpanel; prefer the segmentation, funnel and retention queries.", requestPath, error, excerpt),
            429 => new RateLimitedException(
                $"Mixpanel's rate limit was hit at {requestPath}{detail}.{(retryAfter is { } ra ? $" Retry after {Math.Ceiling(ra.TotalSeconds):0} s." : string.Empty)}",
                retryAfter, status, requestPath, error, excerpt),
            >= 500 => new ServerException($"Mixpanel failed with {code} at {requestPath}{detail}. It may be a temporary outage; try again later.", status, requestPath, error, excerpt),
            _ => new InvalidResponseException($"Mixpanel answered {code} at {requestPath}{detail}.", status, requestPath, excerpt),
        };
    }

    /// <summary>Mixpanel's <c>error</c> text from a JSON body, or <see langword="null"/> (plain-text bodies, no key).</summary>
    public static string? ReadError(string body, string? secret)
    {
        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String)
            {
                return Scrub(error.GetString()!, secret);
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the excerpt carries the text.
        }

        return null;
    }

    public static string Excerpt(string body, string? secret)
    {
        var text = body.Length > ExcerptLength ? string.Concat(body.AsSpan(0, ExcerptLength), "…") : body;
        return Scrub(text.Trim(), secret);
    }

    /// <summary>Removes the secret should a server (or proxy) ever echo it.</summary>
    public static string Scrub(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, Configuration.Credentials.Redacted, StringComparison.Ordinal);
}
