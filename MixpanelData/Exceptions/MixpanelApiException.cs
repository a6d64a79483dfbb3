using System.Net;

namespace MixpanelData;

/// <summary>
/// Mixpanel answered with an error status, or could not be reached. Carries the request path
/// (never credentials or query values that could hold secrets) and an excerpt of the response.
/// </summary>
public abstract class MixpanelApiException : MixpanelException
{
    /// <summary>Creates the exception.</summary>
    protected MixpanelApiException(string message, HttpStatusCode? statusCode, string requestPath, string? mixpanelError, string? responseExcerpt, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        RequestPath = requestPath;
        MixpanelError = mixpanelError;
        ResponseExcerpt = responseExcerpt;
    }

    /// <summary>The HTTP status, or <see langword="null"/> when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The path of the failed request, e.g. <c>/api/query/segmentation</c>.</summary>
    public string RequestPath { get; }

    /// <summary>Mixpanel's own <c>error</c> text, when the body carried one.</summary>
    public string? MixpanelError { get; }

    /// <summary>The first few hundred characters of the response body.</summary>
    public string? ResponseExcerpt { get; }
}

/// <summary>401 (or export's "Unable to authenticate request"): the credentials were refused.</summary>
public sealed class AuthenticationException(string message, HttpStatusCode? statusCode, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, statusCode, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.Authentication;
}

/// <summary>402: the project's plan does not include this API.</summary>
public sealed class PaymentRequiredException(string message, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, HttpStatusCode.PaymentRequired, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.PaymentRequired;
}

/// <summary>403: no permission, or the range reaches further back than the project's history window.</summary>
public sealed class PermissionDeniedException(string message, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, HttpStatusCode.Forbidden, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.PermissionDenied;
}

/// <summary>404: the resource does not exist.</summary>
public sealed class NotFoundException(string message, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, HttpStatusCode.NotFound, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.NotFound;
}

/// <summary>400: Mixpanel rejected a parameter, expression or date; <see cref="MixpanelApiException.MixpanelError"/> says which.</summary>
public sealed class QueryException(string message, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, HttpStatusCode.BadRequest, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.QueryError;
}

/// <summary>412: a JQL script failed. JQL is in maintenance mode at Mixpanel.</summary>
public sealed class JqlException(string message, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, HttpStatusCode.PreconditionFailed, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.JqlError;
}

/// <summary>
/// 429 from Mixpanel after retries, or the client-side rate limiter would have made the call wait
/// longer than allowed. <see cref="RetryAfter"/> says when trying again should succeed.
/// </summary>
public sealed class RateLimitedException(string message, TimeSpan? retryAfter, HttpStatusCode? statusCode, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, statusCode, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.RateLimited;

    /// <summary>How long to wait before trying again, when known.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>5xx from Mixpanel, still failing after retries.</summary>
public sealed class ServerException(string message, HttpStatusCode statusCode, string requestPath, string? mixpanelError, string? responseExcerpt)
    : MixpanelApiException(message, statusCode, requestPath, mixpanelError, responseExcerpt)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.ServerError;
}

/// <summary>The connection failed or timed out, still failing after retries.</summary>
public sealed class TransportException(string message, string requestPath, Exception? innerException)
    : MixpanelApiException(message, null, requestPath, null, null, innerException)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.Transport;
}

/// <summary>A response arrived but could not be understood: an unexpected shape, malformed JSON, or a stream that ended early.</summary>
public sealed class InvalidResponseException(string message, HttpStatusCode? statusCode, string requestPath, string? responseExcerpt, Exception? innerException = null)
    : MixpanelApiException(message, statusCode, requestPath, null, responseExcerpt, innerException)
{
    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.InvalidResponse;
}
