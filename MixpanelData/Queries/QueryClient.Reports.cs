using System.Globalization;
using System.Text.Json;
using MixpanelData.Discovery;
using MixpanelData.Api;

namespace MixpanelData.Queries;

public sealed partial class QueryClient
{
    private const int MaxWindowDays = 90;

    /// <summary>
    /// A saved funnel over a date range (Mixpanel's <c>/funnels</c>). With <see cref="SavedFunnelQuery.On"/> every segment is
    /// kept, in each date bucket and over the whole range (the Python original kept only <c>$overall</c>).
    /// </summary>
    /// <param name="query">The funnel, range and options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The funnel with its id and name. The name comes from the funnel list: free when <c>ws.Discovery</c> holds it,
    /// otherwise one <c>/funnels/list</c> call (then cached); <see langword="null"/> when that list cannot be had.
    /// </returns>
    /// <exception cref="ArgumentException">A reversed range, both <c>Unit</c> and <c>Interval</c>, a window over 90 days, a bad limit.</exception>
    /// <exception cref="QueryException">Mixpanel rejected the request, e.g. the funnel id is not a saved funnel.</exception>
    public async Task<SavedFunnelResult> FunnelAsync(SavedFunnelQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.FunnelId, "query.FunnelId");
        CheckRange(query.FromDate, query.ToDate);
        CheckLimit(query.Limit, MaxSegments, "Limit");
        if (query.Unit is not null && query.Interval is not null)
        {
            throw new ArgumentException("Give Unit or Interval, not both: Mixpanel buckets a funnel either by calendar unit or by a number of days.", nameof(query));
        }

        if (query.Unit is { } unit)
        {
            CheckUnit(unit, "Unit", TimeUnit.Day, TimeUnit.Week, TimeUnit.Month);
        }

        if (query.Interval is { } interval)
        {
            CheckLimit(interval, 10_000, "Interval");
        }

        var (length, lengthUnit) = Window(query);
        var on = Blank(query.On);
        var answer = await _api.FunnelAsync(
            query.FunnelId, query.FromDate, query.ToDate, length, lengthUnit, query.Unit?.ToWire(), query.Interval, Blank(query.Where), on, on is null ? null : Probe(query.Limit), cancellationToken).ConfigureAwait(false);
        var funnel = ReadFunnel(answer, query, on is not null);
        return new SavedFunnelResult(query.FunnelId, await FunnelNameAsync(query.FunnelId, cancellationToken).ConfigureAwait(false), query, funnel);
    }

    /// <summary>Cohort retention (Mixpanel's <c>/retention</c>).</summary>
    /// <param name="query">
    /// The cohorts. Mixpanel never takes <c>interval</c> and <c>unit</c> together: an <see cref="RetentionQuery.Interval"/> of 1
    /// is sent as <c>unit</c>; a longer one as <c>interval</c> in days (weeks × 7); several months per bucket cannot be asked.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Cohorts in date order; with <see cref="RetentionQuery.On"/>, one set of cohorts per segment, largest first.</returns>
    /// <exception cref="ArgumentException">A reversed range, a birth query without a born event, bad interval, count or limit.</exception>
    /// <exception cref="EventNotFoundException">The born or returning event does not exist in the project.</exception>
    public async Task<RetentionResult> RetentionAsync(RetentionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckRange(query.FromDate, query.ToDate);
        CheckUnit(query.Unit, "Unit", TimeUnit.Day, TimeUnit.Week, TimeUnit.Month);
        _ = query.Type.ToWire();
        var birth = query.Type == RetentionType.Birth;
        if (birth)
        {
            RequireName(query.BornEvent, "BornEvent (required for birth retention)");
        }

        CheckLimit(query.IntervalCount, 10_000, "IntervalCount");
        CheckLimit(query.Interval, 10_000, "Interval");
        var on = Blank(query.On);
        if (on is not null)
        {
            CheckLimit(query.Limit, MaxSegments, "Limit");
        }

        string? unit = null;
        int? interval = null;
        if (query.Interval == 1)
        {
            unit = query.Unit.ToWire();
        }
        else
        {
            var days = query.Unit switch
            {
                TimeUnit.Day => query.Interval,
                TimeUnit.Week => query.Interval * 7,
                _ => throw new ArgumentException("Mixpanel cannot bucket retention by several months; use Unit = Month with Interval = 1, or days.", nameof(query)),
            };
            if (days > MaxWindowDays)
            {
                throw new ArgumentException($"A retention bucket can span at most {MaxWindowDays} days (got {days}).", nameof(query));
            }

            interval = days;
        }

        var parameters = new RetentionParameters
        {
            FromDate = query.FromDate, ToDate = query.ToDate, RetentionType = query.Type.ToWire(),
            BornEvent = birth ? query.BornEvent : null, Event = Blank(query.Event),
            BornWhere = birth ? Blank(query.BornWhere) : null, Where = Blank(query.Where),
            Unit = unit, Interval = interval, IntervalCount = query.IntervalCount,
            UnboundedRetention = query.Unbounded ? "true" : null, On = on, Limit = on is null ? null : query.Limit,
        };
        List<string> events = [.. new[] { birth ? query.BornEvent : null, Blank(query.Event) }.OfType<string>().Distinct(StringComparer.Ordinal)];
        return await CheckedAsync(
            events,
            async ct => ReadRetention(await _api.RetentionAsync(parameters, ct).ConfigureAwait(false), query),
            result => result.Overall.Cohorts.All(c => c.First == 0),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many distinct hours (or days) per period users do an event (Mixpanel's <c>/retention/addiction</c>).</summary>
    /// <param name="query">The range, period, counting unit and event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Periods in date order; element i of each counts users active in at least i+1 distinct hours (or days) of the period.</returns>
    /// <exception cref="ArgumentException">A reversed range, a period other than day/week/month, a counting unit other than hour/day.</exception>
    /// <exception cref="EventNotFoundException">The event does not exist in the project.</exception>
    public async Task<FrequencyResult> FrequencyAsync(FrequencyQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckRange(query.FromDate, query.ToDate);
        CheckUnit(query.Unit, "Unit", TimeUnit.Day, TimeUnit.Week, TimeUnit.Month);
        CheckUnit(query.AddictionUnit, "AddictionUnit", TimeUnit.Hour, TimeUnit.Day);
        var eventName = Blank(query.Event);
        return await CheckedAsync(
            eventName is null ? [] : [eventName],
            async ct =>
            {
                var answer = await _api.FrequencyAsync(query.FromDate, query.ToDate, query.Unit.ToWire(), query.AddictionUnit.ToWire(), eventName, Blank(query.Where), ct).ConfigureAwait(false);
                return new FrequencyResult(query, [.. answer.Periods
                    .Select(p => new FrequencyPeriod(DateKey(p.Key), p.Value))
                    .OrderBy(p => p.Date, StringComparer.Ordinal)]);
            },
            result => result.Periods.All(p => p.Counts.All(c => c == 0)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The events of a few users (Mixpanel's <c>/stream/query</c>, in maintenance mode at Mixpanel). Mixpanel sends the
    /// whole feed; only the latest <see cref="ActivityFeedQuery.Limit"/> events are kept, and the result says how many there were.
    /// </summary>
    /// <param name="query">The users, range and limit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">No users, an empty id, a reversed range, or a limit outside 1 to 100,000.</exception>
    public async Task<ActivityFeedResult> ActivityFeedAsync(ActivityFeedQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.DistinctIds, "query.DistinctIds");
        if (query.DistinctIds.Count == 0)
        {
            throw new ArgumentException("Name at least one user in DistinctIds.", nameof(query));
        }

        foreach (var id in query.DistinctIds)
        {
            RequireName(id, "DistinctIds");
        }

        CheckRange(query.FromDate, query.ToDate);
        CheckLimit(query.Limit, 100_000, "Limit");
        var answer = await _api.ActivityFeedAsync(new JsonStringArray(query.DistinctIds), query.FromDate, query.ToDate, cancellationToken).ConfigureAwait(false);
        return ReadActivity(answer, query);
    }

    /// <summary>A saved report (bookmark) as Mixpanel computes it now (<c>/insights?bookmark_id=</c>): insights, funnels and retention reports.</summary>
    /// <param name="query">The report.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The headers, the series (raw and flattened), the date range and <c>meta</c> when Mixpanel sends it.</returns>
    /// <exception cref="NotFoundException">No saved report has that id.</exception>
    public async Task<SavedReportResult> SavedReportAsync(SavedReportQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.BookmarkId, "query.BookmarkId");
        var answer = await _api.InsightsAsync(query.BookmarkId, cancellationToken).ConfigureAwait(false);
        var values = new List<ReportValue>();
        Flatten(answer.Series, [], values);
        return new SavedReportResult(query.BookmarkId, answer.Headers, answer.Series, values)
        {
            ComputedAt = answer.ComputedAt,
            FromDate = answer.FromDate,
            ToDate = answer.ToDate,
            SegmentLimitHit = answer.SegmentLimitHit,
            Meta = answer.Meta,
            Raw = answer.Raw,
        };
    }

    /// <summary>
    /// Runs a JQL script (Mixpanel's <c>/jql</c>). JQL is in maintenance mode at Mixpanel and being sunset; it counts against
    /// the Query API budget and may stop working. Prefer the other queries, saved reports, or fetched events and local SQL.
    /// </summary>
    /// <param name="query">The script and its <c>params</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="JqlException">The script failed (Mixpanel's 412): the message carries Mixpanel's error text.</exception>
    public async Task<JqlResult> JqlAsync(JqlQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireName(query.Script, "Script");
        var answer = await _api.JqlAsync(new JqlForm(query.Script, query.Params?.ToJsonString()), cancellationToken).ConfigureAwait(false);
        return new JqlResult(answer.Values);
    }

    private static (int? Length, string? Unit) Window(SavedFunnelQuery query)
    {
        if (query.WindowLength is null && query.WindowUnit is null)
        {
            return (null, null);
        }

        var length = query.WindowLength ?? 1;
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(query), length, "WindowLength must be at least 1.");
        }

        var unit = query.WindowUnit ?? WindowUnit.Day;
        if (unit == WindowUnit.Week)
        {
            // Mixpanel's length_unit has no weeks.
            (length, unit) = (checked(length * 7), WindowUnit.Day);
        }

        var seconds = (long)length * unit switch { WindowUnit.Second => 1, WindowUnit.Minute => 60, WindowUnit.Hour => 3600, _ => 86_400 };
        if (seconds > MaxWindowDays * 86_400L)
        {
            throw new ArgumentException($"A funnel's conversion window can be at most {MaxWindowDays} days (got {length.ToString(CultureInfo.InvariantCulture)} {unit.ToWire()}s).", nameof(query));
        }

        return (length, unit.ToWire());
    }

    private async Task<string?> FunnelNameAsync(long funnelId, CancellationToken cancellationToken)
    {
        if (!_discovery.TryGetCachedFunnels(out var funnels))
        {
            try
            {
                funnels = await _discovery.FunnelsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MixpanelApiException) when (!cancellationToken.IsCancellationRequested)
            {
                // The name is a courtesy; the funnel itself was answered.
                return null;
            }
        }

        return funnels.FirstOrDefault(f => f.FunnelId == funnelId)?.Name;
    }

    private static FunnelResult ReadFunnel(FunnelAnswer answer, SavedFunnelQuery query, bool segmented)
    {
        var buckets = new List<(string Date, FunnelSteps Overall, List<FunnelSteps> Segments)>();
        foreach (var date in answer.Dates)
        {
            var segments = date.Segments.Select(s => ReadSteps(s.Segment, s.Steps)).ToList();
            var overall = date.Overall is { } steps ? ReadSteps(FunnelSteps.Overall, steps) : null;
            buckets.Add((DateKey(date.Date), overall ?? Sum(FunnelSteps.Overall, segments), segments));
        }

        buckets.Sort((a, b) => string.CompareOrdinal(a.Date, b.Date));
        var overallRange = Sum(FunnelSteps.Overall, buckets.Select(b => b.Overall));
        var ranked = buckets.SelectMany(b => b.Segments).GroupBy(s => s.Segment, StringComparer.Ordinal)
            .Select(g => Sum(g.Key, g))
            .OrderByDescending(s => s.Entered).ThenBy(s => s.Segment, StringComparer.Ordinal)
            .ToList();
        var hit = segmented && (ranked.Count > query.Limit || (query.Limit == MaxSegments && ranked.Count >= MaxSegments));
        var kept = ranked.Take(query.Limit).ToList();
        var keptNames = kept.Select(s => s.Segment).ToHashSet(StringComparer.Ordinal);
        var stepNames = overallRange.Steps.Select(s => s.Event).ToList();
        return new FunnelResult(
            stepNames,
            query.FromDate,
            query.ToDate,
            overallRange,
            kept,
            [.. buckets.Select(b => new FunnelBucket(b.Date, b.Overall, [.. b.Segments.Where(s => keptNames.Contains(s.Segment)).OrderByDescending(s => s.Entered).ThenBy(s => s.Segment, StringComparer.Ordinal)]))],
            hit);
    }

    private static FunnelSteps ReadSteps(string segment, IReadOnlyList<FunnelStepAnswer> steps) => new(segment, [.. steps.Select((s, i) => new FunnelStep(
        s.Event ?? $"step {i + 1}",
        s.Count ?? 0,
        s.StepConversion ?? (i == 0 ? 1 : 0),
        s.OverallConversion ?? (i == 0 ? 1 : 0),
        i == 0 ? null : s.AverageTime,
        i == 0 ? null : s.AverageTimeFromStart))]);

    /// <summary>Adds funnels of the same steps: counts add up, ratios are recomputed, average times are weighted by count.</summary>
    private static FunnelSteps Sum(string segment, IEnumerable<FunnelSteps> parts)
    {
        var list = parts.ToList();
        var length = list.Count == 0 ? 0 : list.Max(p => p.Steps.Count);
        var counts = new long[length];
        var steps = new List<FunnelStep>(length);
        for (var i = 0; i < length; i++)
        {
            var at = list.Where(p => p.Steps.Count > i).Select(p => p.Steps[i]).ToList();
            counts[i] = at.Sum(s => s.Count);
            var previous = i == 0 ? counts[0] : counts[i - 1];
            steps.Add(new FunnelStep(
                at.Select(s => s.Event).FirstOrDefault(e => e.Length > 0) ?? string.Empty,
                counts[i],
                i == 0 ? 1 : previous == 0 ? 0 : (double)counts[i] / previous,
                counts[0] == 0 ? (i == 0 ? 1 : 0) : (double)counts[i] / counts[0],
                i == 0 ? null : Weighted(at, s => s.AverageSecondsFromPrevious),
                i == 0 ? null : Weighted(at, s => s.AverageSecondsFromStart)));
        }

        return new FunnelSteps(segment, steps);
    }

    private static double? Weighted(IEnumerable<FunnelStep> steps, Func<FunnelStep, double?> value)
    {
        double total = 0, weight = 0;
        foreach (var step in steps)
        {
            if (value(step) is { } v && step.Count > 0)
            {
                total += v * step.Count;
                weight += step.Count;
            }
        }

        return weight == 0 ? null : total / weight;
    }

    private static RetentionResult ReadRetention(RetentionAnswer answer, RetentionQuery query)
    {
        if (answer.Cohorts is { } flat)
        {
            return new RetentionResult(query, new RetentionSegment(FunnelSteps.Overall, ReadCohorts(flat)), []);
        }

        RetentionSegment? overall = null;
        var segments = new List<RetentionSegment>();
        foreach (var (name, cohorts) in answer.Segments)
        {
            var read = new RetentionSegment(name, ReadCohorts(cohorts));
            if (name == FunnelSteps.Overall)
            {
                overall = read;
            }
            else
            {
                segments.Add(read);
            }
        }

        overall ??= new RetentionSegment(FunnelSteps.Overall, [.. segments.SelectMany(s => s.Cohorts).GroupBy(c => c.Date, StringComparer.Ordinal)
            .Select(g => new RetentionCohort(g.Key, g.Sum(c => c.First), [.. Enumerable.Range(0, g.Max(c => c.Counts.Count)).Select(i => g.Sum(c => c.Counts.Count > i ? c.Counts[i] : 0))]))
            .OrderBy(c => c.Date, StringComparer.Ordinal)]);
        return new RetentionResult(query, overall, [.. segments.OrderByDescending(s => s.Cohorts.Sum(c => c.First)).ThenBy(s => s.Segment, StringComparer.Ordinal)]);
    }

    private static List<RetentionCohort> ReadCohorts(IEnumerable<RetentionCohortAnswer> cohorts) =>
        [.. cohorts.Select(c => new RetentionCohort(DateKey(c.Date), c.First, c.Counts)).OrderBy(c => c.Date, StringComparer.Ordinal)];

    /// <summary>Keys such as <c>2024-03-18T00:00:00</c> (saved retention reports) become <c>2024-03-18</c>; others stay as sent.</summary>
    private static string DateKey(string key) =>
        key.Length > 10 && key[10] == 'T' && DateOnly.TryParseExact(key.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && TimeOnly.TryParse(key.AsSpan(11, Math.Min(8, key.Length - 11)), CultureInfo.InvariantCulture, out var t) && t == TimeOnly.MinValue
            ? key[..10]
            : key;

    private static ActivityFeedResult ReadActivity(ActivityAnswer answer, ActivityFeedQuery query)
    {
        var events = answer.Events;
        var order = new List<(int Index, double Time)>();
        for (var index = 0; index < events.Count; index++)
        {
            order.Add((index, events[index].Time ?? double.MinValue));
        }

        // Keep the latest events: order by time (stable for ties), then take the tail.
        var keep = order.OrderBy(o => o.Time).ThenBy(o => o.Index).Skip(Math.Max(0, order.Count - query.Limit)).Select(o => o.Index).ToList();
        var kept = new List<ActivityEvent>(keep.Count);
        foreach (var i in keep)
        {
            var item = events[i];
            kept.Add(new ActivityEvent(item.Event ?? string.Empty, item.Time is { } seconds ? EpochTime(seconds) : null, item.DistinctId, item.Properties));
        }

        return new ActivityFeedResult(query, kept, order.Count, order.Count > kept.Count);
    }

    // Seconds since 1970; values this large can only be milliseconds (time_in_ms).
    private static DateTimeOffset EpochTime(double value) => value > 100_000_000_000
        ? DateTimeOffset.FromUnixTimeMilliseconds((long)value)
        : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value * 1000));

    private static void Flatten(JsonElement element, List<string> path, List<ReportValue> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    path.Add(property.Name);
                    Flatten(property.Value, path, values);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    path.Add((i++).ToString(CultureInfo.InvariantCulture));
                    Flatten(item, path, values);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonValueKind.Number:
                values.Add(new ReportValue([.. path], element.GetDouble()));
                break;
        }
    }
}
