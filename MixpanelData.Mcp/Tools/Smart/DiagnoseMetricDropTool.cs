using System.ComponentModel;
using System.Globalization;
using MixpanelData.Insights;
using MixpanelData.Insights.Analysis;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary><c>diagnose_metric_drop</c>: maps <see cref="InsightsClient.DiagnoseDropAsync"/>, and asks the client's model for a narrative when offered.</summary>
[McpServerToolType]
[Toolset("intelligent")]
internal sealed class DiagnoseMetricDropTool(WorkspaceHolder workspaces, TimeProvider time)
{
    [McpServerTool(Name = "diagnose_metric_drop", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Diagnose a suspected drop in an event's daily count: compares the window with the same weekdays 1 and 2 weeks earlier (z-score), breaks it down by the event's own properties (or dimensions) and ranks falling segments by contribution, with a confidence. Spends at most budget Query API calls (measured, reported). Narrative via client sampling when offered.")]
    public async Task<CallToolResult> Diagnose(
        McpServer server,
        [Description("Event name, e.g. Sign Up.")] string @event,
        [Description("Last day of the suspected drop, YYYY-MM-DD; default yesterday (UTC).")] string? date = null,
        [Description("Length of the drop window in days (1-14).")] int days = 1,
        [Description("Property names to break down by; default chosen from the event's properties.")] string[]? dimensions = null,
        [Description("Most Query API calls to spend (3-30).")] int budget = 10,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(days, 1, 14, "days");
        Guard.Range(budget, 3, 30, "budget");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var request = new MetricDropRequest(@event) { LastDay = Guard.Date(date, today.AddDays(-1), "date"), Days = days, Dimensions = dimensions, Budget = budget };
        var d = await workspaces.Current.Insights.DiagnoseDropAsync(request, cancellationToken).ConfigureAwait(false);
        var narrative = await SmartOutput.NarrateAsync(server, d.Findings, cancellationToken).ConfigureAwait(false);
        var explanation = d.Explanation;
        var value = new
        {
            @event = d.Event,
            window = new { from = Day(d.Window.From), to = Day(d.Window.To), days = d.Window.Days },
            baseline = d.Window.Describe(),
            total = Shape(d.Total),
            total_verdict = d.Total.Verdict,
            explanation = new { explanation.Dimension, explanation.Segment, explanation.Confidence, explanation.Summary, share_of_net_drop = SmartOutput.Round(explanation.ShareOfNetDrop, 3), rest = explanation.Rest is { } r ? Shape(r) : null },
            ranked = d.Ranked.Select((s, i) => new { rank = i + 1, s.Dimension, s.Segment, change = Shape(s.Change), contribution = SmartOutput.Round(s.Contribution, 3), s.Significant, same_as = s.SameAs }),
            dimensions = d.Dimensions.Select(x => new { x.Dimension, x.Status, x.Note, total = Shape(x.Total), segments = x.Segments.Select(s => new { s.Segment, change = Shape(s.Change), contribution = SmartOutput.Round(s.Contribution, 3) }) }),
            dimension_errors = d.DimensionErrors,
            not_examined = d.NotExamined,
            rules = MetricDropDiagnosis.Rules,
            budget = d.Spend,
            narrative = SmartOutput.Shape(narrative),
        };
        return ToolJson.Result(value, SmartOutput.Summary(d.Findings, narrative));
    }

    private static object Shape(Comparison c) => new
    {
        actual = c.Actual,
        expected = SmartOutput.Round(c.Expected),
        week1 = c.Week1,
        week2 = c.Week2,
        delta = SmartOutput.Round(c.Delta),
        relative = SmartOutput.Round(c.Relative, 4),
        z = SmartOutput.Round(c.Z, 2),
    };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
