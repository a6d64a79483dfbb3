using System.Threading.RateLimiting;

namespace MixpanelData.Http;

/// <summary>
/// A rate limiter that allows <see cref="Quota"/> permits in any rolling <c>window</c>, the way
/// Mixpanel counts queries ("60 in the last hour"), driven by an injectable <see cref="TimeProvider"/>.
/// Waiters are served first come, first served; <see cref="RateLimiter.AttemptAcquire"/> never jumps the queue.
/// The quota can change while running (learned from the server).
/// </summary>
internal sealed class RollingWindowRateLimiter : RateLimiter
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly Queue<long> _stamps = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _lock = new();
    private int _quota;
    private int _waiters;
    private long _lastUse;
    private long _successfulLeases;
    private long _failedLeases;
    private bool _disposed;

    public RollingWindowRateLimiter(int quota, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quota, 1);
        _quota = quota;
        _window = window;
        _time = time;
        _lastUse = time.GetTimestamp();
    }

    /// <summary>Permits per window. Setting it takes effect for the next acquisition.</summary>
    public int Quota
    {
        get { lock (_lock) { return _quota; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (_lock) { _quota = value; }
        }
    }

    public TimeSpan Window => _window;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                Prune();
                return _stamps.Count == 0 && _waiters == 0 ? _time.GetElapsedTime(_lastUse) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Prune();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = Math.Max(0, _quota - _stamps.Count),
                CurrentQueuedCount = _waiters,
                TotalSuccessfulLeases = _successfulLeases,
                TotalFailedLeases = _failedLeases,
            };
        }
    }

    /// <summary>How long a new request for <paramref name="permitCount"/> permits would wait now, behind the current waiters.</summary>
    public TimeSpan EstimateWait(int permitCount = 1)
    {
        lock (_lock)
        {
            return EstimateLocked(permitCount + _waiters);
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ValidatePermits(permitCount);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_waiters == 0 && TryTakeLocked(permitCount))
            {
                return Lease.Granted;
            }

            _failedLeases++;
            return new Lease(false, EstimateLocked(permitCount + _waiters));
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ValidatePermits(permitCount);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_waiters == 0 && TryTakeLocked(permitCount))
            {
                return Lease.Granted;
            }

            _waiters++;
        }

        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (true)
                {
                    TimeSpan wait;
                    lock (_lock)
                    {
                        ObjectDisposedException.ThrowIf(_disposed, this);
                        if (TryTakeLocked(permitCount))
                        {
                            return Lease.Granted;
                        }

                        wait = EstimateLocked(permitCount);
                    }

                    await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _turn.Release();
            }
        }
        finally
        {
            lock (_lock)
            {
                _waiters--;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _disposed = true;
            }
        }

        base.Dispose(disposing);
    }

    private bool TryTakeLocked(int permitCount)
    {
        Prune();
        if (_stamps.Count + permitCount > _quota)
        {
            return false;
        }

        var now = _time.GetTimestamp();
        for (var i = 0; i < permitCount; i++)
        {
            _stamps.Enqueue(now);
        }

        _lastUse = now;
        _successfulLeases++;
        return true;
    }

    // The wait until `needed` more permits fit: the stamp whose expiry frees the last of them.
    // Beyond the stamps we hold, whole windows are added (more waiters than one window serves).
    private TimeSpan EstimateLocked(int needed)
    {
        Prune();
        var excess = _stamps.Count + needed - _quota;
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        if (_stamps.Count == 0)
        {
            return _window * Math.Ceiling((double)excess / _quota);
        }

        var index = (excess - 1) % _stamps.Count;
        var rounds = (excess - 1) / Math.Max(_quota, 1);
        var stamp = _stamps.ElementAt(index);
        var remaining = _window - _time.GetElapsedTime(stamp);
        return (remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining) + (_window * rounds);
    }

    private void Prune()
    {
        while (_stamps.Count > 0 && _time.GetElapsedTime(_stamps.Peek()) >= _window)
        {
            _stamps.Dequeue();
        }
    }

    private void ValidatePermits(int permitCount)
    {
        if (permitCount < 1 || permitCount > _quota)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"Between 1 and the quota ({_quota}) permits may be requested at once.");
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } value && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = value;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
