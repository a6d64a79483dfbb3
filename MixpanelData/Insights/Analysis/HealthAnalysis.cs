using System.Globalization;
using System.Text.RegularExpressions;
using MixpanelData.Queries;

namespace MixpanelData.Insights.Analysis;

/// <summary>The period analysed and the equal period before it.</summary>
internal sealed record HealthPeriods(DateOnly From, DateOnly To)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    public DateOnly PreviousFrom => From.AddDays(-Days);

    public DateOnly PreviousTo => From.AddDays(-1);

    /// <summary>
    /// The sign-up days whose day-<paramref name="n"/> return can be measured: the <see cref="Days"/> days ending at the
    /// period's end or at <paramref name="lastDay"/> − n, whichever is earlier; the previous window is the same length just before it.
    /// </summary>
    public ((DateOnly From, DateOnly To) Current, (DateOnly From, DateOnly To) Previous) Cohorts(int n, DateOnly lastDay)
    {
        var end = To < lastDay.AddDays(-n) ? To : lastDay.AddDays(-n);
        return ((end.AddDays(1 - Days), end), (end.AddDays(1 - (2 * Days)), end.AddDays(-Days)));
    }
}

/// <summary>A metric in the period and the previous one.</summary>
/// <param name="Name">The metric, e.g. <c>D7</c> or <c>sign-ups</c>.</param>
/// <param name="Current">Its value in the period.</param>
/// <param name="Previous">Its value in the previous period.</param>
/// <param name="Detail">What exactly was measured.</param>
/// <param name="Change">(current − previous) / previous; null when either is missing or previous is 0.</param>
public sealed record HealthMetric(string Name, double? Current, double? Previous, double? Change, string Detail)
{
    /// <summary>The metric with its change computed.</summary>
    public static HealthMetric Of(string name, double? current, double? previous, string detail) =>
        new(name, current, previous, current is { } c && previous is { } p && p != 0 ? (c - p) / p : null, detail);
}

/// <summary>One AARRR pillar: its metrics and score (null when none of its metrics can be compared).</summary>
/// <param name="Pillar">acquisition, activation, retention, revenue or referral.</param>
/// <param name="Metrics">Its metrics.</param>
/// <param name="Score">The mean of its metrics' scores.</param>
/// <param name="Note">What could not be measured, and why.</param>
public sealed record HealthPillar(string Pillar, IReadOnlyList<HealthMetric> Metrics, double? Score, string? Note);

/// <summary>The overall score and its label.</summary>
/// <param name="Score">The mean of the pillars' scores (0-100).</param>
/// <param name="Label">improving, stable or declining.</param>
/// <param name="Flags">Metrics down 10% or more.</param>
public sealed record HealthScore(double? Score, string Label, IReadOnlyList<string> Flags);

/// <summary>
/// The pure parts of <c>product_health_dashboard</c>: choosing the events that play each AARRR role from their names
/// and volumes, measuring cohort rates, and scoring (rules in docs/tools-smart.md):
/// a metric scores 50 + 250 × its period-over-period change, clamped to 0..100 (flat = 50, +20% or better = 100,
/// −20% or worse = 0); a pillar is the mean of its metrics; the health score the mean of the pillars that have one;
/// ≥ 60 <c>improving</c>, 40–60 <c>stable</c>, under 40 <c>declining</c>; any metric down 10% or more is flagged.
/// </summary>
internal static partial class HealthAnalysis
{
    public static double MetricScore(double change) => Math.Clamp(50 + (250 * change), 0, 100);

    public static HealthPillar Pillar(string pillar, IReadOnlyList<HealthMetric> metrics, string? note = null)
    {
        var scores = metrics.Where(m => m.Change is not null).Select(m => MetricScore(m.Change!.Value)).ToList();
        return new HealthPillar(pillar, metrics, scores.Count == 0 ? null : Math.Round(scores.Average(), 1), note);
    }

    public static HealthScore Score(IReadOnlyList<HealthPillar> pillars)
    {
        var scored = pillars.Where(p => p.Score is not null).ToList();
        var flags = pillars.SelectMany(p => p.Metrics.Where(m => m.Change <= -0.10).Select(m => string.Create(CultureInfo.InvariantCulture, $"{p.Pillar}: {m.Name} {DropAnalysis.Percent(m.Change)}"))).ToList();
        if (scored.Count == 0)
        {
            return new HealthScore(null, "unknown", flags);
        }

        var score = Math.Round(scored.Average(p => p.Score!.Value), 1);
        return new HealthScore(score, score >= 60 ? "improving" : score >= 40 ? "stable" : "declining", flags);
    }

    /// <summary>Sums a daily series (keys <c>yyyy-mm-dd</c>) over a range.</summary>
    public static double Sum(IReadOnlyList<string> series, IReadOnlyList<double> values, DateOnly from, DateOnly to)
    {
        double total = 0;
        for (var i = 0; i < series.Count && i < values.Count; i++)
        {
            if (DateOnly.TryParseExact(series[i], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day >= from && day <= to)
            {
                total += values[i];
            }
        }

        return total;
    }

    /// <summary>Returning users in bucket <paramref name="n"/> over cohort sizes, for the cohorts of a date range that reached that bucket; null when none did.</summary>
    public static double? CohortRate(IReadOnlyList<RetentionCohort> cohorts, int n, DateOnly from, DateOnly to)
    {
        long first = 0, returned = 0;
        foreach (var cohort in cohorts)
        {
            if (DateOnly.TryParseExact(cohort.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day >= from && day <= to && cohort.Counts.Count > n)
            {
                first += cohort.First;
                returned += cohort.Counts[n];
            }
        }

        return first == 0 ? null : (double)returned / first;
    }

    /// <summary>Events whose names say sign-up, best match first.</summary>
    public static IReadOnlyList<string> AcquisitionCandidates(IEnumerable<string> events) =>
        [.. events.Select(e => (e, rank: AcquisitionRank(e))).Where(x => x.rank >= 0).OrderBy(x => x.rank).ThenBy(x => x.e, StringComparer.Ordinal).Select(x => x.e)];

    /// <summary>
    /// Events that could mark activation: not the acquisition event, not navigation or session events (page/screen
    /// views, log in/out), not money, churn or referral events, not Mixpanel's own <c>$</c> events; largest volume first.
    /// </summary>
    public static IReadOnlyList<string> ActivationCandidates(IReadOnlyDictionary<string, double> volumes, string acquisition) =>
        [.. volumes
            .Where(v => v.Key != acquisition && v.Value > 0 && !v.Key.StartsWith('$') && !Navigation().IsMatch(v.Key) && !Money().IsMatch(v.Key) && !Churn().IsMatch(v.Key) && !Referral().IsMatch(v.Key) && AcquisitionRank(v.Key) < 0)
            .OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => v.Key)];

    /// <summary>An invite-, referral- or share-like event, largest volume first.</summary>
    public static string? ReferralEvent(IReadOnlyDictionary<string, double> volumes) =>
        volumes.Where(v => Referral().IsMatch(v.Key) && v.Value > 0).OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key).FirstOrDefault();

    /// <summary>Purchase-like events (not failures, refunds or cancellations), largest volume first.</summary>
    public static IReadOnlyList<string> RevenueEvents(IReadOnlyDictionary<string, double> volumes) =>
        [.. volumes.Where(v => Money().IsMatch(v.Key) && !Churn().IsMatch(v.Key) && v.Value > 0).OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key)];

    /// <summary>The property most likely to hold an amount of money: revenue, then amount, price, total, value.</summary>
    public static string? RevenueProperty(IEnumerable<string> properties) =>
        properties.Select(p => (p, rank: Array.IndexOf(RevenueWords, DimensionPicker.Words(p).LastOrDefault() ?? string.Empty)))
            .Where(x => x.rank >= 0)
            .OrderBy(x => x.rank).ThenBy(x => x.p.Length).ThenBy(x => x.p, StringComparer.Ordinal)
            .Select(x => x.p)
            .FirstOrDefault();

    public static string? CurrencyProperty(IEnumerable<string> properties) =>
        properties.FirstOrDefault(p => DimensionPicker.Words(p).Contains("currency"));

    /// <summary>Whether every listed value reads as a number (the property is a measure).</summary>
    public static bool Numeric(IReadOnlyList<string> values) =>
        values.Count > 0 && values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    private static readonly string[] RevenueWords = ["revenue", "amount", "price", "total", "value"];

    private static int AcquisitionRank(string name) =>
        SignUp().IsMatch(name) ? 0 : Register().IsMatch(name) ? 1 : AccountCreated().IsMatch(name) ? 2 : -1;

    [GeneratedRegex(@"\bsign[\s_\-]?up\b|\bsignup\b|\bsigned[\s_\-]?up\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SignUp();

    [GeneratedRegex(@"\bregist(er|ered|ration)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Register();

    [GeneratedRegex(@"\b(create|created)[\s_\-]?account\b|\baccount[\s_\-]?created\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AccountCreated();

    [GeneratedRegex(@"page[\s_\-]?view|screen[\s_\-]?view|\bview(ed)?\b|\blog[\s_\-]?(in|out)\b|\blogin\b|\blogout\b|\bsign[\s_\-]?(in|out)\b|\bsession\b|app[\s_\-]?open|open[\s_\-]?app|\bheartbeat\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Navigation();

    [GeneratedRegex(@"purchase|\border\b|payment|checkout|charge|transaction|subscri|renew|upgrade|billing|invoice", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Money();

    [GeneratedRegex(@"fail|refund|cancel|abandon|churn|downgrade|declin|error", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Churn();

    [GeneratedRegex(@"invite|refer|share", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Referral();
}
