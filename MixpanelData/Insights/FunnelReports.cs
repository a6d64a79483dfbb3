using System.Globalization;
using System.Text;
using MixpanelData.Insights.Analysis;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>A saved funnel to report on.</summary>
/// <param name="FunnelId">The saved funnel's id.</param>
/// <param name="From">First entry day.</param>
/// <param name="To">Last entry day.</param>
public sealed record FunnelReportRequest(long FunnelId, DateOnly From, DateOnly To)
{
    /// <summary>Properties of the first step's event to break down by; default chosen among its properties.</summary>
    public IReadOnlyList<string>? Dimensions { get; init; }

    /// <summary>Most Query API calls to spend (3-30).</summary>
    public int Budget { get; init; } = 8;

    /// <summary>Fewest users at a step for a segment to be compared there.</summary>
    public int MinSample { get; init; } = 100;
}

/// <summary>A saved funnel's weak steps: step conversion and time to convert, the worst step, best and worst segments per step, recommendations.</summary>
/// <param name="Funnel">The overall funnel result.</param>
/// <param name="From">First entry day.</param>
/// <param name="To">Last entry day.</param>
/// <param name="Steps">Each step of the overall funnel.</param>
/// <param name="WorstStep">The 1-based step with the lowest conversion from the previous one (0 for a one-step funnel).</param>
/// <param name="StepNames">The steps' names.</param>
/// <param name="Dimensions">Each dimension compared.</param>
/// <param name="HighCardinality">Dimensions with more values than a breakdown keeps (not compared).</param>
/// <param name="DimensionErrors">Dimensions that could not be examined.</param>
/// <param name="NotExamined">Dimensions left out (rules or budget).</param>
/// <param name="Recommendations">Recommendations citing their figures, largest potential first.</param>
/// <param name="MinSample">Fewest users at a step for a segment to be compared.</param>
/// <param name="Findings">The findings in words, every figure cited.</param>
/// <param name="Spend">The Query API budget and what was spent.</param>
public sealed record FunnelReport(
    SavedFunnelResult Funnel,
    DateOnly From,
    DateOnly To,
    IReadOnlyList<StepSummary> Steps,
    int WorstStep,
    IReadOnlyList<string> StepNames,
    IReadOnlyList<FunnelDimension> Dimensions,
    IReadOnlyList<string> HighCardinality,
    IReadOnlyList<SkippedProperty> DimensionErrors,
    IReadOnlyList<SkippedProperty> NotExamined,
    IReadOnlyList<Recommendation> Recommendations,
    int MinSample,
    string Findings,
    QuerySpend Spend)
{
    /// <summary>The worst transition in words (previous step → step), or null for a one-step funnel.</summary>
    public string? WorstTransition => WorstStep == 0 ? null : FunnelAnalysis.Transition(StepNames, WorstStep);

    /// <summary>How segments are compared and recommendations made.</summary>
    public string Rules => $"Segments need >= {MinSample} users at the step's start; each is compared with the rest of its dimension by a two-proportion z (|z| >= 3 = real). Recommendations: segments with z <= -3 and >= 5 points below the rest; potential = entered x gap x the segment's later-step conversion.";
}

/// <summary>
/// A saved funnel's step-by-step report (rules in <see cref="FunnelAnalysis"/>). Query plan: 1 call for the funnel list
/// (validates the id, names the funnel), 1 for the funnel, 1 for the first step event's properties, 1 per dimension.
/// </summary>
internal sealed class FunnelReports(InsightSources sources)
{
    private const int SegmentLimit = 30;

    public async Task<FunnelReport> ReportAsync(FunnelReportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        InsightArguments.Range(request.Budget, 3, 30, "budget");
        InsightArguments.Range(request.MinSample, 10, 1_000_000, "min_sample");
        var (from, to) = InsightArguments.Days(request.From, request.To);

        var spend = new QueryBudget(request.Budget);

        var funnels = (await spend.RunAsync("saved funnels", 1, ct => sources.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false)).Require("The funnel list");
        if (funnels.All(f => f.FunnelId != request.FunnelId))
        {
            throw new ArgumentException($"{request.FunnelId} is not a saved funnel of this project. Saved funnels: {string.Join("; ", funnels.Take(20).Select(f => $"{f.FunnelId} ({f.Name})"))}.");
        }

        var overall = (await spend.RunAsync($"funnel {request.FunnelId} overall", 2, ct => sources.Query.FunnelAsync(new SavedFunnelQuery(request.FunnelId, from, to), ct), cancellationToken).ConfigureAwait(false)).Require($"Funnel {request.FunnelId}");
        var stepNames = overall.Overall.Steps.Select(s => s.Label ?? s.Event).ToList();
        if (overall.Overall.Entered == 0)
        {
            throw new ArgumentException($"Nobody entered funnel {request.FunnelId} between {from:yyyy-MM-dd} and {to:yyyy-MM-dd}; choose a range with activity.");
        }

        var firstEvent = overall.Overall.Steps[0].Event;
        var (chosen, skipped, failures) = await SmartDimensions.ChooseAsync(sources.Discovery, spend, firstEvent, request.Dimensions, reserve: 0, cancellationToken).ConfigureAwait(false);
        var breakdowns = await Task.WhenAll(chosen.Select(d => spend.RunAsync(
            $"funnel {request.FunnelId} by {d.Property}",
            1,
            ct => sources.Query.FunnelAsync(new SavedFunnelQuery(request.FunnelId, from, to) { On = d.Expression, Limit = SegmentLimit }, ct),
            cancellationToken))).ConfigureAwait(false);

        var usable = new List<(string Dimension, IReadOnlyList<FunnelSteps> Segments)>();
        var highCardinality = new List<string>();
        for (var i = 0; i < chosen.Count; i++)
        {
            if (breakdowns[i] is { Ok: true, Value: { } result })
            {
                if (result.Funnel.SegmentLimitHit)
                {
                    highCardinality.Add(chosen[i].Property);
                }
                else
                {
                    usable.Add((chosen[i].Property, result.Segments));
                }
            }
            else
            {
                failures.Add(new SkippedProperty(chosen[i].Property, $"breakdown failed: {breakdowns[i].Error}"));
            }
        }

        var steps = FunnelAnalysis.Steps(overall.Overall);
        var worst = FunnelAnalysis.WorstStep(overall.Overall);
        var analysed = usable.Select(u => FunnelAnalysis.Dimension(u.Dimension, stepNames, u.Segments, request.MinSample)).ToList();
        var recommendations = FunnelAnalysis.Recommend(stepNames, overall.Overall, usable, request.MinSample);
        var findings = Findings(overall, from, to, steps, worst, stepNames, analysed, recommendations, highCardinality, failures, spend);
        return new FunnelReport(overall, from, to, steps, worst, stepNames, analysed, highCardinality, failures, skipped, recommendations, request.MinSample, findings, spend.Report());
    }

    private static string StepText(StepSummary s) => s.Step == 1
        ? FormattableString.Invariant($"{s.Event} {s.Count:N0}")
        : FormattableString.Invariant($"{s.Event} {s.Count:N0} ({s.Conversion:0.0%}{(s.AverageHoursFromPrevious is { } h ? ", avg " + Duration(h) : string.Empty)})");

    private static string Duration(double hours) => hours < 1.5
        ? FormattableString.Invariant($"{hours * 60:0} min")
        : FormattableString.Invariant($"{hours:0.#} h");

    private static string Findings(SavedFunnelResult overall, DateOnly from, DateOnly to, IReadOnlyList<StepSummary> steps, int worst, IReadOnlyList<string> stepNames, IReadOnlyList<FunnelDimension> dimensions, IReadOnlyList<Recommendation> recommendations, IReadOnlyList<string> highCardinality, IReadOnlyList<SkippedProperty> failures, QueryBudget spend)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{overall.Name ?? $"Funnel {overall.FunnelId}"}, entries {from:yyyy-MM-dd}..{to:yyyy-MM-dd}: ");
        text.AppendJoin(" → ", steps.Select(StepText));
        text.Append(CultureInfo.InvariantCulture, $"; overall {overall.Overall.ConversionRate:0.0%}.\n");
        if (worst > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Worst step: {worst} ({FunnelAnalysis.Transition(stepNames, worst)}) at {steps[worst - 1].Conversion:0.0%}.\n");
        }

        foreach (var d in dimensions)
        {
            var parts = d.Steps.Where(s => s.Worst is not null).Select(s => string.Create(CultureInfo.InvariantCulture,
                $"step {s.Step} worst {s.Worst!.Segment} {s.Worst.Rate:0.0%} (n {s.Worst.Entered:N0}, z {s.Worst.Z:0.0}), best {s.Best!.Segment} {s.Best.Rate:0.0%} (n {s.Best.Entered:N0})"));
            text.Append(CultureInfo.InvariantCulture, $"By {d.Dimension}: {string.Join("; ", parts)}.\n");
        }

        if (highCardinality.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Not compared (more than {SegmentLimit} values): {string.Join(", ", highCardinality)}.\n");
        }

        foreach (var f in failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"{f.Property}: {f.Reason}.\n");
        }

        text.Append("Recommendations:\n");
        foreach (var (r, i) in recommendations.Select((r, i) => (r, i)))
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {r.Text}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Query API calls: {spend.Spent} of a budget of {spend.Limit}.");
        return text.ToString();
    }
}
