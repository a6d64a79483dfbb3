using System.Globalization;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>What a guided analysis found: sentences for the user, and the numbers behind them.</summary>
/// <param name="Findings">The sentences, with their figures.</param>
/// <param name="Metrics">The figures behind them.</param>
public sealed record GuidedReport(IReadOnlyList<string> Findings, object Metrics);

/// <summary>
/// Runs a guided analysis's planned queries through the call's budget and turns the answers into findings:
/// period-over-period change, and with a segment the top and bottom segments (by volume and change for counts,
/// by conversion for the funnel, by retention for cohorts). A failed query is reported as such, never as zeros.
/// </summary>
internal static class GuidedFindings
{
    /// <summary>Segments smaller than this share (of events, entrants or users) are not ranked: too small to mean much.</summary>
    private const double MinShare = 0.02;

    private const int MinUsers = 30;

    public static async Task<GuidedReport> RunAsync(QueryClient queryClient, QueryBudget budget, FocusOption focus, GuidedPeriod period, string? segment, IReadOnlyList<PlannedQuery> plan, CancellationToken cancellationToken)
    {
        var results = new List<Outcome<object>>();
        foreach (var query in plan)
        {
            results.Add(await budget.RunAsync(query.Call.Purpose, 1, ct => query.Run(queryClient, ct), cancellationToken).ConfigureAwait(false));
        }

        return focus.Kind switch
        {
            FocusKind.Activation => Funnel(period, segment, results[0], results[1]),
            FocusKind.Retention => Retention(focus, period, segment, results[0], results[1]),
            _ => Counts(focus, period, segment, results[0], results.Count > 1 ? results[1] : null),
        };
    }

    private static GuidedReport Counts(FocusOption focus, GuidedPeriod period, string? segment, Outcome<object> trend, Outcome<object>? breakdown)
    {
        var findings = new List<string>();
        object? overall = null;
        object? segments = null;
        if (!trend.Ok)
        {
            findings.Add($"The {focus.Event} trend could not be computed: {trend.Error}");
        }
        else
        {
            var result = (SegmentationResult)trend.Value!;
            var days = Days(result.Series);
            var values = result.Segments.FirstOrDefault()?.Values ?? [];
            var (current, previous) = Split(days, values, period);
            var daily = days.Zip(values).Where(d => d.First >= period.From).ToList();
            var busiest = daily.MaxBy(d => d.Second);
            var quietest = daily.MinBy(d => d.Second);
            findings.Add($"{focus.Event}: {current:N0} in {period} ({period.Days} days), {Versus(current, previous, period)}");
            if (daily.Count > 1)
            {
                findings.Add($"Per day: {current / period.Days:N0} on average; busiest {busiest.First:yyyy-MM-dd} ({busiest.Second:N0}), quietest {quietest.First:yyyy-MM-dd} ({quietest.Second:N0}).");
            }

            overall = new { current, previous, change = Change(current, previous), daily_average = current / period.Days, busiest_day = busiest.First, quietest_day = quietest.First };
        }

        if (breakdown is { } split && segment is not null)
        {
            if (!split.Ok)
            {
                findings.Add($"The breakdown by {segment} could not be computed: {split.Error}");
            }
            else
            {
                var result = (SegmentationResult)split.Value!;
                var days = Days(result.Series);
                var rows = result.Segments.Select(s => (Name: Label(s.Name), Split: Split(days, s.Values, period))).ToList();
                var total = rows.Sum(r => r.Split.Current);
                var previousTotal = rows.Sum(r => r.Split.Previous);
                var ranked = rows.Select(r => new SegmentCount(r.Name, r.Split.Current, r.Split.Previous, Change(r.Split.Current, r.Split.Previous), total == 0 ? 0 : r.Split.Current / total))
                    .OrderByDescending(r => r.Current).ToList();
                var significant = ranked.Where(r => r.Share >= MinShare || (previousTotal > 0 && r.Previous / previousTotal >= MinShare)).ToList();
                segments = ranked;
                if (significant.Count == 0)
                {
                    findings.Add($"By {segment}: no events in {period}.");
                }
                else
                {
                    var bottom = significant[^1];
                    findings.Add($"By {segment}: top {string.Join(", ", significant.Take(3).Select(r => $"{r.Segment} {r.Share:P0} ({r.Current:N0})"))}"
                        + (significant.Count > 3 ? $"; bottom {bottom.Segment} {bottom.Share:P1} ({bottom.Current:N0})." : "."));
                    var moving = significant.Where(r => r.Change is not null).OrderByDescending(r => r.Change).ToList();
                    if (moving.Count >= 2)
                    {
                        findings.Add($"Change by {segment}: {moving[0].Segment} {Percent(moving[0].Change)} (the most), {moving[^1].Segment} {Percent(moving[^1].Change)} (the least), against {Percent(Change(total, previousTotal))} overall.");
                    }
                }
            }
        }

        return new GuidedReport(findings, new { overall, segments });
    }

    private static GuidedReport Funnel(GuidedPeriod period, string? segment, Outcome<object> current, Outcome<object> previous)
    {
        var findings = new List<string>();
        if (!current.Ok)
        {
            findings.Add($"The funnel could not be computed: {current.Error}");
            return new GuidedReport(findings, new { });
        }

        var funnel = (SavedFunnelResult)current.Value!;
        var overall = funnel.Overall;
        var before = previous.Ok ? ((SavedFunnelResult)previous.Value!).Overall : null;
        var name = funnel.Name ?? $"funnel {funnel.FunnelId}";
        var change = before is { Entered: > 0 } ? $"{Points(overall.ConversionRate - before.ConversionRate)} vs {before.ConversionRate:P1} in the previous {period.Days} days"
            : before is null ? $"the previous period could not be computed ({previous.Error})" : $"no one entered in the previous {period.Days} days";
        findings.Add($"'{name}': {overall.Entered:N0} entered in {period}, {overall.Completed:N0} completed ({overall.ConversionRate:P1}); {change}.");
        if (overall.Steps.Count > 1)
        {
            var worst = overall.WorstStep;
            findings.Add($"Weakest step: {worst + 1} ({overall.Steps[worst].Event}), {overall.Steps[worst].StepConversion:P1} of the step before. Entries near {period.To:yyyy-MM-dd} have had less time to convert.");
        }

        var rows = funnel.Segments.Where(s => s.Entered >= Math.Max(MinUsers, MinShare * overall.Entered)).OrderByDescending(s => s.ConversionRate).ToList();
        if (segment is not null && rows.Count >= 2)
        {
            var (best, worst) = (rows[0], rows[^1]);
            var step = worst.WorstStep;
            findings.Add($"By {segment}: best {Label(best.Segment)} {best.ConversionRate:P1} ({best.Entered:N0} entered), worst {Label(worst.Segment)} {worst.ConversionRate:P1} ({worst.Entered:N0}); "
                + $"{Label(worst.Segment)}'s weakest step is {worst.Steps[step].Event} at {worst.Steps[step].StepConversion:P1}, against {best.Steps[step].StepConversion:P1} for {Label(best.Segment)}.");
        }
        else if (segment is not null)
        {
            findings.Add($"By {segment}: fewer than two segments large enough to compare.");
        }

        return new GuidedReport(findings, new
        {
            overall = new { entered = overall.Entered, completed = overall.Completed, conversion = overall.ConversionRate, previous_conversion = before?.ConversionRate, steps = overall.Steps },
            segments = funnel.Segments.Select(s => new { segment = Label(s.Segment), entered = s.Entered, completed = s.Completed, conversion = s.ConversionRate }),
        });
    }

    private static GuidedReport Retention(FocusOption focus, GuidedPeriod period, string? segment, Outcome<object> current, Outcome<object> previous)
    {
        var findings = new List<string>();
        if (!current.Ok)
        {
            findings.Add($"Retention could not be computed: {current.Error}");
            return new GuidedReport(findings, new { });
        }

        var buckets = GuidedPlan.RetentionBuckets(period.Days);
        var result = (RetentionResult)current.Value!;
        var rates = Rates(result.Overall, buckets);
        var users = result.Overall.Cohorts.Sum(c => c.First);
        var marks = new[] { 1, 7, buckets }.Distinct().Where(rates.ContainsKey).ToList();
        findings.Add($"Retention after {focus.Event} ({users:N0} users born in {period}): {(marks.Count == 0 ? "no day is observable yet" : string.Join(", ", marks.Select(d => $"day {d} {rates[d]:P1}")))}.");
        if (!previous.Ok)
        {
            findings.Add($"The previous period could not be computed: {previous.Error}");
        }
        else
        {
            var before = (RetentionResult)previous.Value!;
            var earlier = Rates(before.Overall, buckets);
            var both = marks.Where(earlier.ContainsKey).ToList();
            findings.Add(before.Overall.Cohorts.Sum(c => c.First) == 0 || both.Count == 0
                ? $"No users were born in the previous {period.Days} days ({period.PreviousFrom:yyyy-MM-dd}..{period.PreviousTo:yyyy-MM-dd}), so there is no change to compare."
                : $"Against the previous {period.Days} days: {string.Join(", ", both.Select(d => $"day {d} {Points(rates[d] - earlier[d])} (was {earlier[d]:P1})"))}.");
        }

        var key = rates.ContainsKey(7) ? 7 : 1;
        var rows = result.Segments
            .Select(s => (Segment: Label(s.Segment), Users: s.Cohorts.Sum(c => c.First), Rates: Rates(s, buckets)))
            .Where(s => s.Users >= Math.Max(MinUsers, MinShare * users) && s.Rates.ContainsKey(key))
            .OrderByDescending(s => s.Rates[key]).ToList();
        if (segment is not null && rows.Count >= 2)
        {
            findings.Add($"By {segment} (day {key}): best {rows[0].Segment} {rows[0].Rates[key]:P1} ({rows[0].Users:N0} users), worst {rows[^1].Segment} {rows[^1].Rates[key]:P1} ({rows[^1].Users:N0}).");
        }
        else if (segment is not null)
        {
            findings.Add($"By {segment}: fewer than two segments large enough to compare.");
        }

        return new GuidedReport(findings, new
        {
            overall = new { users, rates = rates.ToDictionary(r => $"day_{r.Key}", r => r.Value) },
            segments = rows.Select(r => new { segment = r.Segment, users = r.Users, rates = r.Rates.ToDictionary(x => $"day_{x.Key}", x => x.Value) }),
        });
    }

    /// <summary>Size-weighted rates for the buckets at least one cohort could reach (so "not observable yet" is not shown as 0%).</summary>
    private static Dictionary<int, double> Rates(RetentionSegment segment, int buckets)
    {
        var weighted = segment.WeightedRates(buckets + 1);
        return Enumerable.Range(1, buckets).Where(i => segment.Cohorts.Any(c => c.Counts.Count > i && c.First > 0)).ToDictionary(i => i, i => weighted[i]);
    }

    private static List<DateOnly> Days(IReadOnlyList<string> series) =>
        [.. series.Select(key => DateOnly.ParseExact(key[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture))];

    private static (double Current, double Previous) Split(IReadOnlyList<DateOnly> days, IReadOnlyList<double> values, GuidedPeriod period)
    {
        double current = 0, previous = 0;
        for (var i = 0; i < days.Count && i < values.Count; i++)
        {
            if (days[i] >= period.From && days[i] <= period.To)
            {
                current += values[i];
            }
            else if (days[i] >= period.PreviousFrom && days[i] <= period.PreviousTo)
            {
                previous += values[i];
            }
        }

        return (current, previous);
    }

    private static string Versus(double current, double previous, GuidedPeriod period) =>
        previous == 0
            ? $"and none in the previous {period.Days} days ({period.PreviousFrom:yyyy-MM-dd}..{period.PreviousTo:yyyy-MM-dd}), so there is no change to compare (the data may not reach back that far)."
            : $"{Percent(Change(current, previous))} vs {previous:N0} in the previous {period.Days} days.";

    private static double? Change(double current, double previous) => previous == 0 ? null : (current - previous) / previous;

    private static string Percent(double? change) => change is { } c ? c.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture) : "n/a";

    private static string Points(double difference) => (difference * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " pp";

    private static string Label(string segment) => segment is "undefined" or "" ? "(not set)" : segment;

    private sealed record SegmentCount(string Segment, double Current, double Previous, double? Change, double Share);
}
