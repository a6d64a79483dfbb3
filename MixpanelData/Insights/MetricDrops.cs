using System.Globalization;
using System.Text;
using MixpanelData.Insights.Analysis;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>A suspected drop to diagnose.</summary>
/// <param name="Event">The event whose daily count dropped, e.g. <c>Sign Up</c>.</param>
public sealed record MetricDropRequest(string Event)
{
    /// <summary>Last day of the suspected drop; default yesterday (UTC).</summary>
    public DateOnly? LastDay { get; init; }

    /// <summary>Length of the drop window in days (1-14).</summary>
    public int Days { get; init; } = 1;

    /// <summary>Properties to break down by; default chosen among the event's own properties.</summary>
    public IReadOnlyList<string>? Dimensions { get; init; }

    /// <summary>Most Query API calls to spend (3-30).</summary>
    public int Budget { get; init; } = 10;
}

/// <summary>
/// A drop diagnosed: the total against its baseline, every dimension examined, the falling segments ranked by
/// their contribution, and the conclusion with its confidence.
/// </summary>
/// <param name="Event">The event diagnosed.</param>
/// <param name="Window">The days compared and their baselines.</param>
/// <param name="Total">The event's total in the window against the baseline.</param>
/// <param name="Explanation">Which segment explains the drop, and how sure.</param>
/// <param name="Ranked">Falling segments, best explanation first.</param>
/// <param name="Dimensions">Each dimension examined.</param>
/// <param name="DimensionErrors">Dimensions that could not be examined (unknown names, failed breakdowns).</param>
/// <param name="NotExamined">Dimensions left out (rules or budget).</param>
/// <param name="Findings">The findings in words, every figure cited.</param>
/// <param name="Spend">The Query API budget and what was spent.</param>
public sealed record MetricDropDiagnosis(
    string Event,
    DropWindow Window,
    Comparison Total,
    Explanation Explanation,
    IReadOnlyList<SegmentChange> Ranked,
    IReadOnlyList<DimensionResult> Dimensions,
    IReadOnlyList<SkippedProperty> DimensionErrors,
    IReadOnlyList<SkippedProperty> NotExamined,
    string Findings,
    QuerySpend Spend)
{
    /// <summary>How the figures were computed.</summary>
    public const string Rules = "z = (actual - expected) / sqrt(1.5 * max(expected, (week1 - week2)^2 / 2)); drop z <= -3, possible drop z <= -2. Segments rank by events lost (significant first). Confidence high: segment z <= -3, >= 75% of its dimension's lost events, rest of the dimension z > -2; medium: z <= -2 and >= 50%.";
}

/// <summary>
/// Diagnoses a drop in an event's daily count (see <see cref="DropAnalysis"/> and <see cref="DimensionPicker"/> for the
/// rules). Query plan: 1 call for the total (+1 only if the event turns out unknown), 1 for the event's properties, 1 per
/// dimension, with 1 held back for the event-list check the library makes if a breakdown is rejected.
/// </summary>
internal sealed class MetricDropDiagnoser(InsightSources sources)
{
    private const int SegmentLimit = 30;

    public async Task<MetricDropDiagnosis> DiagnoseAsync(MetricDropRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        InsightArguments.Range(request.Days, 1, 14, "days");
        InsightArguments.Range(request.Budget, 3, 30, "budget");
        if (string.IsNullOrWhiteSpace(request.Event))
        {
            throw new ArgumentException("event must name an event, e.g. Sign Up (see list_events).");
        }

        var eventName = request.Event;
        var window = DropWindow.Ending(request.LastDay ?? sources.Today.AddDays(-1), request.Days);
        var spend = new QueryBudget(request.Budget);

        // The total first: it confirms (or not) the drop. Cost 2 is reserved because an empty answer makes the library check the event list.
        var totalResult = (await spend.RunAsync($"{eventName} total, {window.QueryFrom:yyyy-MM-dd}..{window.To:yyyy-MM-dd}", 2, ct => sources.Query.SegmentationAsync(new SegmentationQuery(eventName, window.QueryFrom, window.To), ct), cancellationToken).ConfigureAwait(false))
            .Require($"The total of {eventName}");
        var total = DropAnalysis.Compare(window, Daily(totalResult.Series, totalResult.Segments.FirstOrDefault()?.Values ?? []));
        if (total.Actual == 0 && total.Expected == 0)
        {
            throw new ArgumentException($"'{eventName}' has no events in {window.QueryFrom:yyyy-MM-dd}..{window.To:yyyy-MM-dd}: nothing to diagnose. Check date (YYYY-MM-DD) and the event's activity with segmentation.");
        }

        // One call is held back: if Mixpanel rejects a breakdown, the library checks the event list once (then caches it),
        // and that request must still fit in the budget.
        var (chosen, skipped, failures) = await SmartDimensions.ChooseAsync(sources.Discovery, spend, eventName, request.Dimensions, reserve: 1, cancellationToken).ConfigureAwait(false);
        var breakdowns = await Task.WhenAll(chosen.Select(d => spend.RunAsync(
            $"{eventName} by {d.Property}",
            1,
            ct => sources.Query.SegmentationAsync(new SegmentationQuery(eventName, window.QueryFrom, window.To) { On = d.Expression, Limit = SegmentLimit }, ct),
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
        var findings = Findings(eventName, window, total, ranked, explanation, analysed, failures, spend);
        return new MetricDropDiagnosis(eventName, window, total, explanation, ranked, analysed, failures, skipped, findings, spend.Report());
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

    /// <summary>A series as a map from day (<c>yyyy-mm-dd</c>) to value.</summary>
    internal static Dictionary<string, double> Daily(IReadOnlyList<string> series, IReadOnlyList<double> values)
    {
        var daily = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < series.Count && i < values.Count; i++)
        {
            daily[series[i]] = values[i];
        }

        return daily;
    }
}
