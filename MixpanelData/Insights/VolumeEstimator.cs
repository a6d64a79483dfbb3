using System.Globalization;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>The part of a fetch the user can narrow: the days, the events (null for all) and the most events in all.</summary>
/// <param name="From">First day.</param>
/// <param name="To">Last day.</param>
/// <param name="Events">The events to fetch; null for every event.</param>
/// <param name="Limit">The most events to fetch, if capped.</param>
public sealed record FetchScope(DateOnly From, DateOnly To, IReadOnlyList<string>? Events, int? Limit)
{
    /// <summary>How many days the scope spans.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;
}

/// <summary>One event's share of an estimate.</summary>
/// <param name="Event">The event's name.</param>
/// <param name="Count">Its events over the scope.</param>
public sealed record EventVolume(string Event, long Count);

/// <summary>
/// How many events a fetch would bring and how that was worked out. <see cref="Events"/> is null when the counts
/// could not be had (then <see cref="Method"/> says why); <see cref="UpperBound"/> when a where filter was not applied
/// to the count; <see cref="LowerBound"/> when not every event name could be counted.
/// </summary>
public sealed record VolumeEstimate(long? Events, string Method, bool UpperBound, bool LowerBound, IReadOnlyList<EventVolume> ByEvent);

/// <summary>Per-event, per-day counts of a date range from the Query API's <c>/events</c> endpoint.</summary>
/// <param name="from">First counted day.</param>
/// <param name="to">Last counted day.</param>
/// <param name="byEvent">Per event, its count on each day.</param>
/// <param name="allEvents">Whether every event of the project was asked for (rather than a named subset).</param>
/// <param name="namesSkipped">Event names left uncounted when every event was asked for.</param>
internal sealed class EventVolumes(DateOnly from, DateOnly to, IReadOnlyDictionary<string, IReadOnlyDictionary<DateOnly, double>> byEvent, bool allEvents, int namesSkipped)
{
    public DateOnly From { get; } = from;

    public DateOnly To { get; } = to;

    /// <summary>Event names that were not counted (beyond the number of counted names this estimator allows).</summary>
    public int NamesSkipped { get; } = namesSkipped;

    public IEnumerable<string> Events => byEvent.Keys;

    public bool Covers(FetchScope scope) =>
        scope.From >= From && scope.To <= To && (scope.Events is null ? allEvents : scope.Events.All(byEvent.ContainsKey));

    public long Count(string eventName, DateOnly from, DateOnly to) =>
        byEvent.TryGetValue(eventName, out var days) ? (long)Math.Round(days.Where(d => d.Key >= from && d.Key <= to).Sum(d => d.Value)) : 0;

    public long Count(DateOnly day, IReadOnlyCollection<string>? events) =>
        (long)Math.Round(byEvent.Where(e => events is null || events.Contains(e.Key)).Sum(e => e.Value.TryGetValue(day, out var n) ? n : 0));
}

/// <summary>
/// Estimates a fetch's volume from real event counts (Query API <c>/events</c>, general counts by day), spending
/// through the call's <see cref="QueryBudget"/>. The counts are kept, so a narrowed request inside the counted range
/// and events is re-estimated from them at no further cost.
/// </summary>
public sealed class VolumeEstimator
{
    private readonly InsightSources _sources;
    private readonly QueryBudget _budget;
    private readonly string? _where;

    internal VolumeEstimator(InsightSources sources, QueryBudget budget, string? where)
    {
        _sources = sources;
        _budget = budget;
        _where = where;
    }

    /// <summary>Event names per <c>/events</c> request (they travel in the URL).</summary>
    public const int NamesPerCall = 100;

    /// <summary>At most this many <c>/events</c> requests per count; names beyond are reported as not counted.</summary>
    public const int MaxCountCalls = 3;

    private IReadOnlyList<string>? _names;
    private EventVolumes? _volumes;

    /// <summary>Every event name of the project (one Query API call, then cached by the workspace), or the reason it could not be had.</summary>
    public async Task<Outcome<IReadOnlyList<string>>> NamesAsync(CancellationToken cancellationToken)
    {
        if (_names is { } known)
        {
            return new Outcome<IReadOnlyList<string>>(known, null);
        }

        var names = await _budget.RunAsync("event names (to count every event, and to check names)", 1, ct => _sources.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
        _names = names.Value;
        return names;
    }

    /// <summary>The events <paramref name="scope"/> would bring; nothing is counted when its limit is at or below <paramref name="threshold"/>.</summary>
    public async Task<VolumeEstimate> EstimateAsync(FetchScope scope, int threshold, CancellationToken cancellationToken)
    {
        if (scope.Limit is { } cap && cap <= threshold)
        {
            return new VolumeEstimate(cap, $"limit={cap:N0} caps the fetch at or below the threshold, so nothing needed counting (0 Query API calls).", false, false, []);
        }

        if (_volumes is null || !_volumes.Covers(scope))
        {
            var counted = await CountAsync(scope, cancellationToken).ConfigureAwait(false);
            if (!counted.Ok)
            {
                return new VolumeEstimate(null, $"The volume could not be estimated: {counted.Error}", false, false, []);
            }

            _volumes = counted.Value;
        }

        var volumes = _volumes!;
        var names = scope.Events ?? [.. volumes.Events];
        var byEvent = names.Select(e => new EventVolume(e, volumes.Count(e, scope.From, scope.To))).OrderByDescending(e => e.Count).ThenBy(e => e.Event, StringComparer.Ordinal).ToList();
        var total = byEvent.Sum(e => e.Count);
        var events = Math.Min(total, scope.Limit ?? long.MaxValue);
        var method = $"Sum of the Query API's daily event counts (/events, general) for {names.Count} event(s) over {scope.Days} day(s)"
            + (scope.Limit is { } limit && limit < total ? $", capped by limit={limit:N0}" : string.Empty)
            + (_where is null ? "." : "; an upper bound, because the where filter is applied by the export, not by these counts.")
            + (scope.Events is null && volumes.NamesSkipped > 0 ? $" A lower bound: {volumes.NamesSkipped} event name(s) beyond the first {NamesPerCall * MaxCountCalls} were not counted." : string.Empty);
        return new VolumeEstimate(events, method, _where is not null, scope.Events is null && volumes.NamesSkipped > 0, byEvent);
    }

    /// <summary>The latest days, ending at <paramref name="scope"/>'s last day, whose counted events fit under <paramref name="threshold"/>; null when not even one day fits or nothing was counted.</summary>
    public DateOnly? LatestStartUnder(FetchScope scope, int threshold)
    {
        if (_volumes is not { } volumes || !volumes.Covers(scope))
        {
            return null;
        }

        long sum = 0;
        DateOnly? start = null;
        for (var day = scope.To; day >= scope.From; day = day.AddDays(-1))
        {
            sum += volumes.Count(day, scope.Events);
            if (sum > threshold)
            {
                break;
            }

            start = day;
        }

        return start;
    }

    private async Task<Outcome<EventVolumes>> CountAsync(FetchScope scope, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names;
        var skipped = 0;
        if (scope.Events is { } wanted)
        {
            names = wanted;
        }
        else
        {
            var all = await NamesAsync(cancellationToken).ConfigureAwait(false);
            if (!all.Ok)
            {
                return new Outcome<EventVolumes>(null, all.Error);
            }

            names = [.. all.Value!.Take(NamesPerCall * MaxCountCalls)];
            skipped = all.Value!.Count - names.Count;
        }

        var byEvent = new Dictionary<string, IReadOnlyDictionary<DateOnly, double>>(StringComparer.Ordinal);
        foreach (var chunk in names.Chunk(NamesPerCall))
        {
            var counts = await _budget.RunAsync(
                $"daily counts of {chunk.Length} event(s), {scope.From:yyyy-MM-dd}..{scope.To:yyyy-MM-dd}",
                1,
                ct => _sources.Query.EventCountsAsync(new EventCountsQuery(chunk, scope.From, scope.To) { Type = CountType.General, Unit = TimeUnit.Day }, ct),
                cancellationToken).ConfigureAwait(false);
            if (!counts.Ok)
            {
                return new Outcome<EventVolumes>(null, counts.Error);
            }

            var days = counts.Value!.Series.Select(key => DateOnly.ParseExact(key[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
            foreach (var line in counts.Value.Segments)
            {
                byEvent[line.Name] = days.Zip(line.Values).GroupBy(x => x.First).ToDictionary(g => g.Key, g => g.Sum(x => x.Second));
            }
        }

        return new Outcome<EventVolumes>(new EventVolumes(scope.From, scope.To, byEvent, scope.Events is null, skipped), null);
    }
}
