using System.Globalization;
using System.Text.Json.Nodes;
using MixpanelData.Discovery;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>A query's answer reduced to a one-line summary with its numbers and a compact JSON digest for the structured result.</summary>
/// <param name="Summary">One line with the figures.</param>
/// <param name="Data">The figures, compactly.</param>
public sealed record Digest(string Summary, JsonObject Data);

/// <summary>Digests of every result type a plan can produce. Pure: the numbers come straight from the library's result records.</summary>
internal static class ResultDigest
{
    private const int MaxSegments = 12;

    public static Digest Of(object result) => result switch
    {
        SegmentationResult s => Segmentation(s),
        SavedFunnelResult f => Funnel(f),
        RetentionResult r => Retention(r),
        FrequencyResult q => Frequency(q),
        IReadOnlyList<EventProperty> p => new Digest($"{p.Count} properties: {string.Join(", ", p.Take(15).Select(x => x.Name))}", new JsonObject { ["properties"] = new JsonArray([.. p.Take(50).Select(x => JsonValue.Create(x.Name))]) }),
        IReadOnlyList<FunnelSummary> f => new Digest($"{f.Count} saved funnels: {string.Join("; ", f.Select(x => $"{x.FunnelId} {x.Name}"))}", new JsonObject { ["funnels"] = new JsonArray([.. f.Select(x => new JsonObject { ["funnel_id"] = x.FunnelId, ["name"] = x.Name })]) }),
        IReadOnlyList<CohortSummary> c => new Digest($"{c.Count} cohorts: {string.Join("; ", c.Select(x => $"{x.Id} {x.Name} ({x.Count:N0})"))}", new JsonObject { ["cohorts"] = new JsonArray([.. c.Select(x => new JsonObject { ["id"] = x.Id, ["name"] = x.Name, ["count"] = x.Count })]) }),
        IReadOnlyList<string> names => new Digest($"{names.Count} values: {string.Join(", ", names.Take(30))}", new JsonObject { ["values"] = new JsonArray([.. names.Take(100).Select(x => JsonValue.Create(x))]) }),
        _ => new Digest(result.ToString() ?? string.Empty, new JsonObject()),
    };

    public static Digest Segmentation(SegmentationResult result)
    {
        var what = result.Type switch { CountType.Unique => "unique users (summed per " + Unit(result.Unit) + ")", CountType.Average => "events per user (per " + Unit(result.Unit) + ")", _ => "events" };
        var range = $"{result.FromDate:yyyy-MM-dd}..{result.ToDate:yyyy-MM-dd}";
        var segments = result.Segments.Take(MaxSegments).ToList();
        var total = result.Segments.Sum(s => s.Total);
        var summary = result.On is null && result.Segments.Count <= 1
            ? $"{result.Event}, {range}: {N(total)} {what}"
            : result.On is null
                ? $"{range}, {what}: {string.Join(", ", segments.Select(s => $"{s.Name} {N(s.Total)}"))}"
                : $"{result.Event} by {result.On}, {range}, {what}: {string.Join(", ", segments.Select(s => $"{s.Name} {N(s.Total)} ({Share(s.Total, total)})"))}{(result.SegmentLimitHit || result.Segments.Count > MaxSegments ? " (more segments exist)" : string.Empty)}";
        var data = new JsonObject
        {
            ["event"] = result.Event,
            ["from_date"] = result.FromDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to_date"] = result.ToDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["type"] = result.Type.ToString().ToLowerInvariant(),
            ["total"] = total,
            // Every segment returned (a breakdown's limit is at most 50), so the least as well as the most can be named.
            ["segments"] = new JsonArray([.. result.Segments.Select(s => new JsonObject { ["name"] = s.Name, ["total"] = s.Total })]),
            ["limit_hit"] = result.SegmentLimitHit,
        };
        if (result.On is null && result.Segments.Count == 1 && result.Series.Count <= 400)
        {
            data["series"] = new JsonArray([.. result.Series.Zip(result.Segments[0].Values).Select(p => new JsonArray(p.First, p.Second))]);
        }

        return new Digest(summary, data);
    }

    public static Digest Funnel(SavedFunnelResult result)
    {
        var overall = result.Overall;
        var worst = overall.Steps.Count > 1 ? overall.WorstStep : 0;
        var steps = string.Join(" → ", overall.Steps.Select(s => $"{s.Event} {N(s.Count)}"));
        var summary = $"{result.Name ?? $"Funnel {result.FunnelId}"}, {result.Query.FromDate:yyyy-MM-dd}..{result.Query.ToDate:yyyy-MM-dd}: {steps}; overall {overall.ConversionRate:P1}"
            + (overall.Steps.Count > 1 ? $"; weakest step {worst + 1} ({overall.Steps[worst].Event}) at {overall.Steps[worst].StepConversion:P1}" : string.Empty)
            + (result.Segments.Count > 0 ? "; by segment: " + string.Join(", ", result.Segments.Take(MaxSegments).Select(s => $"{s.Segment} {s.ConversionRate:P1} of {N(s.Entered)}")) : string.Empty);
        var data = new JsonObject
        {
            ["funnel_id"] = result.FunnelId,
            ["name"] = result.Name,
            ["entered"] = overall.Entered,
            ["completed"] = overall.Completed,
            ["conversion"] = overall.ConversionRate,
            ["steps"] = new JsonArray([.. overall.Steps.Select(s => new JsonObject { ["event"] = s.Event, ["count"] = s.Count, ["step_conversion"] = s.StepConversion })]),
            ["segments"] = new JsonArray([.. result.Segments.Take(MaxSegments).Select(s => new JsonObject { ["segment"] = s.Segment, ["entered"] = s.Entered, ["conversion"] = s.ConversionRate })]),
        };
        return new Digest(summary, data);
    }

    public static Digest Retention(RetentionResult result)
    {
        var unit = result.Query.Unit switch { TimeUnit.Week => "W", TimeUnit.Month => "M", _ => "D" };
        var milestones = RetentionMath.Milestone(result.Overall, result.Query.IntervalCount);
        var born = result.Query.BornEvent ?? "any event";
        var summary = $"Retention after {born}{(result.Query.BornWhere is { } w ? $" where {w}" : string.Empty)}, cohorts {result.Query.FromDate:yyyy-MM-dd}..{result.Query.ToDate:yyyy-MM-dd} ({N(RetentionMath.CohortUsers(result.Overall))} users): "
            + string.Join(", ", milestones.Select(m => m.Describe(unit)))
            + (result.Segments.Count > 0 ? "; by segment: " + string.Join(", ", result.Segments.Take(MaxSegments).Select(s => $"{s.Segment} {string.Join("/", RetentionMath.Milestone(s, result.Query.IntervalCount).Select(m => m.Rate is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "n/a"))} (n={N(RetentionMath.CohortUsers(s))})")) : string.Empty);
        var data = new JsonObject
        {
            ["born_event"] = born,
            ["cohort_users"] = RetentionMath.CohortUsers(result.Overall),
            ["rates"] = Rates(milestones, unit),
            ["segments"] = new JsonArray([.. result.Segments.Take(MaxSegments).Select(s => new JsonObject { ["segment"] = s.Segment, ["cohort_users"] = RetentionMath.CohortUsers(s), ["rates"] = Rates(RetentionMath.Milestone(s, result.Query.IntervalCount), unit) })]),
        };
        return new Digest(summary, data);
    }

    public static Digest Frequency(FrequencyResult result)
    {
        var active = result.Periods.Select(p => p.Counts.Count > 0 ? p.Counts[0] : 0).ToList();
        var meanDays = result.Periods.Where(p => p.Counts.Count > 0 && p.Counts[0] > 0).Select(p => (double)p.Counts.Sum() / p.Counts[0]).DefaultIfEmpty(0).Average();
        var unit = result.Query.AddictionUnit == TimeUnit.Hour ? "hours" : "days";
        var summary = $"Frequency of {result.Query.Event ?? "any event"} per {Unit(result.Query.Unit)}, {result.Query.FromDate:yyyy-MM-dd}..{result.Query.ToDate:yyyy-MM-dd}: active users per period {string.Join(", ", active.Select(N))}; on average an active user is active on {meanDays:0.00} distinct {unit} per period";
        var data = new JsonObject
        {
            ["periods"] = new JsonArray([.. result.Periods.Select(p => new JsonObject { ["date"] = p.Date, ["active_users"] = p.Counts.Count > 0 ? p.Counts[0] : 0, ["at_least_n"] = new JsonArray([.. p.Counts.Take(7).Select(c => JsonValue.Create(c))]) })]),
            ["mean_active_units"] = Math.Round(meanDays, 3),
        };
        return new Digest(summary, data);
    }

    private static JsonObject Rates(IReadOnlyList<BucketRate> rates, string unit)
    {
        var node = new JsonObject();
        foreach (var rate in rates)
        {
            node[$"{unit.ToLowerInvariant()}{rate.Bucket}"] = new JsonObject { ["rate"] = rate.Rate is { } r ? Math.Round(r, 4) : null, ["returned"] = rate.Returned, ["users"] = rate.Users };
        }

        return node;
    }

    private static string Unit(TimeUnit unit) => unit.ToString().ToLowerInvariant();

    public static string N(double value) => value.ToString(value == Math.Floor(value) ? "N0" : "N2", CultureInfo.InvariantCulture);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Share(double part, double total) => total == 0 ? "0%" : (part / total).ToString("P0", CultureInfo.InvariantCulture);
}
