using System.Text.Json;
using MixpanelData.Storage;

namespace MixpanelData.Fetching;

/// <summary>What a fetch of events into the local store did.</summary>
/// <param name="Table">The table written.</param>
/// <param name="From">First day of the range.</param>
/// <param name="To">Last day of the range.</param>
/// <param name="Days">Days in the range.</param>
/// <param name="EventsRead">Well-formed events received (including those of days loaded before a resume).</param>
/// <param name="RowsInserted">Rows added to the table.</param>
/// <param name="DuplicatesSkipped">Events skipped because their <c>$insert_id</c> was already in the table (append only).</param>
/// <param name="MalformedLines">Lines that were not export events: counted, not loaded.</param>
/// <param name="MalformedSamples">The first malformed lines of this run.</param>
/// <param name="Bytes">Export bytes received (decompressed), for the loaded days.</param>
/// <param name="TableRowCount">Rows in the table afterwards.</param>
/// <param name="Elapsed">Wall-clock time of this run.</param>
/// <param name="ResumedFrom">The first day this run loaded when it continued an earlier fetch; otherwise <see langword="null"/>.</param>
/// <param name="Retries">Windows that had to be requested again after a dropped connection or a <c>terminated early</c> stream.</param>
public sealed record FetchResult(
    string Table,
    DateOnly From,
    DateOnly To,
    int Days,
    long EventsRead,
    long RowsInserted,
    long DuplicatesSkipped,
    long MalformedLines,
    IReadOnlyList<MalformedLine> MalformedSamples,
    long Bytes,
    long TableRowCount,
    TimeSpan Elapsed,
    DateOnly? ResumedFrom,
    int Retries)
{
    /// <summary>Days per export request (the last window may be shorter).</summary>
    public int WindowDays { get; init; }

    /// <summary>Windows in the whole range: export requests before retries, counting those loaded before a resume.</summary>
    public int Windows { get; init; }

    /// <summary>The Export API budget as it stood when this run started, for the windows it had to load.</summary>
    public FetchBudget? Budget { get; init; }
}

/// <summary>
/// What a fetch spends of the project's Export API budget (Mixpanel allows 60 export requests per rolling hour), as it
/// stood before the fetch: when <see cref="MustWait"/>, the client-side limiter holds the last requests back for up to
/// <see cref="Wait"/> rather than let Mixpanel refuse them.
/// </summary>
/// <param name="Requests">Export requests the fetch needs: one per window still to load (a retried window spends one more).</param>
/// <param name="HourlyQuota">Export requests allowed per rolling hour; <see langword="null"/> when the client-side limits are off.</param>
/// <param name="Remaining">Export requests still free in the current hour; <see langword="null"/> when the limits are off.</param>
/// <param name="Wait">How long the last of the requests would wait for the hourly budget; zero when they all fit now.</param>
public sealed record FetchBudget(int Requests, int? HourlyQuota, int? Remaining, TimeSpan Wait)
{
    /// <summary>Whether some of the requests would have to wait for the hourly budget to free up.</summary>
    public bool MustWait => Wait > TimeSpan.Zero;

    /// <summary>
    /// One sentence for people: <c>needs 10 export request(s); 4 of 60 are left this hour, so the last would wait about
    /// 52 min for the budget</c>, or <c>… fit in the 57 of 60 left this hour</c>.
    /// </summary>
    public string Summary => HourlyQuota is not { } quota
        ? $"needs {Requests} export request(s); client-side rate limits are off"
        : MustWait
            ? $"needs {Requests} export request(s) but only {Remaining} of {quota} are left this hour, so the last would wait about {Minutes(Wait)} for the budget"
            : $"needs {Requests} export request(s), which fit in the {Remaining} of {quota} left this hour";

    private static string Minutes(TimeSpan wait) => wait < TimeSpan.FromMinutes(1) ? $"{Math.Ceiling(wait.TotalSeconds):0} s" : $"{Math.Ceiling(wait.TotalMinutes):0} min";
}

/// <summary>Progress of an events fetch.</summary>
/// <param name="DaysDone">Days fully loaded, counted at the end of each window (including days loaded before a resume).</param>
/// <param name="DaysTotal">Days in the range.</param>
/// <param name="Day">The first day of the window being loaded, or <see langword="null"/> once all are.</param>
/// <param name="Events">Events received so far.</param>
/// <param name="Bytes">Export bytes received so far (decompressed).</param>
/// <param name="Elapsed">Time since this run started.</param>
/// <param name="EventsPerSecond">Events received per second in this run.</param>
/// <param name="EstimatedRemaining">Time left at this run's pace per day; <see langword="null"/> until a window is done.</param>
public readonly record struct FetchProgress(int DaysDone, int DaysTotal, DateOnly? Day, long Events, long Bytes, TimeSpan Elapsed, double EventsPerSecond, TimeSpan? EstimatedRemaining)
{
    /// <summary>The Export API budget as it stood when the fetch started (the same on every report); say so when it <see cref="FetchBudget.MustWait"/>.</summary>
    public FetchBudget? Budget { get; init; }
}

/// <summary>What a fetch of profiles into the local store did.</summary>
/// <param name="Table">The table written.</param>
/// <param name="Pages">Engage pages read.</param>
/// <param name="ProfilesRead">Profiles received.</param>
/// <param name="RowsInserted">Rows added to the table.</param>
/// <param name="MalformedProfiles">Profiles without a <c>$distinct_id</c>: counted, not loaded.</param>
/// <param name="TableRowCount">Rows in the table afterwards.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record ProfileFetchResult(string Table, int Pages, long ProfilesRead, long RowsInserted, long MalformedProfiles, long TableRowCount, TimeSpan Elapsed);

/// <summary>Progress of a profiles fetch, reported after each Engage page.</summary>
/// <param name="Pages">Pages received.</param>
/// <param name="Profiles">Profiles received.</param>
/// <param name="Total">How many profiles match, as Engage said on the first page (when it did).</param>
public readonly record struct ProfileFetchProgress(int Pages, long Profiles, long? Total);

/// <summary>Progress of an events stream.</summary>
/// <param name="DaysDone">Days fully streamed, counted at the end of each window.</param>
/// <param name="DaysTotal">Days in the range.</param>
/// <param name="Events">Events handed out.</param>
/// <param name="Bytes">Export bytes received (decompressed).</param>
/// <param name="MalformedLines">Lines skipped as malformed (only with <see cref="StreamEventsRequest.SkipMalformedLines"/>).</param>
/// <param name="Retries">Windows requested again after a dropped connection or a <c>terminated early</c> stream.</param>
public readonly record struct StreamProgress(int DaysDone, int DaysTotal, long Events, long Bytes, long MalformedLines, int Retries);

/// <summary>One raw event as the export sends it.</summary>
/// <param name="Name">The event name.</param>
/// <param name="Time">When it happened (UTC, from <c>properties.time</c>).</param>
/// <param name="DistinctId">The user (<c>properties.distinct_id</c>), when present.</param>
/// <param name="InsertId">The deduplication id (<c>properties.$insert_id</c>), when present.</param>
/// <param name="Properties">Every property as sent, <c>time</c>, <c>distinct_id</c> and <c>$insert_id</c> included.</param>
public sealed record ExportEvent(string Name, DateTimeOffset Time, string? DistinctId, string? InsertId, JsonElement Properties);

/// <summary>One user profile as Engage sends it.</summary>
/// <param name="DistinctId">The profile's <c>$distinct_id</c>.</param>
/// <param name="LastSeen">The profile's <c>$last_seen</c> (UTC), when present.</param>
/// <param name="Properties">The <c>$properties</c> object as sent.</param>
public sealed record UserProfile(string DistinctId, DateTimeOffset? LastSeen, JsonElement Properties);
