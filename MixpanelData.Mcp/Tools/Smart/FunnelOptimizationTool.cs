using System.ComponentModel;
using System.Globalization;
using System.Text;
using MixpanelData.Mcp.Hosting;

using MixpanelData.Queries;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

using MixpanelData.Analytics;
using MixpanelData.Insights;
using MixpanelData.Insights.Analysis;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// <c>funnel_optimization_report</c>: a saved funnel's step-by-step conversion and time to convert, its worst step, the best
/// and worst segments per step over dimensions chosen from the first step event's real properties, and recommendations
/// that cite their figures (rules in <see cref="FunnelAnalysis"/>).
/// Query plan: 1 call for the funnel list (validates the id, names the funnel), 1 for the funnel, 1 for the first
/// step event's properties, 1 per dimension.
/// </summary>
[McpServerToolType]
[Toolset("intelligent")]
internal sealed class FunnelOptimizationTool(WorkspaceHolder workspaces, TimeProvider time)
{
    private const int SegmentLimit = 30;

    [McpServerTool(Name = "funnel_optimization_report", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Report on a saved funnel: step conversion and average time to convert, the worst step, best/worst segments per step across dimensions from the first step's properties (min sample, z-test), and recommendations citing their figures. Default range: the 30 entry days ending a week before yesterday, so entrants had time to convert. Spends at most budget Query API calls. Narrative via client sampling when offered.")]
    public async Task<CallToolResult> Report(
        McpServer server,
        [Description("Saved funnel id (list_funnels).")] long funnel_id,
        [Description("First entry day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last entry day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Property names of the first step event to break down by; default chosen from its properties.")] string[]? dimensions = null,
        [Description("Most Query API calls to spend (3-30).")] int budget = 8,
        [Description("Fewest users at a step for a segment to be compared there.")] int min_sample = 100,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(budget, 3, 30, "budget");
        Guard.Range(min_sample, 10, 1_000_000, "min_sample");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var to = Guard.Date(to_date, today.AddDays(-8), "to_date");
        var from = Guard.Date(from_date, to.AddDays(-29), "from_date");
        if (from > to)
        {
            throw new ArgumentException($"from_date {from:yyyy-MM-dd} is after to_date {to:yyyy-MM-dd}; swap them.");
        }
        var workspace = workspaces.Current;
        var spend = new QueryBudget(budget);

        var funnels = SmartOutput.Required(await spend.RunAsync("saved funnels", 1, ct => workspace.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false), "The funnel list");
        if (funnels.All(f => f.FunnelId != funnel_id))
        {
            throw new ArgumentException($"{funnel_id} is not a saved funnel of this project. Saved funnels: {string.Join("; ", funnels.Take(20).Select(f => $"{f.FunnelId} ({f.Name})"))}.");
        }

        var overall = SmartOutput.Required(
            await spend.RunAsync($"funnel {funnel_id} overall", 2, ct => workspace.Query.FunnelAsync(new SavedFunnelQuery(funnel_id, from, to), ct), cancellationToken).ConfigureAwait(false),
            $"Funnel {funnel_id}");
        var stepNames = overall.Overall.Steps.Select(s => s.Label ?? s.Event).ToList();
        if (overall.Overall.Entered == 0)
        {
            throw new ArgumentException($"Nobody entered funnel {funnel_id} between {from:yyyy-MM-dd} and {to:yyyy-MM-dd}; choose a range with activity.");
        }

        var firstEvent = overall.Overall.Steps[0].Event;
        var (chosen, skipped, failures) = await SmartDimensions.ChooseAsync(workspace.Discovery, spend, firstEvent, dimensions, reserve: 0, cancellationToken).ConfigureAwait(false);
        var breakdowns = await Task.WhenAll(chosen.Select(d => spend.RunAsync(
            $"funnel {funnel_id} by {d.Property}",
            1,
            ct => workspace.Query.FunnelAsync(new SavedFunnelQuery(funnel_id, from, to) { On = d.Expression, Limit = SegmentLimit }, ct),
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
        var analysed = usable.Select(u => FunnelAnalysis.Dimension(u.Dimension, stepNames, u.Segments, min_sample)).ToList();
        var recommendations = FunnelAnalysis.Recommend(stepNames, overall.Overall, usable, min_sample);
        var findings = Findings(overall, from, to, steps, worst, stepNames, analysed, recommendations, highCardinality, failures, spend);
        var narrative = await SmartOutput.NarrateAsync(server, findings, cancellationToken).ConfigureAwait(false);
        var value = new
        {
            funnel_id,
            name = overall.Name,
            range = new { from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), days_since_end = today.DayNumber - to.DayNumber },
            steps = steps.Select(s => new { s.Step, s.Event, s.Count, conversion = SmartOutput.Round(s.Conversion, 4), overall_conversion = SmartOutput.Round(s.OverallConversion, 4), s.Lost, average_hours_from_previous = s.AverageHoursFromPrevious }),
            time_to_convert = steps.Any(s => s.AverageHoursFromPrevious is not null) ? "average hours from the previous step, as the funnel result reports them" : "the funnel result carries no times",
            worst_step = worst == 0 ? null : new { step = worst, transition = FunnelAnalysis.Transition(stepNames, worst), conversion = SmartOutput.Round(steps[worst - 1].Conversion, 4) },
            min_sample,
            dimensions = analysed.Select(d => new
            {
                d.Dimension,
                steps = d.Steps.Select(s => new { s.Step, s.Transition, best = Shape(s.Best), worst = Shape(s.Worst) }),
                worst_step_per_segment = d.WorstStepPerSegment.Select(w => new { w.Segment, w.Step, w.Transition, rate = SmartOutput.Round(w.Rate, 4), w.Entered }),
                segments_below_min_sample = d.SegmentsBelowMinimum,
            }),
            high_cardinality = highCardinality,
            dimension_errors = failures,
            not_examined = skipped,
            recommendations = recommendations.Select(r => new { r.Text, potential_users = r.PotentialUsers }),
            rules = $"Segments need >= {min_sample} users at the step's start; each is compared with the rest of its dimension by a two-proportion z (|z| >= 3 = real). Recommendations: segments with z <= -3 and >= 5 points below the rest; potential = entered x gap x the segment's later-step conversion.",
            budget = spend.Report(),
            narrative = SmartOutput.Shape(narrative),
        };
        return ToolJson.Result(value, SmartOutput.Summary(findings, narrative));
    }

    private static object? Shape(SegmentRate? rate) => rate is null ? null : new
    {
        rate.Segment,
        rate = SmartOutput.Round(rate.Rate, 4),
        rate.Entered,
        rate.Converted,
        rest_rate = SmartOutput.Round(rate.RestRate, 4),
        z = SmartOutput.Round(rate.Z, 2),
    };

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
