namespace MixpanelData;

/// <summary>
/// The root of every exception this library throws on purpose. <see cref="Code"/> is stable and
/// meant for programs (and MCP tool errors); the message is meant for people and never contains a secret.
/// </summary>
public abstract class MixpanelException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected MixpanelException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>A stable, snake_case code for this kind of failure (e.g. <c>rate_limited</c>).</summary>
    public abstract string Code { get; }
}

/// <summary>Stable values of <see cref="MixpanelException.Code"/>.</summary>
public static class MixpanelErrorCodes
{
    /// <summary>Credentials or configuration are missing or invalid.</summary>
    public const string Configuration = "configuration";
    /// <summary>401, or export's "Unable to authenticate request".</summary>
    public const string Authentication = "authentication";
    /// <summary>402: the plan does not allow this API.</summary>
    public const string PaymentRequired = "payment_required";
    /// <summary>403: no permission, or the date range reaches past the project's history window.</summary>
    public const string PermissionDenied = "permission_denied";
    /// <summary>404: the resource (bookmark, funnel, …) does not exist.</summary>
    public const string NotFound = "not_found";
    /// <summary>400: a bad parameter, expression or date.</summary>
    public const string QueryError = "query_error";
    /// <summary>412: a JQL script failed to compile or run.</summary>
    public const string JqlError = "jql_error";
    /// <summary>429 from Mixpanel, or the client-side limiter's maximum wait was exceeded.</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>5xx from Mixpanel after retries.</summary>
    public const string ServerError = "server_error";
    /// <summary>The connection failed or timed out after retries.</summary>
    public const string Transport = "transport";
    /// <summary>A response could not be understood (unexpected shape, truncated stream).</summary>
    public const string InvalidResponse = "invalid_response";
    /// <summary>An event name is not known to the project or table; the exception suggests close names.</summary>
    public const string EventNotFound = "event_not_found";
    /// <summary>A segmentation expression (<c>where</c>, <c>on</c>) is malformed.</summary>
    public const string InvalidExpression = "invalid_expression";
    /// <summary>The local DuckDB store refused or failed an operation.</summary>
    public const string LocalStore = "local_store";
}
