namespace MixpanelData.Http;

/// <summary>Which limit made a call wait.</summary>
public enum RateLimitKind
{
    /// <summary>The rolling-hour budget (Query API 60/h, export 60/h by default).</summary>
    Hourly,

    /// <summary>Export's 3 requests per second.</summary>
    PerSecond,

    /// <summary>All concurrent slots for the project are taken (Query API 5, export 100).</summary>
    Concurrency,

    /// <summary>Mixpanel answered 429 and the call waits for its <c>Retry-After</c> before retrying.</summary>
    Server,
}

/// <summary>
/// Told to <see cref="MixpanelClientOptions.OnRateLimitWait"/> when a call is about to wait for a rate limit,
/// so that a caller can say "waiting 42 s for the rate limit" instead of looking hung.
/// </summary>
/// <param name="Family">The API family whose limit applies.</param>
/// <param name="Kind">Which limit.</param>
/// <param name="EstimatedWait">How long the wait should last, when it can be known (not for concurrency).</param>
/// <param name="RequestPath">The path of the call that waits, e.g. <c>/api/query/segmentation</c>.</param>
public sealed record RateLimitWait(ApiFamily Family, RateLimitKind Kind, TimeSpan? EstimatedWait, string RequestPath)
{
    /// <summary>A one-line description such as <c>waiting 42 s for the Query API hourly rate limit</c>.</summary>
    public override string ToString()
    {
        var what = Kind switch
        {
            RateLimitKind.Hourly => "hourly rate limit",
            RateLimitKind.PerSecond => "per-second rate limit",
            RateLimitKind.Concurrency => "a free concurrent-request slot",
            RateLimitKind.Server => "Mixpanel's Retry-After after a 429",
            _ => "the rate limit",
        };
        var family = Family switch { ApiFamily.Query => "Query API", ApiFamily.Export => "Export API", _ => "App API" };
        return EstimatedWait is { } wait
            ? $"waiting {Math.Ceiling(wait.TotalSeconds):0} s for the {family} {what} ({RequestPath})"
            : $"waiting for {what} of the {family} ({RequestPath})";
    }
}
