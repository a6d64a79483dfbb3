using System.Threading.RateLimiting;

namespace MixpanelData.Http;

/// <summary>
/// The client-side budgets of one project, per API family. Share one instance among every client of the
/// same project in a process: Mixpanel counts per project, whichever account or client calls.
/// Calls queue rather than fail; waits are reported and can be capped.
/// </summary>
public sealed class MixpanelRateLimiter : IAsyncDisposable
{
    // The first path segments the Query API counts against the hourly budget (reference §5.2).
    private static readonly HashSet<string> CountedQuerySegments = new(StringComparer.Ordinal)
    {
        "arb_funnels", "cohorts", "correlate", "custom-query", "data_definitions", "engage", "events",
        "experiments", "flows", "formulas", "funnels", "impact", "insights", "metrics", "query",
        "integrations", "jql", "retention", "segmentation", "stream", "trends",
    };

    // Export's "3 per second" is counted here when a request is admitted, by Mixpanel when it arrives: with several
    // windows downloading at once, a first request that takes longer to arrive than a fourth would land inside
    // Mixpanel's second (a 429). The quarter-second margin absorbs that jitter.
    private static readonly TimeSpan ExportSecond = TimeSpan.FromMilliseconds(1250);

    private readonly bool _disabled;
    private readonly ConcurrencyLimiter _queryConcurrency;
    private readonly RollingWindowRateLimiter _queryHourly;
    private readonly ConcurrencyLimiter _exportConcurrency;
    private readonly RollingWindowRateLimiter _exportPerSecond;
    private readonly RollingWindowRateLimiter _exportHourly;

    /// <summary>Creates the budgets of one project.</summary>
    public MixpanelRateLimiter(RateLimitOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var time = timeProvider ?? TimeProvider.System;
        _disabled = options.Disabled;
        _queryConcurrency = Concurrency(options.QueryConcurrency);
        _queryHourly = new RollingWindowRateLimiter(options.QueryPerHour, TimeSpan.FromHours(1), time);
        _exportConcurrency = Concurrency(options.ExportConcurrency);
        _exportPerSecond = new RollingWindowRateLimiter(options.ExportPerSecond, ExportSecond, time);
        _exportHourly = new RollingWindowRateLimiter(options.ExportPerHour, TimeSpan.FromHours(1), time);
    }

    /// <summary>The Query API's hourly quota now in force (learned from <c>RateLimit-Policy</c> when the server sends it).</summary>
    public int QueryHourlyQuota => _queryHourly.Quota;

    /// <summary>Counted Query API requests still available in the current rolling hour.</summary>
    public int QueryHourlyRemaining => (int)(_queryHourly.GetStatistics()?.CurrentAvailablePermits ?? 0);

    /// <summary>
    /// The Export API's rolling-hour budget as it stands: its quota, the requests still free in the current hour, and how
    /// long the last of <paramref name="requests"/> more export requests would wait for it (zero when they all fit; behind
    /// any requests already queued). <see langword="null"/> when the client-side limits are off.
    /// </summary>
    internal (int Quota, int Remaining, TimeSpan Wait)? ExportHourly(int requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        if (_disabled)
        {
            return null;
        }

        var remaining = (int)(_exportHourly.GetStatistics()?.CurrentAvailablePermits ?? 0);
        return (_exportHourly.Quota, remaining, requests == 0 ? TimeSpan.Zero : _exportHourly.EstimateWait(requests));
    }

    /// <summary>Whether a Query API request to <paramref name="relativePath"/> counts against the hourly budget.</summary>
    /// <param name="relativePath">The path below the Query API base, e.g. <c>segmentation</c> or <c>engage</c>.</param>
    /// <param name="hasSessionId">Whether the request carries a non-empty engage <c>session_id</c> (later pages are free).</param>
    public static bool IsCountedQuery(string relativePath, bool hasSessionId)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var trimmed = relativePath.Trim('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? trimmed : trimmed[..slash];
        if (!CountedQuerySegments.Contains(first))
        {
            return false;
        }

        if (first == "engage" && (hasSessionId || trimmed.StartsWith("engage/aliases", StringComparison.Ordinal)))
        {
            return false;
        }

        return true;
    }

    /// <summary>Adopts the hourly quota a <c>RateLimit-Policy</c> header states, if any.</summary>
    internal void Learn(ApiFamily family, string? rateLimitPolicy)
    {
        if (family == ApiFamily.Query && RateLimitPolicy.HourlyQuota(rateLimitPolicy) is { } quota && quota != _queryHourly.Quota)
        {
            _queryHourly.Quota = quota;
        }
    }

    /// <summary>
    /// Waits for every budget the request needs. The returned lease holds a concurrent slot until disposed.
    /// </summary>
    internal async ValueTask<IDisposable> AcquireAsync(
        ApiFamily family,
        bool counted,
        string requestPath,
        TimeSpan? maxWait,
        Func<RateLimitWait, ValueTask>? onWait,
        CancellationToken cancellationToken)
    {
        if (_disabled || family == ApiFamily.App)
        {
            return NoLease.Instance;
        }

        var concurrency = family == ApiFamily.Query ? _queryConcurrency : _exportConcurrency;
        var slot = await AcquireSlotAsync(concurrency, family, requestPath, maxWait, onWait, cancellationToken).ConfigureAwait(false);
        try
        {
            if (family == ApiFamily.Export)
            {
                await AcquireWindowAsync(_exportHourly, RateLimitKind.Hourly, family, requestPath, maxWait, onWait, cancellationToken).ConfigureAwait(false);
                await AcquireWindowAsync(_exportPerSecond, RateLimitKind.PerSecond, family, requestPath, maxWait, onWait, cancellationToken).ConfigureAwait(false);
            }
            else if (counted)
            {
                await AcquireWindowAsync(_queryHourly, RateLimitKind.Hourly, family, requestPath, maxWait, onWait, cancellationToken).ConfigureAwait(false);
            }

            return slot;
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _queryConcurrency.DisposeAsync().ConfigureAwait(false);
        await _queryHourly.DisposeAsync().ConfigureAwait(false);
        await _exportConcurrency.DisposeAsync().ConfigureAwait(false);
        await _exportPerSecond.DisposeAsync().ConfigureAwait(false);
        await _exportHourly.DisposeAsync().ConfigureAwait(false);
    }

    private static async ValueTask<IDisposable> AcquireSlotAsync(
        ConcurrencyLimiter limiter, ApiFamily family, string requestPath, TimeSpan? maxWait, Func<RateLimitWait, ValueTask>? onWait, CancellationToken cancellationToken)
    {
        var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        if (onWait is not null)
        {
            await onWait(new RateLimitWait(family, RateLimitKind.Concurrency, null, requestPath)).ConfigureAwait(false);
        }

        using var timeout = maxWait is { } limit ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        timeout?.CancelAfter(maxWait!.Value);
        try
        {
            lease = await limiter.AcquireAsync(1, timeout?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RateLimitedException(
                $"Gave up after waiting {maxWait!.Value.TotalSeconds:0} s for a free concurrent-request slot of the {family} API ({requestPath}); too many calls are running for this project.",
                null, null, requestPath, null, null);
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new RateLimitedException($"The {family} API concurrency queue refused {requestPath}.", null, null, requestPath, null, null);
        }

        return lease;
    }

    private static async ValueTask AcquireWindowAsync(
        RollingWindowRateLimiter limiter, RateLimitKind kind, ApiFamily family, string requestPath, TimeSpan? maxWait, Func<RateLimitWait, ValueTask>? onWait, CancellationToken cancellationToken)
    {
        using (var lease = limiter.AttemptAcquire())
        {
            if (lease.IsAcquired)
            {
                return;
            }
        }

        var estimate = limiter.EstimateWait();
        if (maxWait is { } limit && estimate > limit)
        {
            throw new RateLimitedException(
                $"The {family} API budget of {limiter.Quota} requests per {Describe(limiter.Window)} is spent for this project; the next slot frees in {Math.Ceiling(estimate.TotalSeconds):0} s, longer than the allowed wait of {limit.TotalSeconds:0} s. Try again later or use local tools on fetched data.",
                estimate, null, requestPath, null, null);
        }

        if (onWait is not null)
        {
            await onWait(new RateLimitWait(family, kind, estimate, requestPath)).ConfigureAwait(false);
        }

        using var granted = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(TimeSpan window) => window == TimeSpan.FromHours(1) ? "hour" : window == TimeSpan.FromSeconds(1) || window == ExportSecond ? "second" : $"{window.TotalSeconds:0} s";

    private static ConcurrencyLimiter Concurrency(int permits) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private sealed class NoLease : IDisposable
    {
        public static readonly NoLease Instance = new();

        public void Dispose()
        {
        }
    }
}
