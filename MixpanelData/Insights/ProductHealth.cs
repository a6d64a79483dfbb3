using System.Globalization;
using System.Text;
using MixpanelData.Insights.Analysis;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>What the product health dashboard looks at.</summary>
/// <param name="From">First day of the period.</param>
/// <param name="To">Last day of the period.</param>
public sealed record ProductHealthRequest(DateOnly From, DateOnly To)
{
    /// <summary>The sign-up event; default the project's sign-up-like event.</summary>
    public string? AcquisitionEvent { get; init; }

    /// <summary>The activation event; default chosen by evidence (probes).</summary>
    public string? ActivationEvent { get; init; }

    /// <summary>Most Query API calls to spend (4-30).</summary>
    public int Budget { get; init; } = 12;
}

/// <summary>One activation candidate probed: the share of new users who did it on their sign-up day or the next.</summary>
/// <param name="Event">The candidate event.</param>
/// <param name="ShareOfNewUsers">The share measured, or null when the probe failed or had no cohorts.</param>
/// <param name="Error">Why the probe failed, if it did.</param>
public sealed record ActivationProbe(string Event, double? ShareOfNewUsers, string? Error);

/// <summary>AARRR health over a period against the previous equal period, with a 0-100 score.</summary>
/// <param name="From">First day of the period.</param>
/// <param name="To">Last day of the period.</param>
/// <param name="PreviousFrom">First day of the previous period.</param>
/// <param name="PreviousTo">Last day of the previous period.</param>
/// <param name="Acquisition">The sign-up event.</param>
/// <param name="Activation">The activation event, when one was found.</param>
/// <param name="ActivationEvidence">The candidates probed.</param>
/// <param name="RevenueSource">The summed property (<c>event.property</c>), when revenue was measured.</param>
/// <param name="Referral">The invite-like event, if any.</param>
/// <param name="Pillars">Acquisition, activation, retention, revenue and referral.</param>
/// <param name="Score">The health score, its label and flags.</param>
/// <param name="Findings">The findings in words, every figure cited.</param>
/// <param name="Spend">The Query API budget and what was spent.</param>
public sealed record ProductHealthReport(
    DateOnly From,
    DateOnly To,
    DateOnly PreviousFrom,
    DateOnly PreviousTo,
    string Acquisition,
    string? Activation,
    IReadOnlyList<ActivationProbe> ActivationEvidence,
    string? RevenueSource,
    string? Referral,
    IReadOnlyList<HealthPillar> Pillars,
    HealthScore Score,
    string Findings,
    QuerySpend Spend)
{
    /// <summary>How the score is computed.</summary>
    public const string Rules = "Each metric scores 50 + 250 x its period-over-period change, clamped to 0..100; a pillar is the mean of its metrics, the health score the mean of the pillars with a score; >= 60 improving, 40-60 stable, < 40 declining; metrics down 10% or more are flagged. Rates use sign-up cohorts old enough to show them (see each metric's detail).";
}

/// <summary>
/// AARRR over a period against the previous equal period, the events for each role chosen from the project's real
/// events (or given), and a health score (rules in <see cref="HealthAnalysis"/>). Query plan: 1 event list, 1 event
/// counts, up to 3 activation probes (retention born on the acquisition event), 1 retention, up to 4 for revenue
/// (properties, value check, currency, sum).
/// </summary>
internal sealed class ProductHealth(InsightSources sources)
{
    private const int ActivationProbes = 3;
    private const int MaxCountedEvents = 100;
    private const int RevenueCalls = 4;

    public async Task<ProductHealthReport> ReportAsync(ProductHealthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        InsightArguments.Range(request.Budget, 4, 30, "budget");
        var (from, to) = InsightArguments.Days(request.From, request.To);

        var lastDay = sources.Today.AddDays(-1);
        var periods = new HealthPeriods(from, to);
        var spend = new QueryBudget(request.Budget);

        var events = (await spend.RunAsync("event names", 1, ct => sources.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false)).Require("The event list");
        var acquisition = Known(request.AcquisitionEvent, events, "acquisition_event")
            ?? HealthAnalysis.AcquisitionCandidates(events).FirstOrDefault()
            ?? throw new ArgumentException($"No sign-up-like event among the project's events ({string.Join(", ", events.Take(15))}); pass acquisition_event.");
        var activationGiven = Known(request.ActivationEvent, events, "activation_event");
        if (activationGiven == acquisition)
        {
            throw new ArgumentException("activation_event must differ from the acquisition event: activation is what new users do after signing up.");
        }

        List<string> counted = [.. new[] { acquisition, activationGiven }.OfType<string>().Concat(events).Distinct(StringComparer.Ordinal).Take(MaxCountedEvents)];
        var counts = (await spend.RunAsync($"daily counts of {counted.Count} events", 1, ct => sources.Query.EventCountsAsync(new EventCountsQuery(counted, periods.PreviousFrom, to), ct), cancellationToken).ConfigureAwait(false)).Require("The event counts");
        var current = counts.Segments.ToDictionary(s => s.Name, s => HealthAnalysis.Sum(counts.Series, s.Values, from, to), StringComparer.Ordinal);
        var previous = counts.Segments.ToDictionary(s => s.Name, s => HealthAnalysis.Sum(counts.Series, s.Values, periods.PreviousFrom, periods.PreviousTo), StringComparer.Ordinal);

        // What is left is shared in order of importance: retention (1), activation probes (up to 3), then revenue
        // (3 calls, plus 1 for its currency) only when its chain fits.
        var room = spend.Limit - spend.Spent;
        var revenueEvent = HealthAnalysis.RevenueEvents(current).FirstOrDefault();
        var probes = Math.Clamp(room - 1, 1, ActivationProbes);
        var revenueCost = revenueEvent is null || room - 1 - probes < RevenueCalls - 1 ? 0 : Math.Min(RevenueCalls, room - 1 - probes);
        var activationTask = ActivationAsync( spend, periods, lastDay, acquisition, activationGiven, current, probes, cancellationToken);
        var retentionTask = RetentionAsync( spend, periods, lastDay, acquisition, cancellationToken);
        await Task.WhenAll(activationTask, retentionTask).ConfigureAwait(false);
        var activation = await activationTask.ConfigureAwait(false);
        var retention = await retentionTask.ConfigureAwait(false);
        var revenue = revenueEvent is null
            ? new RevenueResult(null, null, HealthAnalysis.Pillar("revenue", [], "no purchase-like event in the period"))
            : revenueCost == 0
                ? new RevenueResult(null, null, HealthAnalysis.Pillar("revenue", [], $"not measured: the budget of {request.Budget} leaves too few Query API calls for the revenue of {revenueEvent} (needs up to {RevenueCalls})"))
                : await RevenueAsync( spend, periods, revenueEvent, current, cancellationToken).ConfigureAwait(false);

        var referralEvent = HealthAnalysis.ReferralEvent(current);
        var pillars = new List<HealthPillar>
        {
            HealthAnalysis.Pillar("acquisition", [HealthMetric.Of("sign-ups", current.GetValueOrDefault(acquisition), previous.GetValueOrDefault(acquisition), $"{acquisition} events")]),
            activation.Pillar,
            retention,
            revenue.Pillar,
            referralEvent is null
                ? HealthAnalysis.Pillar("referral", [], "no invite-, referral- or share-like event in the project")
                : HealthAnalysis.Pillar("referral",
                [
                    HealthMetric.Of("invites", current[referralEvent], previous[referralEvent], $"{referralEvent} events"),
                    HealthMetric.Of("invites per sign-up", Ratio(current[referralEvent], current.GetValueOrDefault(acquisition)), Ratio(previous[referralEvent], previous.GetValueOrDefault(acquisition)), $"{referralEvent} events per {acquisition}"),
                ]),
        };
        var score = HealthAnalysis.Score(pillars);
        var findings = Findings(periods, acquisition, activation, revenue, referralEvent, pillars, score, spend);
        return new ProductHealthReport(from, to, periods.PreviousFrom, periods.PreviousTo, acquisition, activation.Event, activation.Evidence, revenue.Source, referralEvent, pillars, score, findings, spend.Report());
    }

    private sealed record ActivationResult(string? Event, HealthPillar Pillar, IReadOnlyList<ActivationProbe> Evidence);

    private sealed record RevenueResult(string? Source, string? Currency, HealthPillar Pillar);

    /// <summary>
    /// Probes the candidates with retention born on the acquisition event, returning = the candidate, unbounded over
    /// day 0–1: the share of new users who did it on their sign-up day or the next. The highest share wins.
    /// </summary>
    private async Task<ActivationResult> ActivationAsync(QueryBudget spend, HealthPeriods periods, DateOnly lastDay, string acquisition, string? given, IReadOnlyDictionary<string, double> volumes, int probeCount, CancellationToken cancellationToken)
    {
        var (cur, prev) = periods.Cohorts(1, lastDay);
        var all = given is not null ? [given] : HealthAnalysis.ActivationCandidates(volumes, acquisition);
        var candidates = all.Take(probeCount).ToList();
        var unprobed = all.Count > candidates.Count ? $"probed the {candidates.Count} largest candidate(s) (at most {ActivationProbes}, within the budget); not probed: {string.Join(", ", all.Skip(candidates.Count).Take(5))}" : null;
        if (candidates.Count == 0)
        {
            return new ActivationResult(null, HealthAnalysis.Pillar("activation", [], "no candidate activation event (every other event is navigation, money, churn or referral); pass activation_event"), []);
        }

        var probes = await Task.WhenAll(candidates.Select(c => spend.RunAsync(
            $"activation probe: {c} within a day of {acquisition}",
            1,
            ct => sources.Query.RetentionAsync(new RetentionQuery(prev.From, cur.To) { BornEvent = acquisition, Event = c, Unit = TimeUnit.Day, IntervalCount = 1, Unbounded = true }, ct),
            cancellationToken))).ConfigureAwait(false);
        var measured = candidates.Zip(probes, (name, probe) => (Name: name, Probe: probe,
                Current: probe.Ok ? HealthAnalysis.CohortRate(probe.Value!.Overall.Cohorts, 0, cur.From, cur.To) : null,
                Previous: probe.Ok ? HealthAnalysis.CohortRate(probe.Value!.Overall.Cohorts, 0, prev.From, prev.To) : null))
            .ToList();
        var evidence = measured.Select(m => new ActivationProbe(m.Name, m.Current, m.Probe.Error)).ToList();
        var best = measured.Where(m => m.Current is not null).OrderByDescending(m => m.Current).FirstOrDefault();
        if (best.Name is null)
        {
            return new ActivationResult(null, HealthAnalysis.Pillar("activation", [], $"activation probes failed: {string.Join("; ", measured.Select(m => $"{m.Name}: {m.Probe.Error ?? "no cohorts"}"))}"), evidence);
        }

        var detail = $"share of users whose first {acquisition} was on {Day(cur.From)}..{Day(cur.To)} (previous: {Day(prev.From)}..{Day(prev.To)}) who did {best.Name} that day or the next";
        return new ActivationResult(best.Name, HealthAnalysis.Pillar("activation", [HealthMetric.Of("activation rate", best.Current, best.Previous, detail)], unprobed), evidence);
    }

    private async Task<HealthPillar> RetentionAsync(QueryBudget spend, HealthPeriods periods, DateOnly lastDay, string acquisition, CancellationToken cancellationToken)
    {
        int[] days = [1, 7, 30];
        var windows = days.Select(n => (N: n, Windows: periods.Cohorts(n, lastDay))).ToList();
        var first = windows.Min(w => w.Windows.Previous.From);
        var last = windows.Max(w => w.Windows.Current.To);
        var outcome = await spend.RunAsync(
            $"retention born on {acquisition}, any event, days 0-30",
            1,
            ct => sources.Query.RetentionAsync(new RetentionQuery(first, last) { BornEvent = acquisition, Unit = TimeUnit.Day, IntervalCount = 30 }, ct),
            cancellationToken).ConfigureAwait(false);
        if (!outcome.Ok)
        {
            return HealthAnalysis.Pillar("retention", [], $"retention query failed: {outcome.Error}");
        }

        var cohorts = outcome.Value!.Overall.Cohorts;
        return HealthAnalysis.Pillar("retention", [.. windows.Select(w => HealthMetric.Of(
            $"D{w.N}",
            HealthAnalysis.CohortRate(cohorts, w.N, w.Windows.Current.From, w.Windows.Current.To),
            HealthAnalysis.CohortRate(cohorts, w.N, w.Windows.Previous.From, w.Windows.Previous.To),
            $"share of users whose first {acquisition} was on {Day(w.Windows.Current.From)}..{Day(w.Windows.Current.To)} (previous: {Day(w.Windows.Previous.From)}..{Day(w.Windows.Previous.To)}) with any event exactly {w.N} day(s) later"))]);
    }

    private async Task<RevenueResult> RevenueAsync(QueryBudget spend, HealthPeriods periods, string eventName, IReadOnlyDictionary<string, double> volumes, CancellationToken cancellationToken)
    {
        var properties = await spend.RunAsync($"properties of {eventName}", 1, ct => sources.Discovery.PropertiesAsync(eventName, 100, ct), cancellationToken).ConfigureAwait(false);
        if (!properties.Ok)
        {
            return new RevenueResult(null, null, HealthAnalysis.Pillar("revenue", [], $"the properties of {eventName} could not be listed: {properties.Error}"));
        }

        var names = properties.Value!.Select(p => p.Name).ToList();
        var property = HealthAnalysis.RevenueProperty(names);
        if (property is null)
        {
            return new RevenueResult(null, null, HealthAnalysis.Pillar("revenue", [], $"{eventName} has no revenue-like property (revenue, amount, price, total, value)"));
        }

        var sample = await spend.RunAsync($"values of {eventName}.{property}", 1, ct => sources.Discovery.PropertyValuesAsync(eventName, property, 20, ct), cancellationToken).ConfigureAwait(false);
        if (!sample.Ok || !HealthAnalysis.Numeric(sample.Value!))
        {
            return new RevenueResult(null, null, HealthAnalysis.Pillar("revenue", [], sample.Ok ? $"{eventName}.{property} is not numeric" : $"{eventName}.{property} could not be checked: {sample.Error}"));
        }

        var expression = new Dimension(property, "revenue", null, "revenue").Expression;
        var sum = await spend.RunAsync($"sum of {eventName}.{property}", 1, ct => sources.Query.SegmentationSumAsync(new NumericAggregateQuery(eventName, periods.PreviousFrom, periods.To, expression), ct), cancellationToken).ConfigureAwait(false);
        var source = $"{eventName}.{property}";
        if (!sum.Ok)
        {
            return new RevenueResult(source, null, HealthAnalysis.Pillar("revenue", [], $"the sum of {source} failed: {sum.Error}"));
        }

        string? currency = null;
        if (HealthAnalysis.CurrencyProperty(names) is { } currencyProperty)
        {
            var currencies = await spend.RunAsync($"values of {eventName}.{currencyProperty}", 1, ct => sources.Discovery.PropertyValuesAsync(eventName, currencyProperty, 5, ct), cancellationToken).ConfigureAwait(false);
            currency = currencies.Ok ? currencies.Value!.Count == 1 ? currencies.Value[0] : currencies.Value.Count > 1 ? "mixed" : null : null;
        }

        var unit = currency is null or "mixed" ? "in the property's own unit" + (currency == "mixed" ? " (several currencies seen: sums mix them)" : string.Empty) : currency;
        return new RevenueResult(source, currency, HealthAnalysis.Pillar("revenue",
        [
            HealthMetric.Of("revenue", HealthAnalysis.Sum(sum.Value!.Series, sum.Value.Values, periods.From, periods.To), HealthAnalysis.Sum(sum.Value.Series, sum.Value.Values, periods.PreviousFrom, periods.PreviousTo), $"sum of {source}, {unit}"),
            HealthMetric.Of("purchases", volumes[eventName], null, $"{eventName} events in the period"),
        ]));
    }

    private static string? Known(string? name, IReadOnlyList<string> events, string argument)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        return events.Contains(trimmed, StringComparer.Ordinal)
            ? trimmed
            : throw new EventNotFoundException(trimmed, DimensionPicker.Closest(trimmed, events), $"this project (argument {argument})");
    }

    private static double? Ratio(double numerator, double denominator) => denominator == 0 ? null : numerator / denominator;

    private static string Findings(HealthPeriods periods, string acquisition, ActivationResult activation, RevenueResult revenue, string? referral, IReadOnlyList<HealthPillar> pillars, HealthScore score, QueryBudget spend)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Product health {Day(periods.From)}..{Day(periods.To)} vs {Day(periods.PreviousFrom)}..{Day(periods.PreviousTo)}: score {(score.Score is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "n/a")} ({score.Label}).\n");
        foreach (var pillar in pillars)
        {
            var role = pillar.Pillar switch
            {
                "acquisition" => acquisition,
                "activation" => activation.Event,
                "revenue" => revenue.Source is null ? null : revenue.Source + (revenue.Currency is { } c and not "mixed" ? $", {c}" : string.Empty),
                "referral" => referral,
                "retention" => $"any event after {acquisition}",
                _ => null,
            };
            text.Append(CultureInfo.InvariantCulture, $"{Title(pillar.Pillar)}{(role is null ? string.Empty : $" ({role})")}: ");
            text.Append(pillar.Metrics.Count == 0 ? pillar.Note : string.Join("; ", pillar.Metrics.Select(Metric)) + (pillar.Note is { } note ? $" ({note})" : string.Empty));
            text.Append(pillar.Score is { } ps ? string.Create(CultureInfo.InvariantCulture, $" [score {ps:0}]") : string.Empty);
            text.Append('\n');
        }

        if (score.Flags.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Flags: {string.Join("; ", score.Flags)}.\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Query API calls: {spend.Spent} of a budget of {spend.Limit}.");
        return text.ToString();
    }

    private static string Metric(HealthMetric m)
    {
        var rate = m.Name.StartsWith('D') || m.Name.Contains("rate", StringComparison.Ordinal);
        string Value(double? v) => v is not { } x ? "n/a" : rate ? x.ToString("0.0%", CultureInfo.InvariantCulture) : x.ToString(x < 100 ? "#,0.##" : "#,0", CultureInfo.InvariantCulture);
        return $"{m.Name} {Value(m.Current)}" + (m.Previous is null ? string.Empty : $" vs {Value(m.Previous)} ({DropAnalysis.Percent(m.Change)})");
    }

    private static string Title(string pillar) => char.ToUpperInvariant(pillar[0]) + pillar[1..];

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
