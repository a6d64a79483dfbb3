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
/// <c>diagnose_metric_drop</c>: confirms a drop in an event's daily count against the same weekdays one and two weeks
/// earlier, breaks it down by dimensions chosen among the event's real properties, and ranks the falling segments by
/// their contribution (see <see cref="DropAnalysis"/> and <see cref="DimensionPicker"/> for the rules).
/// Query plan: 1 call for the total (+1 only if the event turns out unknown), 1 for the event's properties, 1 per dimension,
/// with 1 held back for the event-list check the library makes if a breakdown is rejected.
/// </summary>
[McpServerToolType]
[Toolset("intelligent")]
internal sealed class DiagnoseMetricDropTool(WorkspaceHolder workspaces, TimeProvider time)
{
    private const int SegmentLimit = 30;

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
        if (string.IsNullOrWhiteSpace(@event))
        {
            throw new ArgumentException("event must name an event, e.g. Sign Up (see list_events).");
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var window = DropWindow.Ending(Guard.Date(date, today.AddDays(-1), "date"), days);
        var workspace = workspaces.Current;
        var spend = new QueryBudget(budget);

        // The total first: it confirms (or not) the drop. Cost 2 is reserved because an empty answer makes the library check the event list.
        var totalResult = SmartOutput.Required(
            await spend.RunAsync($"{@event} total, {window.QueryFrom:yyyy-MM-dd}..{window.To:yyyy-MM-dd}", 2, ct => workspace.Query.SegmentationAsync(new SegmentationQuery(@event, window.QueryFrom, window.To), ct), cancellationToken).ConfigureAwait(false),
            $"The total of {@event}");
        var total = DropAnalysis.Compare(window, Daily(totalResult.Series, totalResult.Segments.FirstOrDefault()?.Values ?? []));
        if (total.Actual == 0 && total.Expected == 0)
        {
            throw new ArgumentException($"'{@event}' has no events in {window.QueryFrom:yyyy-MM-dd}..{window.To:yyyy-MM-dd}: nothing to diagnose. Check date (YYYY-MM-DD) and the event's activity with segmentation.");
        }

        // One call is held back: if Mixpanel rejects a breakdown, the library checks the event list once (then caches it),
        // and that request must still fit in the budget.
        var (chosen, skipped, failures) = await SmartDimensions.ChooseAsync(workspace.Discovery, spend, @event, dimensions, reserve: 1, cancellationToken).ConfigureAwait(false);
        var breakdowns = await Task.WhenAll(chosen.Select(d => spend.RunAsync(
            $"{@event} by {d.Property}",
            1,
            ct => workspace.Query.SegmentationAsync(new SegmentationQuery(@event, window.QueryFrom, window.To) { On = d.Expression, Limit = SegmentLimit }, ct),
            cancellationToken))).ConfigureAwait(false);

        var analysed = new List<DimensionResult>();
        for (var i = 0; i < chosen.Count; i++)
        {
            if (breakdowns[i] is { Ok: true, Value: { } result })
            {
                var segments = result.Segments.ToDictionary(s => s.Name, s => (IReadOnlyDictionary<string, double>)Daily(result.Series, s.Values), StringComparer.Ordinal);
                analysed.Add(DropAnalysis.Dimension(chosen[i].Property, window, segments, result.SegmentLimitHit));
            }
            else
            {
                failures.Add(new SkippedProperty(chosen[i].Property, $"breakdown failed: {breakdowns[i].Error}"));
            }
        }

        var ranked = DropAnalysis.Rank(analysed, 10);
        var explanation = DropAnalysis.Explain(total, ranked, analysed);
        var findings = Findings(@event, window, total, ranked, explanation, analysed, failures, spend);
        var narrative = await SmartOutput.NarrateAsync(server, findings, cancellationToken).ConfigureAwait(false);
        var value = new
        {
            @event,
            window = new { from = Day(window.From), to = Day(window.To), days = window.Days },
            baseline = window.Describe(),
            total = Shape(total),
            total_verdict = total.Verdict,
            explanation = new { explanation.Dimension, explanation.Segment, explanation.Confidence, explanation.Summary, share_of_net_drop = SmartOutput.Round(explanation.ShareOfNetDrop, 3), rest = explanation.Rest is { } r ? Shape(r) : null },
            ranked = ranked.Select((s, i) => new { rank = i + 1, s.Dimension, s.Segment, change = Shape(s.Change), contribution = SmartOutput.Round(s.Contribution, 3), s.Significant, same_as = s.SameAs }),
            dimensions = analysed.Select(d => new { d.Dimension, d.Status, d.Note, total = Shape(d.Total), segments = d.Segments.Select(s => new { s.Segment, change = Shape(s.Change), contribution = SmartOutput.Round(s.Contribution, 3) }) }),
            dimension_errors = failures,
            not_examined = skipped,
            rules = "z = (actual - expected) / sqrt(1.5 * max(expected, (week1 - week2)^2 / 2)); drop z <= -3, possible drop z <= -2. Segments rank by events lost (significant first). Confidence high: segment z <= -3, >= 75% of its dimension's lost events, rest of the dimension z > -2; medium: z <= -2 and >= 50%.",
            budget = spend.Report(),
            narrative = SmartOutput.Shape(narrative),
        };
        return ToolJson.Result(value, SmartOutput.Summary(findings, narrative));
    }

    private static string Findings(string eventName, DropWindow window, Comparison total, IReadOnlyList<SegmentChange> ranked, Explanation explanation, IReadOnlyList<DimensionResult> dimensions, IReadOnlyList<SkippedProperty> failures, QueryBudget spend)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{eventName}, {window.Describe()}: {total.Actual:#,0} vs {total.Expected:#,0.#} expected ({DropAnalysis.Percent(total.Relative)}, z = {total.Z:0.0}) — {Verdict(total.Verdict)}.\n");
        text.Append(CultureInfo.InvariantCulture, $"Explanation ({explanation.Confidence} confidence): {explanation.Summary}\n");
        if (ranked.Count > 0)
        {
            text.Append("Falling segments, by events lost: ");
            text.AppendJoin("; ", ranked.Take(5).Select((s, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1}. {s.Dimension} = {s.Segment}{(s.SameAs.Count > 0 ? $" (same as {string.Join(", ", s.SameAs)})" : string.Empty)} {s.Change.Delta:+#,0.#;-#,0.#;0} ({DropAnalysis.Percent(s.Change.Relative)}, z = {s.Change.Z:0.0}{(s.Significant ? string.Empty : ", not significant")}, {s.Contribution:0%} of its dimension's loss)")));
            text.Append('\n');
        }

        foreach (var d in dimensions.Where(d => d.Status != "ok"))
        {
            text.Append(CultureInfo.InvariantCulture, $"{d.Dimension}: {d.Note}.\n");
        }

        foreach (var f in failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"{f.Property}: {f.Reason}.\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Dimensions examined: {string.Join(", ", dimensions.Select(d => d.Dimension))}. Query API calls: {spend.Spent} of a budget of {spend.Limit}.");
        return text.ToString();
    }

    private static string Verdict(string verdict) => verdict switch
    {
        "drop" => "a significant drop",
        "possible_drop" => "a possible drop",
        "rise" => "a significant rise, not a drop",
        _ => "no significant change in the total",
    };

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

    private static Dictionary<string, double> Daily(IReadOnlyList<string> series, IReadOnlyList<double> values)
    {
        var daily = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < series.Count && i < values.Count; i++)
        {
            daily[series[i]] = values[i];
        }

        return daily;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
