using System.Globalization;
using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Http;
using MixpanelData.Storage;

namespace MixpanelData.Tests.Fetching;

/// <summary>
/// A generated project behind the emulator: <c>days</c> days from 2026-03-01 where day d has <c>perDay + d</c>
/// events (event i of a day is Sign Up / Login / Purchase for i % 3 = 0 / 1 / 2, user u{i % 50}, insert id
/// e{d}-{i}, plan pro for even i), and <c>profiles</c> profiles p00000.. (plan pro when i % 4 = 0).
/// </summary>
internal sealed class FetchFixture : IAsyncDisposable
{
    public static readonly DateOnly FirstDay = new(2026, 3, 1);
    public static readonly DateTimeOffset Now = new(2026, 3, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IAsyncDisposable> _owned = [];

    private FetchFixture(LocalStore store, MixpanelEmulator emulator, FixedClock clock)
    {
        Store = store;
        Emulator = emulator;
        Clock = clock;
    }

    /// <summary>The emulator project's own data.</summary>
    public LocalStore Store { get; }

    public MixpanelEmulator Emulator { get; }

    public FixedClock Clock { get; }

    public static long EventsOn(int perDay, int day) => perDay + day;

    /// <param name="now">The workspace's and emulator's date; default <see cref="Now"/> (2026-03-21 12:00 UTC). Ranges longer than 21 days need a later one.</param>
    public static async Task<FetchFixture> CreateAsync(int perDay = 10, int days = 5, int profiles = 0, EmulatorOptions? options = null, DateTimeOffset? now = null)
    {
        var clock = new FixedClock(now ?? Now);
        var store = LocalStore.OpenInMemory();
        var per = perDay.ToString(CultureInfo.InvariantCulture);
        await store.SqlAsync($"""
            CREATE TABLE events AS
            SELECT CASE i % 3 WHEN 0 THEN 'Sign Up' WHEN 1 THEN 'Login' ELSE 'Purchase' END AS event_name,
                   ts AS event_time, 'u' || (i % 50) AS distinct_id, 'e' || d || '-' || i AS insert_id,
                   CAST(json_object('time', CAST(epoch(ts) AS BIGINT), 'distinct_id', 'u' || (i % 50), '$insert_id', 'e' || d || '-' || i,
                                    'plan', CASE WHEN i % 2 = 0 THEN 'pro' ELSE 'free' END) AS JSON) AS properties
            FROM (
              SELECT d, i, TIMESTAMP '2026-03-01' + to_days(CAST(d AS INTEGER)) + to_microseconds(CAST(i * 86400000000 // ({per} + d) AS BIGINT)) AS ts
              FROM (SELECT d, unnest(range({per} + d)) AS i FROM range({days.ToString(CultureInfo.InvariantCulture)}) r(d))
            )
            """);
        await store.SqlAsync($"""
            CREATE TABLE profiles AS
            SELECT 'p' || lpad(CAST(i AS VARCHAR), 5, '0') AS distinct_id,
                   CAST(json_object('$email', 'p' || i || '@example.com', 'plan', CASE WHEN i % 4 = 0 THEN 'pro' ELSE 'free' END,
                                    '$last_seen', '2026-03-10T08:00:00') AS JSON) AS properties,
                   CAST(NULL AS TIMESTAMP) AS last_seen
            FROM range({profiles.ToString(CultureInfo.InvariantCulture)}) r(i)
            """);
        var project = new EmulatorProject
        {
            ProjectId = 1,
            Name = "Generated",
            Accounts = new Dictionary<string, string> { ["demo"] = "demo" },
            Store = store,
            Cohorts = [new SavedCohort(2000, "Pro", "Pro plan profiles", "properties[\"plan\"] == \"pro\"", new DateTime(2026, 1, 5), true)],
        };
        var emulator = new MixpanelEmulator(project, (options ?? new EmulatorOptions { EnforceRateLimits = false }) with { TimeProvider = clock });
        return new FetchFixture(store, emulator, clock);
    }

    /// <summary>A workspace over the in-process emulator with an in-memory store, short retries and the client's limits off.</summary>
    public Workspace Workspace(HttpMessageHandler? handler = null, MixpanelAccount? account = null, RateLimitOptions? limits = null, int maxRetries = 2)
    {
        var workspace = new Workspace(new WorkspaceOptions
        {
            Account = account ?? Account(),
            PrimaryHandler = handler ?? Emulator,
            Store = new LocalStoreOptions { Mode = LocalStoreMode.InMemory },
            TimeProvider = Clock,
            RateLimits = limits ?? new RateLimitOptions { Disabled = true },
            Retry = new RetryOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
        });
        _owned.Add(workspace);
        return workspace;
    }

    /// <summary>
    /// An account on hosts of its own: workspaces share client-side rate limiters per (host, project) across the
    /// process, so unique hosts keep each test's limits (usually off) its own.
    /// </summary>
    public static MixpanelAccount Account()
    {
        var host = "https://t" + Guid.NewGuid().ToString("N")[..12] + ".emulator.test/";
        return new MixpanelAccount("t", new Credentials("demo", "demo", 1, MixpanelRegion.Us), "test")
        {
            QueryUrl = new Uri(host + "api/query"),
            ExportUrl = new Uri(host + "api/2.0"),
            AppUrl = new Uri(host + "api/app"),
        };
    }

    public static async Task<long> CountAsync(Workspace ws, string sql) => Convert.ToInt64(await ws.Local.SqlScalarAsync(sql), CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        Emulator.Dispose();
        await Store.DisposeAsync();
    }
}

/// <summary>A clock whose date stands still while its timers run in real time (retry delays and timeouts still elapse).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
