using System.Globalization;
using MixpanelData.Queries;

namespace MixpanelData.Insights.Analysis;

/// <summary>One step of the overall funnel.</summary>
/// <param name="Step">1-based.</param>
/// <param name="Event">The step's event (or label).</param>
/// <param name="Count">Users who reached it.</param>
/// <param name="OverallConversion">From step 1.</param>
/// <param name="Conversion">From the previous step (1 for step 1).</param>
/// <param name="Lost">Users who reached the previous step but not this one.</param>
/// <param name="AverageHoursFromPrevious">Mean hours from the previous step, when the funnel result carries times.</param>
public sealed record StepSummary(int Step, string Event, long Count, double Conversion, double OverallConversion, long Lost, double? AverageHoursFromPrevious);

/// <summary>A segment's conversion at one transition (previous step → step) against the rest of its dimension.</summary>
/// <param name="Dimension">The property broken down by.</param>
/// <param name="Segment">The property's value.</param>
/// <param name="Step">The 1-based step reached.</param>
/// <param name="Converted">Of them, users who reached the step.</param>
/// <param name="RestEntered">Users of the other segments at the previous step.</param>
/// <param name="Entered">Users of the segment at the previous step (the sample size).</param>
/// <param name="Rate">Of them, the share reaching the step.</param>
/// <param name="RestRate">The same for all other segments of the dimension together.</param>
/// <param name="Z">Two-proportion z of the segment against the rest (pooled standard error).</param>
public sealed record SegmentRate(string Dimension, string Segment, int Step, long Entered, long Converted, double Rate, long RestEntered, double RestRate, double Z)
{
    /// <summary>The segment's rate minus the rest's.</summary>
    public double Gap => Rate - RestRate;
}

/// <summary>Best and worst segments of one dimension at one transition (segments with at least the minimum sample).</summary>
/// <param name="Step">The 1-based step reached.</param>
/// <param name="Transition">Previous step → step.</param>
/// <param name="Best">The best segment there, if any has the sample.</param>
/// <param name="Worst">The worst segment there.</param>
public sealed record StepSegments(int Step, string Transition, SegmentRate? Best, SegmentRate? Worst);

/// <summary>A segment's own weakest transition.</summary>
/// <param name="Segment">The property's value.</param>
/// <param name="Step">The 1-based step reached.</param>
/// <param name="Transition">Previous step → step.</param>
/// <param name="Rate">The segment's conversion there.</param>
/// <param name="Entered">The segment's users at the previous step.</param>
public sealed record SegmentWorstStep(string Segment, int Step, string Transition, double Rate, long Entered);

/// <summary>One dimension of the report.</summary>
/// <param name="Dimension">The property broken down by.</param>
/// <param name="Steps">Best and worst segments per transition.</param>
/// <param name="WorstStepPerSegment">Each segment's weakest transition.</param>
/// <param name="SegmentsBelowMinimum">Segments too small to compare anywhere.</param>
public sealed record FunnelDimension(string Dimension, IReadOnlyList<StepSegments> Steps, IReadOnlyList<SegmentWorstStep> WorstStepPerSegment, int SegmentsBelowMinimum);

/// <summary>A recommendation and the figures it rests on.</summary>
/// <param name="Text">The recommendation, citing its figures.</param>
/// <param name="PotentialUsers">Users who would complete the funnel if the gap were closed (estimate, see the rules); null for general ones.</param>
public sealed record Recommendation(string Text, double? PotentialUsers);

/// <summary>
/// The pure arithmetic of <c>funnel_optimization_report</c>. Rules:
/// <list type="bullet">
/// <item>The worst step is the transition with the lowest conversion from the previous step.</item>
/// <item>Per dimension and transition, only segments with at least <c>minSample</c> users at the previous step are compared;
/// each is tested against the rest of its dimension with a two-proportion z (|z| ≥ 3 counts as a real difference).</item>
/// <item>A segment gets a recommendation when it is significantly below the rest (z ≤ −3) by at least 5 points at a
/// transition; its potential is the users who would then complete the funnel: entered × gap × the segment's own
/// conversion over the later steps. Segments with identical counts in several dimensions (the same users, e.g.
/// <c>platform</c> = Android and <c>$os</c> = Android) are merged.</item>
/// </list>
/// </summary>
internal static class FunnelAnalysis
{
    public const double SignificantZ = 3;

    /// <summary>How the segment of users without the property (Mixpanel's <c>undefined</c>) is shown; it is compared but never recommended on.</summary>
    public const string NotSet = "(not set)";
    public const double MinimumGap = 0.05;

    public static IReadOnlyList<StepSummary> Steps(FunnelSteps overall) =>
    [
        .. overall.Steps.Select((s, i) => new StepSummary(
            i + 1,
            s.Label ?? s.Event,
            s.Count,
            i == 0 ? 1 : s.StepConversion,
            s.OverallConversion,
            i == 0 ? 0 : overall.Steps[i - 1].Count - s.Count,
            s.AverageSecondsFromPrevious is { } sec ? Math.Round(sec / 3600, 3) : null)),
    ];

    /// <summary>The 1-based step whose conversion from the previous one is lowest (0 for a one-step funnel).</summary>
    public static int WorstStep(FunnelSteps overall) => overall.Steps.Count < 2 ? 0 : overall.WorstStep + 1;

    public static FunnelDimension Dimension(string dimension, IReadOnlyList<string> stepNames, IReadOnlyList<FunnelSteps> segments, long minSample)
    {
        var steps = new List<StepSegments>();
        var eligibleAnywhere = new HashSet<string>(StringComparer.Ordinal);
        for (var step = 2; step <= stepNames.Count; step++)
        {
            var rates = Rates(dimension, segments, step, minSample);
            eligibleAnywhere.UnionWith(rates.Select(r => r.Segment));
            var best = rates.OrderByDescending(r => r.Rate).ThenByDescending(r => r.Entered).FirstOrDefault();
            var worst = rates.OrderBy(r => r.Rate).ThenByDescending(r => r.Entered).FirstOrDefault();
            steps.Add(new StepSegments(step, Transition(stepNames, step), best, rates.Count > 1 ? worst : null));
        }

        var worstPerSegment = segments
            .Where(s => stepNames.Count >= 2 && s.Steps.Count == stepNames.Count && s.Entered >= minSample)
            .Select(s =>
            {
                var index = s.WorstStep;
                return new SegmentWorstStep(s.Segment == "undefined" ? NotSet : s.Segment, index + 1, Transition(stepNames, index + 1), s.Steps[index].StepConversion, s.Steps[index - 1].Count);
            })
            .ToList();
        return new FunnelDimension(dimension, steps, worstPerSegment, segments.Count(s => s.Entered < minSample));
    }

    /// <summary>Every eligible segment's rate at one transition against the rest of its dimension.</summary>
    public static IReadOnlyList<SegmentRate> Rates(string dimension, IReadOnlyList<FunnelSteps> segments, int step, long minSample)
    {
        var usable = segments.Where(s => s.Steps.Count >= step).ToList();
        var totalIn = usable.Sum(s => s.Steps[step - 2].Count);
        var totalOut = usable.Sum(s => s.Steps[step - 1].Count);
        var rates = new List<SegmentRate>();
        foreach (var s in usable)
        {
            long entered = s.Steps[step - 2].Count, converted = s.Steps[step - 1].Count;
            if (entered < minSample)
            {
                continue;
            }

            long restIn = totalIn - entered, restOut = totalOut - converted;
            var rate = (double)converted / entered;
            var restRate = restIn > 0 ? (double)restOut / restIn : double.NaN;
            rates.Add(new SegmentRate(dimension, s.Segment == "undefined" ? NotSet : s.Segment, step, entered, converted, rate, restIn, restIn > 0 ? restRate : 0, restIn > 0 ? TwoProportionZ(converted, entered, restOut, restIn) : 0));
        }

        return rates;
    }

    /// <summary>z of p1 − p2 with the pooled standard error; 0 when either side is empty or nothing varies.</summary>
    public static double TwoProportionZ(long x1, long n1, long x2, long n2) => Statistics.PooledZ(x1, n1, x2, n2) ?? 0;

    /// <summary>Recommendations grounded in the figures, largest potential first, each citing its numbers.</summary>
    public static IReadOnlyList<Recommendation> Recommend(IReadOnlyList<string> stepNames, FunnelSteps overall, IReadOnlyList<(string Dimension, IReadOnlyList<FunnelSteps> Segments)> breakdowns, long minSample, int max = 6)
    {
        var recommendations = new List<Recommendation>();
        var worst = WorstStep(overall);
        if (worst > 0)
        {
            var at = overall.Steps[worst - 1];
            var before = overall.Steps[worst - 2];
            recommendations.Add(new Recommendation(
                Invariant($"Start with step {worst} ({Transition(stepNames, worst)}): it converts {at.StepConversion:0.0%} ({at.Count:N0} of {before.Count:N0}), the lowest of the funnel, losing {before.Count - at.Count:N0} users."),
                null));
        }

        var gaps = new List<(SegmentRate Rate, double Potential, FunnelSteps Segment)>();
        foreach (var (dimension, segments) in breakdowns)
        {
            for (var step = 2; step <= stepNames.Count; step++)
            {
                foreach (var rate in Rates(dimension, segments, step, minSample).Where(r => r.Z <= -SignificantZ && -r.Gap >= MinimumGap && r.Segment != NotSet))
                {
                    var segment = segments.First(s => s.Segment == rate.Segment);
                    var downstream = 1.0;
                    for (var later = step + 1; later <= stepNames.Count && later <= segment.Steps.Count; later++)
                    {
                        downstream *= segment.Steps[later - 1].StepConversion;
                    }

                    gaps.Add((rate, rate.Entered * -rate.Gap * downstream, segment));
                }
            }
        }

        // The same users seen through several dimensions (platform = Android, $os = Android) make one recommendation.
        var merged = gaps
            .GroupBy(g => (g.Rate.Step, g.Rate.Entered, g.Rate.Converted))
            .Select(g => (First: g.OrderBy(x => x.Rate.Dimension, StringComparer.Ordinal).First(), Aliases: g.Select(x => $"{x.Rate.Dimension} = {x.Rate.Segment}").Order(StringComparer.Ordinal).ToList()))
            .OrderByDescending(g => g.First.Potential)
            .ToList();
        foreach (var (first, aliases) in merged)
        {
            var (rate, potential, segment) = first;
            var others = OtherSteps(stepNames, segment, rate, breakdowns.First(b => b.Dimension == rate.Dimension).Segments, minSample);
            var same = aliases.Count > 1 ? $" (same users: {string.Join(", ", aliases)})" : string.Empty;
            recommendations.Add(new Recommendation(
                Invariant($"Fix {Transition(stepNames, rate.Step)} for {rate.Dimension} = {rate.Segment}{same}: {rate.Rate:0.0%} convert ({rate.Converted:N0} of {rate.Entered:N0}) against {rate.RestRate:0.0%} for the rest of {rate.Dimension} (n = {rate.RestEntered:N0}, z = {rate.Z:0.0}). {others}Matching the rest would add about {potential:N0} users completing the funnel."),
                Math.Round(potential)));
        }

        var bestAtWorst = breakdowns
            .SelectMany(b => worst > 0 ? Rates(b.Dimension, b.Segments, worst, minSample) : [])
            .Where(r => r.Z >= SignificantZ && r.Gap >= MinimumGap && r.Segment != NotSet)
            .OrderByDescending(r => r.Gap)
            .ThenBy(r => r.Dimension, StringComparer.Ordinal)
            .FirstOrDefault();
        if (bestAtWorst is not null)
        {
            recommendations.Add(new Recommendation(
                Invariant($"Learn from {bestAtWorst.Dimension} = {bestAtWorst.Segment} at step {worst}: {bestAtWorst.Rate:0.0%} convert ({bestAtWorst.Converted:N0} of {bestAtWorst.Entered:N0}) against {bestAtWorst.RestRate:0.0%} for the rest (z = {bestAtWorst.Z:0.0})."),
                null));
        }

        var slowest = overall.Steps.Skip(1).Select((s, i) => (Step: i + 2, s.AverageSecondsFromPrevious)).Where(s => s.AverageSecondsFromPrevious is not null).OrderByDescending(s => s.AverageSecondsFromPrevious).FirstOrDefault();
        if (slowest.AverageSecondsFromPrevious is { } seconds && seconds >= 6 * 3600)
        {
            recommendations.Add(new Recommendation(
                Invariant($"Step {slowest.Step} ({Transition(stepNames, slowest.Step)}) takes {seconds / 3600:0.#} h on average: a prompt or reminder between these steps could shorten it."),
                null));
        }

        return [.. recommendations.Take(max)];
    }

    public static string Transition(IReadOnlyList<string> stepNames, int step) => step < 2 || step > stepNames.Count ? stepNames.FirstOrDefault() ?? string.Empty : $"{stepNames[step - 2]} → {stepNames[step - 1]}";

    // Whether the segment's other transitions are in line with the rest: it tells a local problem from a generally weaker segment.
    private static string OtherSteps(IReadOnlyList<string> stepNames, FunnelSteps segment, SegmentRate rate, IReadOnlyList<FunnelSteps> all, long minSample)
    {
        var parts = new List<string>();
        for (var step = 2; step <= stepNames.Count; step++)
        {
            if (step == rate.Step)
            {
                continue;
            }

            var other = Rates(rate.Dimension, all, step, minSample).FirstOrDefault(r => r.Segment == segment.Segment);
            if (other is not null)
            {
                var verdict = Math.Abs(other.Z) < SignificantZ || Math.Abs(other.Gap) < MinimumGap ? "in line" : other.Gap < 0 ? "also lower" : "higher";
                parts.Add(Invariant($"step {step} ({Transition(stepNames, step)}) is {verdict}: {other.Rate:0.0%} vs {other.RestRate:0.0%}"));
            }
        }

        return parts.Count == 0 ? string.Empty : $"Its {string.Join("; ", parts)}. ";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
