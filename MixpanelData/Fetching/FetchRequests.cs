namespace MixpanelData.Fetching;

/// <summary>
/// What to fetch from the raw export into a local events table. Dates are inclusive and read in UTC
/// (projects created from 2023 on; older projects use their time zone on Mixpanel's side).
/// </summary>
/// <param name="From">First day.</param>
/// <param name="To">Last day; not after today (UTC, by the workspace's clock).</param>
public sealed record FetchEventsRequest(DateOnly From, DateOnly To)
{
    /// <summary>The longest <see cref="WindowDays"/> allowed: a year (Mixpanel documents no maximum span).</summary>
    public const int MaxWindowDays = 365;

    /// <summary>Only these events; <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>A Mixpanel filter expression, e.g. <c>properties["plan"] == "pro"</c>.</summary>
    public string? Where { get; init; }

    /// <summary>At most this many events over the whole range (1 to 100,000, Mixpanel's export cap); <see langword="null"/> for all.</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Days per export request (1 to <see cref="MaxWindowDays"/>, 365). Default <see langword="null"/>: <c>ceil(days / 10)</c>, so any range takes at
    /// most 10 requests (90 days: 10 windows of 9 days; up to 10 days: one per day). Each window spends one request of
    /// the export budget (60 per hour); a window whose stream breaks off is requested again alone, and a resume skips
    /// the windows already stored. Shorter windows cost more requests but retry less data.
    /// </summary>
    public int? WindowDays { get; init; }

    /// <summary>The table to fill. Default <c>events</c>.</summary>
    public string Table { get; init; } = "events";

    /// <summary>Add to the table instead of replacing it; events whose <c>$insert_id</c> is already there are skipped.</summary>
    public bool Append { get; init; }

    /// <summary>
    /// Continue an earlier fetch of the same request into the same table that failed or was cancelled, from
    /// the day after its last completed window (the window size may differ from the first run's). With nothing to continue, the fetch starts at <see cref="From"/>.
    /// </summary>
    public bool Resume { get; init; }
}

/// <summary>What to stream from the raw export (nothing is stored). Dates are inclusive, UTC.</summary>
/// <param name="From">First day.</param>
/// <param name="To">Last day; not after today (UTC, by the workspace's clock).</param>
public sealed record StreamEventsRequest(DateOnly From, DateOnly To)
{
    /// <summary>Only these events; <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>A Mixpanel filter expression, e.g. <c>properties["plan"] == "pro"</c>.</summary>
    public string? Where { get; init; }

    /// <summary>At most this many events over the whole range (1 to 100,000); <see langword="null"/> for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Days per export request (1 to 365); default <c>ceil(days / 10)</c>, at most 10 requests. See <see cref="FetchEventsRequest.WindowDays"/>.</summary>
    public int? WindowDays { get; init; }

    /// <summary>
    /// Skip lines that are not export events instead of failing with <see cref="InvalidResponseException"/>.
    /// Skipped lines are counted in <see cref="StreamProgress.MalformedLines"/>. Default: fail.
    /// </summary>
    public bool SkipMalformedLines { get; init; }
}

/// <summary>Which user profiles to fetch from Engage into a local profiles table.</summary>
public sealed record FetchProfilesRequest
{
    /// <summary>A Mixpanel filter expression over profile properties, e.g. <c>properties["plan"] == "pro"</c>.</summary>
    public string? Where { get; init; }

    /// <summary>Only members of this saved cohort.</summary>
    public long? CohortId { get; init; }

    /// <summary>Only these properties of each profile; <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? OutputProperties { get; init; }

    /// <summary>Only these profiles.</summary>
    public IReadOnlyList<string>? DistinctIds { get; init; }

    /// <summary>The table to fill. Default <c>profiles</c>.</summary>
    public string Table { get; init; } = "profiles";

    /// <summary>Add to the table instead of replacing it; profiles already there (same <c>distinct_id</c>) are replaced.</summary>
    public bool Append { get; init; }
}

/// <summary>Which user profiles to stream from Engage (nothing is stored).</summary>
public sealed record StreamProfilesRequest
{
    /// <summary>A Mixpanel filter expression over profile properties.</summary>
    public string? Where { get; init; }

    /// <summary>Only members of this saved cohort.</summary>
    public long? CohortId { get; init; }

    /// <summary>Only these properties of each profile; <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? OutputProperties { get; init; }

    /// <summary>Only these profiles.</summary>
    public IReadOnlyList<string>? DistinctIds { get; init; }
}
