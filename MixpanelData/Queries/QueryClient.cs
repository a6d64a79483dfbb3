using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MixpanelData.Analytics;
using MixpanelData.Discovery;
using MixpanelData.Api;

namespace MixpanelData.Queries;

/// <summary>
/// Live queries against Mixpanel's Query API. Each call spends one of the project's 60 counted queries an hour
/// (the workspace waits for the budget rather than failing, see <see cref="WorkspaceOptions.MaxRateLimitWait"/>).
/// <para>
/// Arguments are checked before any call (reversed ranges, bad limits: <see cref="ArgumentException"/>). Event names
/// are checked against the project's event list: when <c>ws.Discovery</c> holds that list (it is cached for a few
/// minutes), an unknown name fails at once with <see cref="EventNotFoundException"/> and its closest real names,
/// without a request. When the list is not cached, the query runs first (Mixpanel answers an unknown event with
/// nothing, not an error); only if the answer is empty or rejected is the list fetched, costing one more counted
/// query, after which it is cached.
/// </para>
/// </summary>
public sealed partial class QueryClient
{
    private const int MaxSegments = 10_000;
    private static readonly DateOnly EarliestDate = new(2000, 1, 1);

    private readonly IQueryApi _api;
    private readonly DiscoveryClient _discovery;
    private readonly long _projectId;

    internal QueryClient(IQueryApi api, DiscoveryClient discovery, long projectId)
    {
        _api = api;
        _discovery = discovery;
        _projectId = projectId;
    }

    /// <summary>Counts one event over time, optionally broken down (Mixpanel's <c>/segmentation</c>).</summary>
    /// <param name="query">What to count.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// Buckets in time order even when Mixpanel lists them out of order, days without data filled with 0, segments largest
    /// first, and <see cref="SegmentationResult.SegmentLimitHit"/> set when more segments existed than <see cref="SegmentationQuery.Limit"/>.
    /// </returns>
    /// <exception cref="ArgumentException">A reversed range, an empty event name, or a limit outside 1 to 10,000.</exception>
    /// <exception cref="EventNotFoundException">The event does not exist in the project.</exception>
    public async Task<SegmentationResult> SegmentationAsync(SegmentationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireName(query.Event, "Event");
        CheckRange(query.FromDate, query.ToDate);
        CheckLimit(query.Limit, MaxSegments, "Limit");
        var on = Blank(query.On);
        return await CheckedAsync(
            [query.Event],
            async ct =>
            {
                var answer = await _api.SegmentationAsync(
                    query.Event, query.FromDate, query.ToDate, query.Type.ToWire(), query.Unit.ToWire(), Blank(query.Where), on, on is null ? null : Probe(query.Limit), ct).ConfigureAwait(false);
                var (series, lines) = Lines(answer, query.Unit, query.FromDate, query.ToDate);
                var (kept, hit) = on is null ? (lines, false) : TopSegments(lines, query.Limit);
                return new SegmentationResult(query.Event, query.FromDate, query.ToDate, query.Unit, query.Type, on, series, kept, hit);
            },
            result => result.Segments.All(s => s.Values.All(v => v == 0)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts one event per numeric range of an expression (Mixpanel's <c>/segmentation/numeric</c>).</summary>
    /// <param name="query">The event, range and numeric expression.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A reversed range, an empty event or expression, or a unit other than hour or day.</exception>
    /// <exception cref="EventNotFoundException">The event does not exist in the project.</exception>
    public async Task<NumericSegmentationResult> SegmentationNumericAsync(NumericSegmentationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireName(query.Event, "Event");
        RequireName(query.On, "On");
        CheckRange(query.FromDate, query.ToDate);
        CheckUnit(query.Unit, "Unit", TimeUnit.Hour, TimeUnit.Day);
        return await CheckedAsync(
            [query.Event],
            async ct =>
            {
                var answer = await _api.SegmentationNumericAsync(
                    query.Event, query.FromDate, query.ToDate, query.On, query.Unit.ToWire(), query.Type.ToWire(), Blank(query.Where), ct).ConfigureAwait(false);
                var (series, lines) = Lines(answer, query.Unit, query.FromDate, query.ToDate);
                return new NumericSegmentationResult(query, series, [.. lines.OrderBy(l => RangeStart(l.Name)).ThenBy(l => l.Name, StringComparer.Ordinal)]);
            },
            result => result.Ranges.All(s => s.Values.All(v => v == 0)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sums a numeric expression over one event per time bucket (Mixpanel's <c>/segmentation/sum</c>).</summary>
    /// <param name="query">The event, range and expression.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A reversed range, an empty event or expression, or a unit other than hour or day.</exception>
    /// <exception cref="EventNotFoundException">The event does not exist in the project.</exception>
    public Task<NumericAggregateResult> SegmentationSumAsync(NumericAggregateQuery query, CancellationToken cancellationToken = default) =>
        AggregateAsync(query, NumericAggregate.Sum, cancellationToken);

    /// <summary>Averages a numeric expression over one event per time bucket (Mixpanel's <c>/segmentation/average</c>).</summary>
    /// <param name="query">The event, range and expression.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A reversed range, an empty event or expression, or a unit other than hour or day.</exception>
    /// <exception cref="EventNotFoundException">The event does not exist in the project.</exception>
    public Task<NumericAggregateResult> SegmentationAverageAsync(NumericAggregateQuery query, CancellationToken cancellationToken = default) =>
        AggregateAsync(query, NumericAggregate.Average, cancellationToken);

    /// <summary>Counts several events over time, one line per event (Mixpanel's <c>/events</c>).</summary>
    /// <param name="query">The events, range, count type and unit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A segmentation whose lines are the events (every event asked for has a line, 0 where it had no data).</returns>
    /// <exception cref="ArgumentException">No events, an empty name, or a reversed range.</exception>
    /// <exception cref="EventNotFoundException">An event does not exist in the project.</exception>
    public async Task<SegmentationResult> EventCountsAsync(EventCountsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Events, "query.Events");
        if (query.Events.Count == 0)
        {
            throw new ArgumentException("Name at least one event in Events.", nameof(query));
        }

        foreach (var name in query.Events)
        {
            RequireName(name, "Events");
        }

        CheckRange(query.FromDate, query.ToDate);
        var events = query.Events.Distinct(StringComparer.Ordinal).ToList();
        return await CheckedAsync(
            events,
            async ct =>
            {
                var answer = await _api.EventsAsync(new JsonStringArray(events), query.Type.ToWire(), query.Unit.ToWire(), query.FromDate, query.ToDate, ct).ConfigureAwait(false);
                var (series, lines) = Lines(answer, query.Unit, query.FromDate, query.ToDate);
                var missing = events.Where(e => lines.All(l => l.Name != e)).Select(e => new SegmentSeries(e, new double[series.Count]));
                return new SegmentationResult(string.Join(", ", events), query.FromDate, query.ToDate, query.Unit, query.Type, null, series, Largest([.. lines, .. missing]), false);
            },
            result => result.Segments.Any(s => s.Values.All(v => v == 0)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts one event per value of one property over time (Mixpanel's <c>/events/properties</c>).</summary>
    /// <param name="query">The event, property, range and options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A segmentation broken down by <c>properties["Property"]</c>, values largest first.</returns>
    /// <exception cref="ArgumentException">An empty name, a reversed range, or a limit outside 1 to 10,000.</exception>
    /// <exception cref="EventNotFoundException">The event does not exist in the project.</exception>
    public async Task<SegmentationResult> PropertyCountsAsync(PropertyCountsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireName(query.Event, "Event");
        RequireName(query.Property, "Property");
        CheckRange(query.FromDate, query.ToDate);
        CheckLimit(query.Limit, MaxSegments, "Limit");
        if (query.Values is { } values && values.Any(v => v is null))
        {
            throw new ArgumentException("Values must not contain null.", nameof(query));
        }

        return await CheckedAsync(
            [query.Event],
            async ct =>
            {
                var answer = await _api.EventPropertiesAsync(
                    query.Event, query.Property, JsonStringArray.From(query.Values), query.Type.ToWire(), query.Unit.ToWire(), query.FromDate, query.ToDate, Probe(query.Limit), ct).ConfigureAwait(false);
                var (series, lines) = Lines(answer, query.Unit, query.FromDate, query.ToDate);
                var (kept, hit) = TopSegments(lines, query.Limit);
                return new SegmentationResult(query.Event, query.FromDate, query.ToDate, query.Unit, query.Type, PropertyExpression(query.Property), series, kept, hit);
            },
            result => result.Segments.All(s => s.Values.All(v => v == 0)),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<NumericAggregateResult> AggregateAsync(NumericAggregateQuery query, NumericAggregate aggregate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireName(query.Event, "Event");
        RequireName(query.On, "On");
        CheckRange(query.FromDate, query.ToDate);
        CheckUnit(query.Unit, "Unit", TimeUnit.Hour, TimeUnit.Day);
        return await CheckedAsync(
            [query.Event],
            async ct =>
            {
                var answer = aggregate == NumericAggregate.Sum
                    ? await _api.SegmentationSumAsync(query.Event, query.FromDate, query.ToDate, query.On, query.Unit.ToWire(), Blank(query.Where), ct).ConfigureAwait(false)
                    : await _api.SegmentationAverageAsync(query.Event, query.FromDate, query.ToDate, query.On, query.Unit.ToWire(), Blank(query.Where), ct).ConfigureAwait(false);
                var series = SeriesKeys(answer.Results.Keys, query.Unit, query.FromDate, query.ToDate);
                return new NumericAggregateResult(query, aggregate, series, [.. series.Select(k => answer.Results.GetValueOrDefault(k))], answer.ComputedAt);
            },
            result => result.Values.All(v => v == 0),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a query that names events, checking the names against the project's event list as the class remarks say:
    /// for free when the list is cached, otherwise only once the answer comes back empty or rejected.
    /// </summary>
    private async Task<T> CheckedAsync<T>(IReadOnlyList<string> events, Func<CancellationToken, Task<T>> run, Func<T, bool> empty, CancellationToken cancellationToken)
    {
        var verified = false;
        if (events.Count > 0 && _discovery.TryGetCachedEventNames(out var cached))
        {
            ThrowIfUnknown(events, cached);
            verified = true;
        }

        T result;
        try
        {
            result = await run(cancellationToken).ConfigureAwait(false);
        }
        catch (QueryException) when (!verified && events.Count > 0)
        {
            await ThrowIfUnknownAsync(events, cancellationToken).ConfigureAwait(false);
            throw;
        }

        if (!verified && events.Count > 0 && empty(result))
        {
            await ThrowIfUnknownAsync(events, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task ThrowIfUnknownAsync(IReadOnlyList<string> events, CancellationToken cancellationToken)
    {
        EventNameList known;
        try
        {
            known = await _discovery.EventNamesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MixpanelApiException) when (!cancellationToken.IsCancellationRequested)
        {
            // The check only adds suggestions; when the list cannot be had, the query's own answer (or error) stands.
            return;
        }

        ThrowIfUnknown(events, known);
    }

    private void ThrowIfUnknown(IReadOnlyList<string> events, EventNameList known)
    {
        if (known.MayBeIncomplete)
        {
            return;
        }

        foreach (var name in events)
        {
            if (!known.Names.Contains(name, StringComparer.Ordinal))
            {
                throw new EventNotFoundException(name, NameSuggestions.Closest(name, known.Names), $"Mixpanel project {_projectId}");
            }
        }
    }

    /// <summary>A series answer as the result wants it: buckets sorted and filled, one line per key of <c>values</c>.</summary>
    private static (IReadOnlyList<string> Series, List<SegmentSeries> Lines) Lines(SeriesAnswer answer, TimeUnit unit, DateOnly from, DateOnly to)
    {
        var series = SeriesKeys(answer.Keys, unit, from, to);
        return (series, [.. answer.Lines.Select(m => new SegmentSeries(m.Name, [.. series.Select(k => m.Values.GetValueOrDefault(k))]))]);
    }

    /// <summary>
    /// The bucket keys in time order. Days of the range are always all there (Mixpanel leaves out dates without
    /// data); hours and minutes are filled only when Mixpanel's keys have the expected <c>yyyy-mm-dd HH:MM:SS</c> form,
    /// and weeks and months are left as sent, since their first day depends on the project's settings.
    /// </summary>
    private static List<string> SeriesKeys(IEnumerable<string> sent, TimeUnit unit, DateOnly from, DateOnly to)
    {
        var keys = new HashSet<string>(sent, StringComparer.Ordinal);
        var fill = unit switch
        {
            TimeUnit.Day => true,
            TimeUnit.Hour or TimeUnit.Minute => keys.Count > 0 && keys.All(k => DateTime.TryParseExact(k, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)),
            _ => false,
        };
        if (fill)
        {
            keys.UnionWith(TimeBuckets.Series(unit, from, to));
        }

        return [.. keys.Order(StringComparer.Ordinal)];
    }

    private static List<SegmentSeries> Largest(IEnumerable<SegmentSeries> lines) =>
        [.. lines.OrderByDescending(l => l.Total).ThenBy(l => l.Name, StringComparer.Ordinal)];

    /// <summary>The largest <paramref name="limit"/> lines, and whether there were more (the request asked for one extra to know).</summary>
    private static (IReadOnlyList<SegmentSeries> Kept, bool Hit) TopSegments(List<SegmentSeries> lines, int limit)
    {
        var sorted = Largest(lines);
        var hit = sorted.Count > limit || (limit == MaxSegments && sorted.Count >= MaxSegments);
        return ([.. sorted.Take(limit)], hit);
    }

    /// <summary>One more than the limit, so that a full answer tells whether segments were cut off.</summary>
    private static int Probe(int limit) => Math.Min(limit + 1, MaxSegments);

    private static double RangeStart(string label)
    {
        var match = LeadingNumber().Match(label);
        return match.Success && double.TryParse(match.Value.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : double.MaxValue;
    }

    private static void RequireName(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} must not be empty.", "query");
        }
    }

    private static void CheckRange(DateOnly from, DateOnly to)
    {
        if (to < from)
        {
            throw new ArgumentException($"The range ends ({Day(to)}) before it starts ({Day(from)}); swap FromDate and ToDate.", "query");
        }

        if (from < EarliestDate)
        {
            throw new ArgumentException($"FromDate {Day(from)} is before 2000-01-01, which Mixpanel rejects.", "query");
        }
    }

    private static void CheckLimit(int value, int max, string name)
    {
        if (value < 1 || value > max)
        {
            throw new ArgumentOutOfRangeException("query", value, $"{name} must be between 1 and {max.ToString("N0", CultureInfo.InvariantCulture)} (got {value.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    private static void CheckUnit(TimeUnit unit, string name, params TimeUnit[] allowed)
    {
        if (!allowed.Contains(unit))
        {
            throw new ArgumentException($"{name} must be {string.Join(" or ", allowed.Select(u => u.ToWire()))} here (got {unit.ToWire()}).", "query");
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*-?[\d,]*\.?\d+", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingNumber();

    /// <summary>The expression Mixpanel's expression language uses for a property, e.g. <c>properties["plan"]</c>.</summary>
    private static string PropertyExpression(string name) =>
        "properties[\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"]";
}
