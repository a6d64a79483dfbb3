using System.ComponentModel;
using System.Globalization;
using MixpanelData.Insights;
using MixpanelData.Insights.Analysis;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary><c>funnel_optimization_report</c>: maps <see cref="InsightsClient.FunnelReportAsync"/>, and asks the client's model for a narrative when offered.</summary>
[McpServerToolType]
[Toolset("intelligent")]
internal sealed class FunnelOptimizationTool(WorkspaceHolder workspaces, TimeProvider time)
{
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
        var r = await workspaces.Current.Insights.FunnelReportAsync(new FunnelReportRequest(funnel_id, from, to) { Dimensions = dimensions, Budget = budget, MinSample = min_sample }, cancellationToken).ConfigureAwait(false);
        var narrative = await SmartOutput.NarrateAsync(server, r.Findings, cancellationToken).ConfigureAwait(false);
        var value = new
        {
            funnel_id,
            name = r.Funnel.Name,
            range = new { from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), days_since_end = today.DayNumber - to.DayNumber },
            steps = r.Steps.Select(s => new { s.Step, s.Event, s.Count, conversion = SmartOutput.Round(s.Conversion, 4), overall_conversion = SmartOutput.Round(s.OverallConversion, 4), s.Lost, average_hours_from_previous = s.AverageHoursFromPrevious }),
            time_to_convert = r.Steps.Any(s => s.AverageHoursFromPrevious is not null) ? "average hours from the previous step, as the funnel result reports them" : "the funnel result carries no times",
            worst_step = r.WorstStep == 0 ? null : new { step = r.WorstStep, transition = r.WorstTransition, conversion = SmartOutput.Round(r.Steps[r.WorstStep - 1].Conversion, 4) },
            min_sample,
            dimensions = r.Dimensions.Select(d => new
            {
                d.Dimension,
                steps = d.Steps.Select(s => new { s.Step, s.Transition, best = Shape(s.Best), worst = Shape(s.Worst) }),
                worst_step_per_segment = d.WorstStepPerSegment.Select(w => new { w.Segment, w.Step, w.Transition, rate = SmartOutput.Round(w.Rate, 4), w.Entered }),
                segments_below_min_sample = d.SegmentsBelowMinimum,
            }),
            high_cardinality = r.HighCardinality,
            dimension_errors = r.DimensionErrors,
            not_examined = r.NotExamined,
            recommendations = r.Recommendations.Select(x => new { x.Text, potential_users = x.PotentialUsers }),
            rules = r.Rules,
            budget = r.Spend,
            narrative = SmartOutput.Shape(narrative),
        };
        return ToolJson.Result(value, SmartOutput.Summary(r.Findings, narrative));
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
}
