using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Http;
using MixpanelData.Queries;
using MixpanelData.Storage;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Emulation;

/// <summary>A small hand-built project behind the emulator, reached through the real HTTP pipeline.</summary>
internal sealed class EmulatorFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 3, 21, 12, 0, 0, TimeSpan.Zero);

    // (event, time, user, insert id, extra properties)
    public const string Rows = """
        ('Sign Up',         '2026-03-02 09:00:00', 'u1', 'i01', '{"browser":"Chrome","revenue":10}'),
        ('Create Project',  '2026-03-02 10:00:00', 'u1', 'i02', '{}'),
        ('Invite Teammate', '2026-03-03 08:00:00', 'u1', 'i03', '{}'),
        ('Login',           '2026-03-03 09:00:00', 'u1', 'i04', '{}'),
        ('Login',           '2026-03-05 12:00:00', 'u1', 'i05', '{}'),
        ('Sign Up',         '2026-03-02 11:00:00', 'u2', 'i06', '{"browser":"Safari","revenue":25}'),
        ('Login',           '2026-03-02 10:00:00', 'u2', 'i07', '{}'),
        ('Create Project',  '2026-03-04 11:00:00', 'u2', 'i08', '{}'),
        ('Login',           '2026-03-04 10:00:00', 'u2', 'i09', '{}'),
        ('Invite Teammate', '2026-03-10 12:00:00', 'u2', 'i10', '{}'),
        ('Sign Up',         '2026-03-03 08:00:00', 'u3', 'i11', '{"browser":"Chrome","revenue":5}'),
        ('Invite Teammate', '2026-03-03 09:00:00', 'u3', 'i12', '{}'),
        ('Create Project',  '2026-03-03 10:00:00', 'u3', 'i13', '{}'),
        ('Login',           '2026-03-10 10:00:00', 'u3', 'i14', '{}'),
        ('Sign Up',         '2026-03-03 23:30:00', 'u4', 'i15', '{"browser":"Firefox"}'),
        ('Sign Up',         '2026-03-04 01:00:00', 'u4', 'i16', '{"browser":"Firefox"}'),
        ('Create Project',  '2026-03-05 00:30:00', 'u4', 'i17', '{}'),
        ('Login',           '2026-03-04 15:00:00', 'u5', 'i18', '{}'),
        ('Login',           '2026-03-20 15:00:00', 'u5', 'i19', '{}')
        """;

    private EmulatorFixture(LocalStore store, MixpanelEmulator emulator, ManualTimeProvider time)
    {
        Store = store;
        Emulator = emulator;
        Time = time;
    }

    public LocalStore Store { get; }

    public MixpanelEmulator Emulator { get; }

    public ManualTimeProvider Time { get; }

    public static async Task<EmulatorFixture> CreateAsync(EmulatorOptions? options = null)
    {
        var time = new ManualTimeProvider(Now);
        var store = LocalStore.OpenInMemory();
        await store.SqlAsync($"""
            CREATE TABLE events AS
            SELECT event_name, CAST(t AS TIMESTAMP) AS event_time, distinct_id, insert_id,
                   CAST(json_merge_patch(CAST(extra AS JSON), json_object('time', CAST(epoch(CAST(t AS TIMESTAMP)) AS BIGINT), 'distinct_id', distinct_id, '$insert_id', insert_id)) AS JSON) AS properties
            FROM (VALUES {Rows}) AS v(event_name, t, distinct_id, insert_id, extra)
            """);
        await store.SqlAsync("""
            CREATE TABLE profiles AS
            SELECT distinct_id, CAST(p AS JSON) AS properties, CAST(NULL AS TIMESTAMP) AS last_seen FROM (VALUES
              ('u1', '{"$email":"u1@example.com","plan":"pro","browser":"Chrome"}'),
              ('u2', '{"$email":"u2@example.com","plan":"free","browser":"Safari"}'),
              ('u3', '{"$email":"u3@example.com","plan":"pro","browser":"Chrome"}'),
              ('u4', '{"$email":"u4@example.com","plan":"free"}'),
              ('u5', '{"$email":"u5@example.com","plan":"free"}')
            ) AS v(distinct_id, p)
            """);
        var project = new EmulatorProject
        {
            ProjectId = 1,
            Name = "Fixture",
            Accounts = new Dictionary<string, string> { ["demo"] = "demo" },
            Store = store,
            Funnels = [new SavedFunnel(7, "Activation", ["Sign Up", "Create Project", "Invite Teammate"], 7)],
            Cohorts = [new SavedCohort(1000, "Pro users", "Profiles on the pro plan", "properties[\"plan\"] == \"pro\"", new DateTime(2026, 1, 5, 10, 0, 0), true)],
            Reports =
            [
                new SavedReport(500, "Sign-ups", "insights", "Daily sign-ups", new DateTime(2026, 1, 1), new DateTime(2026, 2, 1)) { Events = ["Sign Up"], LastDays = 30 },
                new SavedReport(501, "Activation funnel", "funnels", "", new DateTime(2026, 1, 1), new DateTime(2026, 2, 1)) { FunnelId = 7, LastDays = 30 },
                new SavedReport(502, "Login retention", "retention", "", new DateTime(2026, 1, 1), new DateTime(2026, 2, 1)) { BornEvent = "Sign Up", ReturnEvent = "Login", LastDays = 30 },
            ],
        };
        var emulator = new MixpanelEmulator(project, (options ?? new EmulatorOptions()) with { TimeProvider = time });
        return new EmulatorFixture(store, emulator, time);
    }

    /// <summary>A client connection through the full pipeline, with the client's own limiter off unless asked.</summary>
    public MixpanelConnection Connect(string secret = "demo", MixpanelRegion region = MixpanelRegion.Us, bool clientLimits = false) => new(new MixpanelClientOptions
    {
        Credentials = new Credentials("demo", secret, 1, region),
        Endpoints = MixpanelEndpoints.ForRegion(region),
        PrimaryHandler = Emulator,
        RateLimits = new RateLimitOptions { Disabled = !clientLimits },
        Retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
    });

    public async ValueTask DisposeAsync()
    {
        Emulator.Dispose();
        await Store.DisposeAsync();
    }
}
