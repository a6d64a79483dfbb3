using System.Text.Json;
using System.Text.Json.Nodes;

namespace MixpanelData.Queries;

/// <summary>Numeric buckets of an expression over one event (Mixpanel's <c>/segmentation/numeric</c>).</summary>
/// <param name="Event">The event.</param>
/// <param name="FromDate">First day, inclusive.</param>
/// <param name="ToDate">Last day, inclusive.</param>
/// <param name="On">The numeric expression bucketed, e.g. <c>properties["amount"]</c>.</param>
public sealed record NumericSegmentationQuery(string Event, DateOnly FromDate, DateOnly ToDate, string On)
{
    /// <summary>Hour or day. Default day.</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Day;

    /// <summary>Events, distinct users, or events per user in each bucket. Default events.</summary>
    public CountType Type { get; init; } = CountType.General;

    /// <summary>A filter expression.</summary>
    public string? Where { get; init; }
}

/// <summary>The answer to a <see cref="NumericSegmentationQuery"/>.</summary>
/// <param name="Query">The query answered.</param>
/// <param name="Series">Time bucket keys in order.</param>
/// <param name="Ranges">One line per numeric range (named like Mixpanel's <c>2,000 - 2,100</c>), lowest range first; 0 where nothing happened.</param>
public sealed record NumericSegmentationResult(NumericSegmentationQuery Query, IReadOnlyList<string> Series, IReadOnlyList<SegmentSeries> Ranges);

/// <summary>Which aggregate a <see cref="NumericAggregateResult"/> holds.</summary>
public enum NumericAggregate
{
    /// <summary>The sum of the expression (<c>/segmentation/sum</c>).</summary>
    Sum,

    /// <summary>The mean of the expression (<c>/segmentation/average</c>).</summary>
    Average,
}

/// <summary>The sum or average of a numeric expression over one event per time bucket.</summary>
/// <param name="Event">The event.</param>
/// <param name="FromDate">First day, inclusive.</param>
/// <param name="ToDate">Last day, inclusive.</param>
/// <param name="On">The expression summed or averaged; non-numeric values count as 0.</param>
public sealed record NumericAggregateQuery(string Event, DateOnly FromDate, DateOnly ToDate, string On)
{
    /// <summary>Hour or day. Default day.</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Day;

    /// <summary>A filter expression.</summary>
    public string? Where { get; init; }
}

/// <summary>The answer to a <see cref="NumericAggregateQuery"/>.</summary>
/// <param name="Query">The query answered.</param>
/// <param name="Aggregate">Sum or average.</param>
/// <param name="Series">Time bucket keys in order, every bucket of the range included.</param>
/// <param name="Values">One value per bucket; 0 where nothing happened.</param>
/// <param name="ComputedAt">When Mixpanel computed it, if it said.</param>
public sealed record NumericAggregateResult(NumericAggregateQuery Query, NumericAggregate Aggregate, IReadOnlyList<string> Series, IReadOnlyList<double> Values, DateTimeOffset? ComputedAt);

/// <summary>A saved funnel over a date range (Mixpanel's <c>/funnels</c>).</summary>
/// <param name="FunnelId">The saved funnel (see <c>ws.Discovery.FunnelsAsync()</c>).</param>
/// <param name="FromDate">First day on which users may enter, inclusive.</param>
/// <param name="ToDate">Last day on which users may enter, inclusive; later steps may complete after it.</param>
public sealed record SavedFunnelQuery(long FunnelId, DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>The conversion window's length; <see langword="null"/> keeps the funnel's saved window. At most 90 days.</summary>
    public int? WindowLength { get; init; }

    /// <summary>The conversion window's unit (weeks are sent as days); <see langword="null"/> for days.</summary>
    public WindowUnit? WindowUnit { get; init; }

    /// <summary>Bucket entries by day, week or month. Not together with <see cref="Interval"/>.</summary>
    public TimeUnit? Unit { get; init; }

    /// <summary>Bucket entries every this many days (Mixpanel's default is 1). Not together with <see cref="Unit"/>.</summary>
    public int? Interval { get; init; }

    /// <summary>A filter expression.</summary>
    public string? Where { get; init; }

    /// <summary>A breakdown expression; every segment is kept, per date and over the range.</summary>
    public string? On { get; init; }

    /// <summary>The most segments with <see cref="On"/>, 1 to 10,000. Default 255.</summary>
    public int Limit { get; init; } = 255;
}

/// <summary>The answer to a <see cref="SavedFunnelQuery"/>.</summary>
/// <param name="FunnelId">The saved funnel.</param>
/// <param name="Name">Its name, when known (from the cached funnel list, or one <c>/funnels/list</c> call).</param>
/// <param name="Query">The query answered.</param>
/// <param name="Funnel">
/// The steps per date bucket (<see cref="FunnelResult.Buckets"/>), each with its <c>$overall</c> and every segment;
/// and over the whole range (<see cref="FunnelResult.Overall"/>, <see cref="FunnelResult.Segments"/>), which adds the
/// buckets up as Mixpanel's legacy funnel report does (a user entering in two buckets counts in both).
/// </param>
public sealed record SavedFunnelResult(long FunnelId, string? Name, SavedFunnelQuery Query, FunnelResult Funnel)
{
    /// <summary>All users over the range (shortcut for <c>Funnel.Overall</c>).</summary>
    public FunnelSteps Overall => Funnel.Overall;

    /// <summary>Per segment over the range, largest first (shortcut for <c>Funnel.Segments</c>).</summary>
    public IReadOnlyList<FunnelSteps> Segments => Funnel.Segments;

    /// <summary>Per date bucket (shortcut for <c>Funnel.Buckets</c>).</summary>
    public IReadOnlyList<FunnelBucket> Buckets => Funnel.Buckets;
}

/// <summary>Counts of several events over time (Mixpanel's <c>/events</c>).</summary>
/// <param name="Events">The events (at least one).</param>
/// <param name="FromDate">First day, inclusive.</param>
/// <param name="ToDate">Last day, inclusive.</param>
public sealed record EventCountsQuery(IReadOnlyList<string> Events, DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>Events, distinct users, or events per user. Default events.</summary>
    public CountType Type { get; init; } = CountType.General;

    /// <summary>The bucket width. Default day.</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Day;
}

/// <summary>Counts of one event per value of one property (Mixpanel's <c>/events/properties</c>).</summary>
/// <param name="Event">The event.</param>
/// <param name="Property">The property whose values segment the counts.</param>
/// <param name="FromDate">First day, inclusive.</param>
/// <param name="ToDate">Last day, inclusive.</param>
public sealed record PropertyCountsQuery(string Event, string Property, DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>Only these values; <see langword="null"/> for the top values.</summary>
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>Events, distinct users, or events per user. Default events.</summary>
    public CountType Type { get; init; } = CountType.General;

    /// <summary>The bucket width. Default day.</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Day;

    /// <summary>The most values, 1 to 10,000. Default 255.</summary>
    public int Limit { get; init; } = 255;
}

/// <summary>The events of a few users, in time order (Mixpanel's <c>/stream/query</c>, in maintenance mode at Mixpanel).</summary>
/// <param name="DistinctIds">The users (at least one).</param>
/// <param name="FromDate">First day, inclusive.</param>
/// <param name="ToDate">Last day, inclusive.</param>
public sealed record ActivityFeedQuery(IReadOnlyList<string> DistinctIds, DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>The most events kept (the latest ones), 1 to 100,000. Default 1,000.</summary>
    public int Limit { get; init; } = 1000;
}

/// <summary>One event of an activity feed.</summary>
/// <param name="Event">The event name.</param>
/// <param name="Time">When it happened, if the event carried <c>time</c>.</param>
/// <param name="DistinctId">Whose it is.</param>
/// <param name="Properties">Every property as Mixpanel sent it.</param>
public sealed record ActivityEvent(string Event, DateTimeOffset? Time, string? DistinctId, IReadOnlyDictionary<string, JsonElement> Properties);

/// <summary>The answer to an <see cref="ActivityFeedQuery"/>: bounded by its limit.</summary>
/// <param name="Query">The query answered.</param>
/// <param name="Events">The latest <see cref="ActivityFeedQuery.Limit"/> events at most, oldest first.</param>
/// <param name="Total">How many events Mixpanel sent.</param>
/// <param name="Truncated">Whether older events were left out to respect the limit.</param>
public sealed record ActivityFeedResult(ActivityFeedQuery Query, IReadOnlyList<ActivityEvent> Events, int Total, bool Truncated);

/// <summary>A saved report (bookmark) as Mixpanel computes it now (<c>/insights?bookmark_id=</c>).</summary>
/// <param name="BookmarkId">The report (see <c>ws.Discovery.BookmarksAsync()</c>).</param>
public sealed record SavedReportQuery(long BookmarkId);

/// <summary>One number of a saved report, with the keys that lead to it.</summary>
/// <param name="Path">The keys from the top of <c>series</c> to the number, e.g. <c>["Sign Up [Total Events]", "2026-03-02T00:00:00+00:00"]</c>; array positions appear as their index.</param>
/// <param name="Value">The number.</param>
public sealed record ReportValue(IReadOnlyList<string> Path, double Value);

/// <summary>The answer to a <see cref="SavedReportQuery"/>.</summary>
/// <param name="BookmarkId">The report.</param>
/// <param name="Headers">What each nesting level of <see cref="Series"/> means, e.g. <c>["$event"]</c> or <c>["$retention", "segment"]</c>.</param>
/// <param name="Series">The <c>series</c> object exactly as Mixpanel sent it.</param>
/// <param name="Values">Every number of <see cref="Series"/>, flattened with its path.</param>
public sealed record SavedReportResult(long BookmarkId, IReadOnlyList<string> Headers, JsonElement Series, IReadOnlyList<ReportValue> Values)
{
    /// <summary>When Mixpanel computed it.</summary>
    public DateTimeOffset? ComputedAt { get; init; }

    /// <summary>The report's range start, in the project's time zone.</summary>
    public DateTimeOffset? FromDate { get; init; }

    /// <summary>The report's range end, in the project's time zone.</summary>
    public DateTimeOffset? ToDate { get; init; }

    /// <summary>Whether Mixpanel cut segments off (<c>meta.is_segmentation_limit_hit</c>); false when it did not say.</summary>
    public bool SegmentLimitHit { get; init; }

    /// <summary>The <c>meta</c> object as sent, or <see langword="null"/> (older saved-report answers have none).</summary>
    public JsonElement? Meta { get; init; }

    /// <summary>The whole answer as Mixpanel sent it.</summary>
    public JsonElement Raw { get; init; }
}

/// <summary>
/// A JQL script (Mixpanel's <c>/jql</c>). JQL is in maintenance mode at Mixpanel and being sunset: prefer the other
/// queries, the Insights saved reports, or fetching raw events and using SQL locally.
/// </summary>
/// <param name="Script">The script; it must define <c>main()</c>.</param>
public sealed record JqlQuery(string Script)
{
    /// <summary>The script's global <c>params</c>.</summary>
    public JsonObject? Params { get; init; }
}

/// <summary>What a JQL script's <c>main()</c> returned.</summary>
/// <param name="Results">The returned array's elements (a lone value becomes one element).</param>
public sealed record JqlResult(IReadOnlyList<JsonElement> Results);
