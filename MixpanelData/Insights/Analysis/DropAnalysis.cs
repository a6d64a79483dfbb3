using System.Globalization;

namespace MixpanelData.Insights.Analysis;

/// <summary>
/// The days compared: the drop window and the same weekdays <see cref="WeeksBack"/> and 2 × <see cref="WeeksBack"/>
/// weeks earlier (one week for windows up to 7 days; for longer windows whole multiples, so the baseline never overlaps it).
/// </summary>
/// <param name="From">First day of the window.</param>
/// <param name="To">Last day of the window.</param>
/// <param name="WeeksBack">Weeks between the window and the first baseline.</param>
public sealed record DropWindow(DateOnly From, DateOnly To, int WeeksBack)
{
    /// <summary>The window of <paramref name="days"/> days ending <paramref name="last"/>.</summary>
    public static DropWindow Ending(DateOnly last, int days) => new(last.AddDays(1 - days), last, (days + 6) / 7);

    /// <summary>Days in the window.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The first day any series must cover: the start of the older baseline.</summary>
    public DateOnly QueryFrom => From.AddDays(-14 * WeeksBack);

    /// <summary>The same weekdays <see cref="WeeksBack"/> weeks earlier.</summary>
    public (DateOnly From, DateOnly To) Baseline1 => (From.AddDays(-7 * WeeksBack), To.AddDays(-7 * WeeksBack));

    /// <summary>The same weekdays 2 × <see cref="WeeksBack"/> weeks earlier.</summary>
    public (DateOnly From, DateOnly To) Baseline2 => (From.AddDays(-14 * WeeksBack), To.AddDays(-14 * WeeksBack));

    /// <summary>The window and its baselines in words.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd} against the mean of the same weekdays {WeeksBack} and {2 * WeeksBack} week(s) earlier ({Baseline1.From:yyyy-MM-dd}..{Baseline1.To:yyyy-MM-dd} and {Baseline2.From:yyyy-MM-dd}..{Baseline2.To:yyyy-MM-dd})");
}

/// <summary>A count in the window against its baseline.</summary>
/// <param name="Actual">Events in the window.</param>
/// <param name="Week1">Events on the same weekdays one baseline step earlier.</param>
/// <param name="Week2">… two steps earlier.</param>
/// <param name="Expected">The mean of the two baseline counts.</param>
/// <param name="Delta">Actual − expected (negative for a drop).</param>
/// <param name="Relative">Delta over expected; null when nothing was expected.</param>
/// <param name="Z">
/// Delta over its standard error √(1.5·σ²), where σ² = max(expected, (week1 − week2)²/2, 1): Poisson noise, or the two
/// baseline weeks' own disagreement when that is larger (so ordinary week-to-week swings are not called drops).
/// </param>
public sealed record Comparison(double Actual, double Week1, double Week2, double Expected, double Delta, double? Relative, double Z)
{
    /// <summary>The comparison of <paramref name="actual"/> with the two baseline counts.</summary>
    public static Comparison Of(double actual, double week1, double week2)
    {
        var expected = (week1 + week2) / 2;
        var variance = Math.Max(1, Math.Max(expected, (week1 - week2) * (week1 - week2) / 2));
        var delta = actual - expected;
        return new Comparison(actual, week1, week2, expected, delta, expected > 0 ? delta / expected : null, delta / Math.Sqrt(1.5 * variance));
    }

    /// <summary>The comparison of what is left of <paramref name="a"/> without <paramref name="b"/> (e.g. a dimension without its top segment).</summary>
    public static Comparison operator -(Comparison a, Comparison b) => Of(a.Actual - b.Actual, a.Week1 - b.Week1, a.Week2 - b.Week2);

    /// <summary><c>drop</c> (z ≤ −3), <c>possible_drop</c> (−3 &lt; z ≤ −2), <c>rise</c> (z ≥ 2) or <c>no_significant_change</c>.</summary>
    public string Verdict => Z <= -3 ? "drop" : Z <= -2 ? "possible_drop" : Z >= 2 ? "rise" : "no_significant_change";
}

/// <summary>One segment of one dimension in the drop window.</summary>
/// <param name="Dimension">The property broken down by.</param>
/// <param name="Segment">The property's value (<c>(not set)</c> for none).</param>
/// <param name="Change">The segment's window against its baseline.</param>
/// <param name="Contribution">Its share of the events lost by the dimension's falling segments (0 for segments that did not fall).</param>
public sealed record SegmentChange(string Dimension, string Segment, Comparison Change, double Contribution)
{
    /// <summary>Segments of other dimensions with exactly the same counts (the same events, e.g. <c>platform</c> = web and <c>mp_lib</c> = web).</summary>
    public IReadOnlyList<string> SameAs { get; init; } = [];

    /// <summary>Events lost against the baseline (0 for a rise).</summary>
    public double Lost => Math.Max(0, -Change.Delta);

    /// <summary>Whether it fell significantly (z ≤ −2).</summary>
    public bool Significant => Change.Z <= -2;
}

/// <summary>What one dimension's breakdown says.</summary>
/// <param name="Dimension">The property broken down by.</param>
/// <param name="Total">The sum of its segments against their baseline.</param>
/// <param name="Status"><c>ok</c>; <c>rotating</c> when its values change between baseline and window (values absent from either baseline week carry over 20% of the window — releases, campaigns), so its week-over-week deltas are not comparable; <c>high_cardinality</c> when it had more values than the breakdown keeps.</param>
/// <param name="Note">Why it is not ranked, when it is not.</param>
/// <param name="Segments">Falling segments, most events lost first (at most five), then the largest risers.</param>
public sealed record DimensionResult(string Dimension, string Status, string? Note, Comparison Total, IReadOnlyList<SegmentChange> Segments);

/// <summary>The conclusion: which segment explains the drop, and how sure.</summary>
/// <param name="Dimension">The dimension of the explaining segment, if any.</param>
/// <param name="Segment">The explaining segment, if any.</param>
/// <param name="Summary">The conclusion in words, with its figures.</param>
/// <param name="ShareOfNetDrop">The segment's share of the total's net drop, when the total dropped.</param>
/// <param name="Rest">The rest of the segment's dimension against its baseline.</param>
/// <param name="Confidence">
/// <c>high</c>: the segment fell with z ≤ −3, carries ≥ 75% of its dimension's lost events, and the rest of the
/// dimension did not fall (z &gt; −2). <c>medium</c>: z ≤ −2 and ≥ 50% of the lost events. <c>none</c>: no segment fell
/// significantly, or none dominates.
/// </param>
public sealed record Explanation(string? Dimension, string? Segment, string Confidence, string Summary, double? ShareOfNetDrop, Comparison? Rest);

/// <summary>
/// The pure arithmetic of <c>diagnose_metric_drop</c>: each series is summed over the window and the two baseline
/// periods, compared, and the falling segments ranked across dimensions by events lost (their contribution).
/// </summary>
internal static class DropAnalysis
{
    public const double RotationShare = 0.2;

    /// <summary>Sums a daily series (keys <c>yyyy-mm-dd</c>) over the window and the two baselines.</summary>
    public static Comparison Compare(DropWindow window, IReadOnlyDictionary<string, double> daily)
    {
        double Sum((DateOnly From, DateOnly To) range)
        {
            double total = 0;
            for (var day = range.From; day <= range.To; day = day.AddDays(1))
            {
                total += daily.GetValueOrDefault(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            return total;
        }

        return Comparison.Of(Sum((window.From, window.To)), Sum(window.Baseline1), Sum(window.Baseline2));
    }

    /// <summary>Analyses one breakdown: per segment daily series, keyed by segment name.</summary>
    public static DimensionResult Dimension(string dimension, DropWindow window, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> segments, bool limitHit)
    {
        var changes = segments.Select(s => (Name: Display(s.Key), Change: Compare(window, s.Value))).ToList();
        var total = Comparison.Of(changes.Sum(c => c.Change.Actual), changes.Sum(c => c.Change.Week1), changes.Sum(c => c.Change.Week2));
        var grossLoss = changes.Sum(c => Math.Max(0, -c.Change.Delta));
        var ranked = changes
            .Select(c => new SegmentChange(dimension, c.Name, c.Change, grossLoss > 0 ? Math.Max(0, -c.Change.Delta) / grossLoss : 0))
            .ToList();
        var shown = ranked.Where(s => s.Lost > 0).OrderBy(s => s, Ranking).Take(5)
            .Concat(ranked.Where(s => s.Change.Delta > 0).OrderByDescending(s => s.Change.Delta).ThenBy(s => s.Segment, StringComparer.Ordinal).Take(3))
            .ToList();

        if (limitHit)
        {
            return new DimensionResult(dimension, "high_cardinality", "more values than the breakdown keeps; not ranked", total, shown);
        }

        // New values (absent from either baseline week) taking a large share of the window mean the values rotate
        // (releases, campaigns): old values fall because new ones replace them, not because anything broke. A segment
        // that breaks, even to zero, brings no new values, so it never trips this.
        var windowTotal = changes.Sum(c => c.Change.Actual);
        var baselineTotal = changes.Sum(c => c.Change.Expected);
        var fresh = changes.Where(c => c.Change.Actual > 0 && (c.Change.Week1 == 0 || c.Change.Week2 == 0)).ToList();
        var gone = changes.Where(c => c.Change.Actual == 0 && c.Change.Expected > 0).ToList();
        var freshShare = windowTotal > 0 ? fresh.Sum(c => c.Change.Actual) / windowTotal : 0;
        var goneShare = baselineTotal > 0 ? gone.Sum(c => c.Change.Expected) / baselineTotal : 0;
        if (freshShare > RotationShare)
        {
            var note = string.Create(CultureInfo.InvariantCulture, $"values change between baseline and window (new: {Names(fresh)} = {freshShare:0%} of the window; gone: {Names(gone)} = {goneShare:0%} of the baseline), so week-over-week deltas by this dimension are not comparable; not ranked");
            return new DimensionResult(dimension, "rotating", note, total, shown);
        }

        return new DimensionResult(dimension, "ok", null, total, shown);
    }

    /// <summary>
    /// Falling segments of rankable dimensions, best explanation first: significant ones first, then by events lost, then
    /// by relative fall. Segments with identical counts in several dimensions are listed once, naming the others.
    /// </summary>
    public static IReadOnlyList<SegmentChange> Rank(IEnumerable<DimensionResult> dimensions, int max) =>
        [.. dimensions.Where(d => d.Status == "ok").SelectMany(d => d.Segments).Where(s => s.Lost > 0).OrderBy(s => s, Ranking)
            .GroupBy(s => (s.Change.Actual, s.Change.Week1, s.Change.Week2))
            .Select(g => g.First() with { SameAs = [.. g.Skip(1).Select(s => $"{s.Dimension} = {s.Segment}")] })
            .Take(max)];

    /// <summary>Applies the confidence rules of <see cref="Explanation"/> to the top-ranked segment.</summary>
    public static Explanation Explain(Comparison total, IReadOnlyList<SegmentChange> ranked, IEnumerable<DimensionResult> dimensions)
    {
        var top = ranked.FirstOrDefault();
        var totalText = total.Verdict switch
        {
            "drop" or "possible_drop" => string.Create(CultureInfo.InvariantCulture, $"the total fell {Percent(total.Relative)} ({total.Delta:+#,0;-#,0;0} events, z = {total.Z:0.0})"),
            _ => string.Create(CultureInfo.InvariantCulture, $"the total did not fall significantly ({Percent(total.Relative)}, z = {total.Z:0.0})"),
        };
        if (top is null || !top.Significant)
        {
            return new Explanation(null, null, "none", $"No segment fell significantly; {totalText}.", null, null);
        }

        var dimension = dimensions.First(d => d.Dimension == top.Dimension);
        var rest = dimension.Total - top.Change;
        double? share = total.Delta < 0 && total.Verdict is "drop" or "possible_drop" ? top.Change.Delta / total.Delta : null;
        var confidence = top.Change.Z <= -3 && top.Contribution >= 0.75 && rest.Z > -2 ? "high"
            : top.Change.Z <= -2 && top.Contribution >= 0.5 ? "medium"
            : "none";
        var masked = total.Verdict is "drop" or "possible_drop" ? string.Empty : " (other segments grew and hid it in the total)";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{top.Dimension} = {top.Segment} fell {Percent(top.Change.Relative)} ({top.Change.Actual:#,0} vs {top.Change.Expected:#,0.#} expected, z = {top.Change.Z:0.0}) and carries {top.Contribution:0%} of the events lost across {top.Dimension}; the rest of {top.Dimension} moved {Percent(rest.Relative)} (z = {rest.Z:0.0}); {totalText}{masked}.");
        return confidence == "none"
            ? new Explanation(top.Dimension, top.Segment, "none", "No single segment explains it: " + summary, share, rest)
            : new Explanation(top.Dimension, top.Segment, confidence, summary, share, rest);
    }

    public static string Percent(double? relative) => relative is { } r ? r.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture) : "n/a";

    private static readonly Comparer<SegmentChange> Ranking = Comparer<SegmentChange>.Create((a, b) =>
    {
        var bySignificance = b.Significant.CompareTo(a.Significant);
        if (bySignificance != 0)
        {
            return bySignificance;
        }

        var byLoss = b.Lost.CompareTo(a.Lost);
        if (byLoss != 0)
        {
            return byLoss;
        }

        var byRelative = (a.Change.Relative ?? 0).CompareTo(b.Change.Relative ?? 0);
        return byRelative != 0 ? byRelative : string.CompareOrdinal(a.Dimension + "\u0000" + a.Segment, b.Dimension + "\u0000" + b.Segment);
    });

    private static string Display(string segment) => segment == "undefined" ? "(not set)" : segment;

    private static string Names(IReadOnlyList<(string Name, Comparison Change)> values) =>
        values.Count == 0 ? "none" : string.Join(", ", values.OrderByDescending(v => v.Change.Actual + v.Change.Expected).Take(3).Select(v => v.Name)) + (values.Count > 3 ? ", …" : string.Empty);
}
