using System.Globalization;
using System.Net;

namespace MixpanelData.Emulation;

/// <summary>
/// The emulator's own per-project budgets, counted and answered as Mixpanel does (reference §5): a rolling
/// hour of counted Query API requests plus a concurrency limit, and export's hour, second and concurrency limits.
/// </summary>
internal sealed class EmulatorRateLimits(EmulatorOptions options, long projectId)
{
    private readonly Lock _lock = new();
    private readonly Queue<long> _queryStamps = new();
    private readonly Queue<long> _exportHour = new();
    private readonly Queue<long> _exportSecond = new();
    private int _queryRunning;
    private int _exportRunning;

    public string PolicyHeader =>
        $"\"project\";q={options.QueryPerHour};w=3600, \"project-concurrency\";q={options.QueryConcurrency};qu=\"concurrent-requests\"";

    /// <summary>Admits a Query API request or throws the 429 Mixpanel would answer. Dispose the result when the request ends.</summary>
    public IDisposable EnterQuery(bool counted)
    {
        if (!options.EnforceRateLimits)
        {
            return Release.None;
        }

        var time = options.TimeProvider;
        lock (_lock)
        {
            Prune(_queryStamps, TimeSpan.FromHours(1));
            var remaining = options.QueryPerHour - _queryStamps.Count;
            if (_queryRunning >= options.QueryConcurrency)
            {
                throw Limited(
                    10,
                    $"\"project\";r={Math.Max(0, remaining)}, \"project-concurrency\";r=0;t=10",
                    $"Query rate limit exceeded for project_id: {projectId}. This request exceeded the concurrency limit ({_queryRunning + 1}/{options.QueryConcurrency} queries running concurrently).");
            }

            if (counted && remaining <= 0)
            {
                var wait = Math.Max(1, (int)Math.Ceiling((TimeSpan.FromHours(1) - time.GetElapsedTime(_queryStamps.Peek())).TotalSeconds));
                throw Limited(
                    wait,
                    $"\"project\";r=0;t={wait}, \"project-concurrency\";r={options.QueryConcurrency - _queryRunning}",
                    $"Query rate limit exceeded for project_id: {projectId}. This request exceeded the rate limit ({_queryStamps.Count + 1}/{options.QueryPerHour} queries running in the last hour). For more information, please consult our documentation at https://help.mixpanel.com/hc/en-us/articles/115004602563-Rate-Limits-for-Export-API-Endpoints");
            }

            if (counted)
            {
                _queryStamps.Enqueue(time.GetTimestamp());
            }

            _queryRunning++;
        }

        return new Release(() =>
        {
            lock (_lock)
            {
                _queryRunning--;
            }
        });
    }

    /// <summary>Admits an export request or throws Mixpanel's 429.</summary>
    public IDisposable EnterExport()
    {
        if (!options.EnforceRateLimits)
        {
            return Release.None;
        }

        var time = options.TimeProvider;
        lock (_lock)
        {
            Prune(_exportHour, TimeSpan.FromHours(1));
            Prune(_exportSecond, TimeSpan.FromSeconds(1));
            int? wait = null;
            if (_exportRunning >= options.ExportConcurrency)
            {
                wait = 10;
            }
            else if (_exportSecond.Count >= options.ExportPerSecond)
            {
                wait = 1;
            }
            else if (_exportHour.Count >= options.ExportPerHour)
            {
                wait = Math.Max(1, (int)Math.Ceiling((TimeSpan.FromHours(1) - time.GetElapsedTime(_exportHour.Peek())).TotalSeconds));
            }

            if (wait is { } seconds)
            {
                throw new EmulatorError(HttpStatusCode.TooManyRequests, $"Query rate limit exceeded for project_id: {projectId}. Export allows {options.ExportPerSecond} requests per second, {options.ExportPerHour} per hour and {options.ExportConcurrency} at once.")
                {
                    Headers = new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) },
                };
            }

            var now = time.GetTimestamp();
            _exportHour.Enqueue(now);
            _exportSecond.Enqueue(now);
            _exportRunning++;
        }

        return new Release(() =>
        {
            lock (_lock)
            {
                _exportRunning--;
            }
        });
    }

    private EmulatorError Limited(int retryAfter, string rateLimit, string message) =>
        new(HttpStatusCode.TooManyRequests, message)
        {
            Headers = new Dictionary<string, string>
            {
                ["RateLimit-Policy"] = PolicyHeader,
                ["RateLimit"] = rateLimit,
                ["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture),
            },
        };

    private void Prune(Queue<long> stamps, TimeSpan window)
    {
        while (stamps.Count > 0 && options.TimeProvider.GetElapsedTime(stamps.Peek()) >= window)
        {
            stamps.Dequeue();
        }
    }

    private sealed class Release(Action? release) : IDisposable
    {
        public static readonly Release None = new(null);

        private Action? _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
