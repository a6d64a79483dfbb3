using System.Globalization;
using System.Text.Json;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>The analysed days (ending at the last complete UTC day) and the same number of days just before.</summary>
/// <param name="Days">Days analysed.</param>
/// <param name="From">First day.</param>
/// <param name="To">Last day.</param>
/// <param name="PreviousFrom">First day of the period before.</param>
/// <param name="PreviousTo">Last day of the period before.</param>
public sealed record GuidedPeriod(int Days, DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo)
{
    /// <summary>The periods offered, in days.</summary>
    public static IReadOnlyList<int> Choices { get; } = [7, 30, 90];

    /// <summary>The <paramref name="days"/> days ending <paramref name="lastDay"/>, and as many before.</summary>
    public static GuidedPeriod Ending(DateOnly lastDay, int days) =>
        new(days, lastDay.AddDays(1 - days), lastDay, lastDay.AddDays(1 - (2 * days)), lastDay.AddDays(-days));

    /// <inheritdoc />
    public override string ToString() => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";
}

/// <summary>A primitive tool call a guided analysis makes, written as the MCP call that reproduces it.</summary>
/// <param name="Tool">The MCP tool.</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="Purpose">What it is run for.</param>
public sealed record PrimitiveCall(string Tool, IReadOnlyDictionary<string, object?> Arguments, string Purpose);

/// <summary>One query of a guided analysis: the primitive call it equals, and how the server runs it through the library.</summary>
internal sealed record PlannedQuery(PrimitiveCall Call, Func<QueryClient, CancellationToken, Task<object>> Run);

/// <summary>
/// The queries behind each focus: counts (acquisition, monetisation, an event) run a daily trend over both periods and,
/// with a segment, the same broken down; activation runs its saved funnel for each period (by segment for the current);
/// retention runs cohorts born on the sign-up event for each period (by segment for the current). 1–2 Query API calls.
/// </summary>
internal static class GuidedPlan
{
    public static IReadOnlyList<PlannedQuery> For(FocusOption focus, GuidedPeriod period, string? segment)
    {
        var on = segment is null ? null : $"properties[{JsonSerializer.Serialize(segment)}]";
        return focus.Kind switch
        {
            FocusKind.Activation => Funnel(focus, period, on),
            FocusKind.Retention => Retention(focus, period, on),
            _ => Counts(focus, period, on),
        };
    }

    /// <summary>Buckets after the first for retention: a week for 7 days, two for 30, thirty for 90.</summary>
    public static int RetentionBuckets(int days) => days switch { <= 7 => 7, <= 30 => 14, _ => 30 };

    private static List<PlannedQuery> Counts(FocusOption focus, GuidedPeriod period, string? on)
    {
        var queries = new List<PlannedQuery>
        {
            new(
                new PrimitiveCall("segmentation", Args(("event", focus.Event), ("from_date", Day(period.PreviousFrom)), ("to_date", Day(period.To)), ("unit", "day")), $"{focus.Event} per day over both periods"),
                async (q, ct) => await q.SegmentationAsync(new SegmentationQuery(focus.Event, period.PreviousFrom, period.To) { Unit = TimeUnit.Day }, ct).ConfigureAwait(false)),
        };
        if (on is not null)
        {
            queries.Add(new(
                new PrimitiveCall("segmentation", Args(("event", focus.Event), ("from_date", Day(period.PreviousFrom)), ("to_date", Day(period.To)), ("unit", "day"), ("on", on), ("limit", 30)), $"{focus.Event} by {on} over both periods"),
                async (q, ct) => await q.SegmentationAsync(new SegmentationQuery(focus.Event, period.PreviousFrom, period.To) { Unit = TimeUnit.Day, On = on, Limit = 30 }, ct).ConfigureAwait(false)));
        }

        return queries;
    }

    private static List<PlannedQuery> Funnel(FocusOption focus, GuidedPeriod period, string? on)
    {
        var id = focus.FunnelId!.Value;
        return
        [
            new(
                new PrimitiveCall("funnel", Args(("funnel_id", id), ("from_date", Day(period.From)), ("to_date", Day(period.To)), ("on", on)), on is null ? "the funnel, current period" : $"the funnel by {on}, current period"),
                async (q, ct) => await q.FunnelAsync(new SavedFunnelQuery(id, period.From, period.To) { On = on, Limit = 50 }, ct).ConfigureAwait(false)),
            new(
                new PrimitiveCall("funnel", Args(("funnel_id", id), ("from_date", Day(period.PreviousFrom)), ("to_date", Day(period.PreviousTo))), "the funnel, previous period"),
                async (q, ct) => await q.FunnelAsync(new SavedFunnelQuery(id, period.PreviousFrom, period.PreviousTo), ct).ConfigureAwait(false)),
        ];
    }

    private static List<PlannedQuery> Retention(FocusOption focus, GuidedPeriod period, string? on)
    {
        var buckets = RetentionBuckets(period.Days);
        return
        [
            new(
                new PrimitiveCall("retention", Args(("born_event", focus.Event), ("from_date", Day(period.From)), ("to_date", Day(period.To)), ("unit", "day"), ("interval_count", buckets), ("on", on)), on is null ? "retention, current period" : $"retention by {on}, current period"),
                async (q, ct) => await q.RetentionAsync(new RetentionQuery(period.From, period.To) { BornEvent = focus.Event, Unit = TimeUnit.Day, IntervalCount = buckets, On = on }, ct).ConfigureAwait(false)),
            new(
                new PrimitiveCall("retention", Args(("born_event", focus.Event), ("from_date", Day(period.PreviousFrom)), ("to_date", Day(period.PreviousTo)), ("unit", "day"), ("interval_count", buckets)), "retention, previous period"),
                async (q, ct) => await q.RetentionAsync(new RetentionQuery(period.PreviousFrom, period.PreviousTo) { BornEvent = focus.Event, Unit = TimeUnit.Day, IntervalCount = buckets }, ct).ConfigureAwait(false)),
        ];
    }

    private static Dictionary<string, object?> Args(params (string Name, object? Value)[] pairs) =>
        pairs.Where(p => p.Value is not null).ToDictionary(p => p.Name, p => p.Value);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
