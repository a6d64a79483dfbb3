using MixpanelData.Configuration;

namespace MixpanelData.Http;

/// <summary>
/// Everything the HTTP core needs to talk to one Mixpanel project: who, where, and how politely.
/// </summary>
public sealed record MixpanelClientOptions
{
    /// <summary>The service account and project.</summary>
    public required Credentials Credentials { get; init; }

    /// <summary>The base URLs to call (already resolved for the project's region and any overrides).</summary>
    public required MixpanelEndpoints Endpoints { get; init; }

    /// <summary>A data view (<c>workspace_id</c>) sent with every project-scoped Query API call, if any.</summary>
    public long? WorkspaceId { get; init; }

    /// <summary>Extra headers sent with every request (e.g. an internal-source header for a separate rate-limit bucket).</summary>
    public IReadOnlyDictionary<string, string> DefaultHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>Per-attempt timeout of Query and App API calls, including reading the body. Default 120 s.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Per-attempt timeout of an export request until its response starts. Default 600 s.</summary>
    public TimeSpan ExportTimeout { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>How failed attempts are retried.</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>The client-side rate limits. Defaults mirror Mixpanel's published per-project budgets.</summary>
    public RateLimitOptions RateLimits { get; init; } = new();

    /// <summary>
    /// The longest a call may wait for a rate limit (client-side, or a server <c>Retry-After</c>) before it fails
    /// with <see cref="RateLimitedException"/> carrying the retry time. <see langword="null"/> waits as long as needed.
    /// </summary>
    public TimeSpan? MaxRateLimitWait { get; init; }

    /// <summary>Called whenever a call starts waiting for a rate limit.</summary>
    public Func<RateLimitWait, ValueTask>? OnRateLimitWait { get; init; }

    /// <summary>Called each time a request is sent (retries included), after any rate-limit wait.</summary>
    public Action<ApiCallSent>? OnApiCall { get; init; }

    /// <summary>The innermost handler: <see langword="null"/> for real sockets, or e.g. the in-process emulator.</summary>
    public HttpMessageHandler? PrimaryHandler { get; init; }

    /// <summary>The clock used for timeouts, backoff and rate-limit windows.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks that the values make sense.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message says which.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Credentials);
        ArgumentNullException.ThrowIfNull(Endpoints);
        if (QueryTimeout <= TimeSpan.Zero || ExportTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("QueryTimeout and ExportTimeout must be positive.");
        }

        if (MaxRateLimitWait is { } wait && wait < TimeSpan.Zero)
        {
            throw new ArgumentException("MaxRateLimitWait must not be negative.");
        }

        Retry.Validate();
        RateLimits.Validate();
    }
}

/// <summary>Retry of failed attempts: 429, 5xx, connection failures and per-attempt timeouts. Other 4xx are never retried.</summary>
public sealed record RetryOptions
{
    /// <summary>Retries after the first attempt. Default 4 (5 attempts in all). 0 disables retries.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The first backoff delay; later ones grow exponentially with jitter. Default 1 s.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay (a server <c>Retry-After</c> is honoured even when longer). Default 60 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        if (MaxRetries is < 0 or > 20)
        {
            throw new ArgumentException("Retry.MaxRetries must be between 0 and 20.");
        }

        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            throw new ArgumentException("Retry.BaseDelay must be non-negative and no larger than Retry.MaxDelay.");
        }
    }
}

/// <summary>
/// Client-side rate limits per project (Mixpanel counts per project, not per account). The hourly
/// Query API quota is learned from the server's <c>RateLimit-Policy</c> header when it sends one.
/// </summary>
public sealed record RateLimitOptions
{
    /// <summary>Counted Query API requests per rolling hour. Default 60.</summary>
    public int QueryPerHour { get; init; } = 60;

    /// <summary>Concurrent Query API requests. Default 5.</summary>
    public int QueryConcurrency { get; init; } = 5;

    /// <summary>Export requests per rolling hour. Default 60.</summary>
    public int ExportPerHour { get; init; } = 60;

    /// <summary>Export requests per second. Default 3.</summary>
    public int ExportPerSecond { get; init; } = 3;

    /// <summary>Concurrent export requests. Default 100.</summary>
    public int ExportConcurrency { get; init; } = 100;

    /// <summary>Turns every client-side limit off (for tests and proxies that limit on their own).</summary>
    public bool Disabled { get; init; }

    internal void Validate()
    {
        if (QueryPerHour < 1 || QueryConcurrency < 1 || ExportPerHour < 1 || ExportPerSecond < 1 || ExportConcurrency < 1)
        {
            throw new ArgumentException("Every rate limit must be at least 1.");
        }
    }
}
