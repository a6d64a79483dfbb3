using MixpanelData.Configuration;
using MixpanelData.Storage;

namespace MixpanelData.Emulation;

/// <summary>A saved funnel the emulator serves (<c>/funnels/list</c>, <c>/funnels?funnel_id=</c>).</summary>
internal sealed record SavedFunnel(long Id, string Name, IReadOnlyList<string> Steps, int WindowDays)
{
    /// <summary>Per-step filters (null entries for none).</summary>
    public IReadOnlyList<string?>? StepFilters { get; init; }

    /// <summary>Per-step labels (null entries show the event name).</summary>
    public IReadOnlyList<string?>? StepLabels { get; init; }

    /// <summary>The saved conversion window; <see cref="WindowDays"/> days unless set.</summary>
    public (int Length, Queries.WindowUnit Unit) Window => WindowOverride ?? (WindowDays, Queries.WindowUnit.Day);

    public (int Length, Queries.WindowUnit Unit)? WindowOverride { get; init; }
}

/// <summary>A saved cohort: profiles matching <see cref="ProfileWhere"/> (an engage <c>where</c> expression).</summary>
internal sealed record SavedCohort(long Id, string Name, string Description, string ProfileWhere, DateTime Created, bool IsVisible);

/// <summary>A saved report (bookmark) and what it computes.</summary>
internal sealed record SavedReport(long Id, string Name, string Type, string Description, DateTime Created, DateTime Modified)
{
    /// <summary>Insights: the events shown.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];

    /// <summary>Insights: <c>general</c> or <c>unique</c>.</summary>
    public Queries.CountType Math { get; init; } = Queries.CountType.General;

    public Queries.TimeUnit Unit { get; init; } = Queries.TimeUnit.Day;

    /// <summary>The report's rolling range: the last N days up to the newest data.</summary>
    public int LastDays { get; init; } = 30;

    /// <summary>Funnels: the saved funnel shown.</summary>
    public long? FunnelId { get; init; }

    /// <summary>Insights: a breakdown expression, if any.</summary>
    public string? On { get; init; }

    /// <summary>The report's <c>params</c> as saved (JSON); generated from the fields above when null.</summary>
    public string? ParamsJson { get; init; }

    /// <summary>Retention: the born and returning events.</summary>
    public string? BornEvent { get; init; }

    public string? ReturnEvent { get; init; }
}

/// <summary>
/// The project the emulator serves: its data (events and profiles tables in a local store), the service
/// accounts allowed in, its region, and its saved funnels, cohorts and reports.
/// </summary>
internal sealed record EmulatorProject
{
    public required long ProjectId { get; init; }

    public required string Name { get; init; }

    public MixpanelRegion Region { get; init; } = MixpanelRegion.Us;

    /// <summary>Service-account username → secret.</summary>
    public required IReadOnlyDictionary<string, string> Accounts { get; init; }

    public required LocalStore Store { get; init; }

    public string EventsTable { get; init; } = "events";

    public string ProfilesTable { get; init; } = "profiles";

    public IReadOnlyList<SavedFunnel> Funnels { get; init; } = [];

    public IReadOnlyList<SavedCohort> Cohorts { get; init; } = [];

    public IReadOnlyList<SavedReport> Reports { get; init; } = [];

    /// <summary>Event name → property name → JSON type, for Lexicon schemas.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> EventSchemas { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public DateOnly CreatedOn { get; init; } = new(2024, 1, 1);
}
