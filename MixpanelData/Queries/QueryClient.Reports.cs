using System.Globalization;
using System.Text.Json;
using MixpanelData.Discovery;
using MixpanelData.Http;

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
        var request = new ApiRequest(ApiFamily.Query, "funnels")
        {
            Query =
            [
                new("funnel_id", Number(query.FunnelId)), new("from_date", Day(query.FromDate)), new("to_date", Day(query.ToDate)),
                new("length", length), new("length_unit", lengthUnit), new("unit", query.Unit?.ToWire()),
                new("interval", query.Interval is { } i ? Number(i) : null), new("where", Blank(query.Where)),
                new("on", on), new("limit", on is null ? null : Number(Probe(query.Limit))),
            ],
        };
        var funnel = await ApiJson.SendAsync(_workspace, request, root => ReadFunnel(root, query, on is not null), cancellationToken).ConfigureAwait(false);
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

        string? unit = null, interval = null;
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

            interval = Number(days);
        }

        var request = new ApiRequest(ApiFamily.Query, "retention")
        {
            Query =
            [
                new("from_date", Day(query.FromDate)), new("to_date", Day(query.ToDate)), new("retention_type", query.Type.ToWire()),
                new("born_event", birth ? query.BornEvent : null), new("event", Blank(query.Event)),
                new("born_where", birth ? Blank(query.BornWhere) : null), new("where", Blank(query.Where)),
                new("unit", unit), new("interval", interval), new("interval_count", Number(query.IntervalCount)),
                new("unbounded_retention", query.Unbounded ? "true" : null), new("on", on), new("limit", on is null ? null : Number(query.Limit)),
            ],
        };
        List<string> events = [.. new[] { birth ? query.BornEvent : null, Blank(query.Event) }.OfType<string>().Distinct(StringComparer.Ordinal)];
        return await CheckedAsync(
            events,
            ct => ApiJson.SendAsync(_workspace, request, root => ReadRetention(root, query), ct),
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
        var request = new ApiRequest(ApiFamily.Query, "retention/addiction")
        {
            Query =
            [
                new("from_date", Day(query.FromDate)), new("to_date", Day(query.ToDate)), new("unit", query.Unit.ToWire()),
                new("addiction_unit", query.AddictionUnit.ToWire()), new("event", eventName), new("where", Blank(query.Where)),
            ],
        };
        return await CheckedAsync(
            eventName is null ? [] : [eventName],
            ct => ApiJson.SendAsync(_workspace, request, root =>
            {
                // The OpenAPI schema wraps the periods in "data"; the prose docs show them bare. Read both.
                var data = ApiJson.Property(root, "data") is { ValueKind: JsonValueKind.Object } wrapped ? wrapped : ApiJson.Expect(root, JsonValueKind.Object, "the answer");
                return new FrequencyResult(query, [.. data.EnumerateObject()
                    .Select(p => new FrequencyPeriod(DateKey(p.Name), [.. ApiJson.Expect(p.Value, JsonValueKind.Array, p.Name).EnumerateArray().Select(c => ApiJson.Long(c) ?? 0)]))
                    .OrderBy(p => p.Date, StringComparer.Ordinal)]);
            }, ct),
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
        var request = new ApiRequest(ApiFamily.Query, "stream/query")
        {
            Query = [new("distinct_ids", ApiJson.StringArray(query.DistinctIds)), new("from_date", Day(query.FromDate)), new("to_date", Day(query.ToDate))],
        };
        return await ApiJson.SendAsync(_workspace, request, root => ReadActivity(root, query), cancellationToken).ConfigureAwait(false);
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
        var request = new ApiRequest(ApiFamily.Query, "insights") { Query = [new("bookmark_id", Number(query.BookmarkId))] };
        return await ApiJson.SendAsync(_workspace, request, root =>
        {
            ApiJson.Expect(root, JsonValueKind.Object, "the answer");
            var series = ApiJson.Property(root, "series")?.Clone() ?? default;
            var values = new List<ReportValue>();
            Flatten(series, [], values);
            var meta = ApiJson.Property(root, "meta")?.Clone();
            var range = ApiJson.Property(root, "date_range");
            return new SavedReportResult(
                query.BookmarkId,
                ApiJson.Property(root, "headers") is { ValueKind: JsonValueKind.Array } headers ? [.. headers.EnumerateArray().Select(ApiJson.Text)] : [],
                series,
                values)
            {
                ComputedAt = ApiJson.Time(root, "computed_at"),
                FromDate = range is { } f ? ApiJson.Time(f, "from_date") : null,
                ToDate = range is { } t ? ApiJson.Time(t, "to_date") : null,
                SegmentLimitHit = meta is { } m && (ApiJson.Bool(m, "is_segmentation_limit_hit") ?? false),
                Meta = meta,
                Raw = root.Clone(),
            };
        }, cancellationToken).ConfigureAwait(false);
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
        var request = new ApiRequest(ApiFamily.Query, "jql")
        {
            Method = HttpMethod.Post,
            Form = [new("script", query.Script), new("params", query.Params?.ToJsonString())],
        };
        return await ApiJson.SendAsync(
            _workspace,
            request,
            root => new JqlResult(root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray().Select(e => e.Clone())] : [root.Clone()]),
            cancellationToken).ConfigureAwait(false);
    }

    private static (string? Length, string? Unit) Window(SavedFunnelQuery query)
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

        return (Number(length), unit.ToWire());
    }

    private async Task<string?> FunnelNameAsync(long funnelId, CancellationToken cancellationToken)
    {
        if (!_workspace.Discovery.TryGetCachedFunnels(out var funnels))
        {
            try
            {
                funnels = await _workspace.Discovery.FunnelsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MixpanelApiException) when (!cancellationToken.IsCancellationRequested)
            {
                // The name is a courtesy; the funnel itself was answered.
                return null;
            }
        }

        return funnels.FirstOrDefault(f => f.FunnelId == funnelId)?.Name;
    }

    private static FunnelResult ReadFunnel(JsonElement root, SavedFunnelQuery query, bool segmented)
    {
        var data = ApiJson.Expect(ApiJson.Property(root, "data") ?? throw new FormatException("no data object"), JsonValueKind.Object, "data");
        var buckets = new List<(string Date, FunnelSteps Overall, List<FunnelSteps> Segments)>();
        foreach (var date in data.EnumerateObject())
        {
            ApiJson.Expect(date.Value, JsonValueKind.Object, date.Name);
            FunnelSteps? overall = null;
            var segments = new List<FunnelSteps>();
            if (ApiJson.Property(date.Value, "steps") is { ValueKind: JsonValueKind.Array } steps)
            {
                overall = ReadSteps(FunnelSteps.Overall, steps);
            }
            else
            {
                // With "on", each date maps the segment values (and "$overall") to their steps.
                foreach (var segment in date.Value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array))
                {
                    var read = ReadSteps(segment.Name, segment.Value);
                    if (segment.Name == FunnelSteps.Overall)
                    {
                        overall = read;
                    }
                    else
                    {
                        segments.Add(read);
                    }
                }
            }

            buckets.Add((DateKey(date.Name), overall ?? Sum(FunnelSteps.Overall, segments), segments));
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

    private static FunnelSteps ReadSteps(string segment, JsonElement steps) => new(segment, [.. steps.EnumerateArray().Select((s, i) =>
    {
        var eventName = ApiJson.String(s, "event") ?? ApiJson.String(s, "goal") ?? ApiJson.String(s, "step_label") ?? $"step {i + 1}";
        if (eventName.StartsWith("$custom_event:", StringComparison.Ordinal) && ApiJson.String(s, "step_label") is { Length: > 0 } label)
        {
            // A custom event's "event" is an id; its label is the name people know it by.
            eventName = label;
        }

        return new FunnelStep(
            eventName,
            ApiJson.Long(s, "count") ?? 0,
            ApiJson.Double(s, "step_conv_ratio") ?? (i == 0 ? 1 : 0),
            ApiJson.Double(s, "overall_conv_ratio") ?? (i == 0 ? 1 : 0),
            i == 0 ? null : ApiJson.Double(s, "avg_time"),
            i == 0 ? null : ApiJson.Double(s, "avg_time_from_start"));
    })]);

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

    private static RetentionResult ReadRetention(JsonElement root, RetentionQuery query)
    {
        ApiJson.Expect(root, JsonValueKind.Object, "the answer");
        var flat = !root.EnumerateObject().Any() || root.EnumerateObject().Any(p => IsCohort(p.Value));
        if (flat)
        {
            return new RetentionResult(query, new RetentionSegment(FunnelSteps.Overall, ReadCohorts(root)), []);
        }

        // With "on" (undocumented at Mixpanel): each segment value, and "$overall", maps to its cohorts.
        RetentionSegment? overall = null;
        var segments = new List<RetentionSegment>();
        foreach (var segment in root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
        {
            var read = new RetentionSegment(segment.Name, ReadCohorts(segment.Value));
            if (segment.Name == FunnelSteps.Overall)
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

    private static bool IsCohort(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && (value.TryGetProperty("counts", out _) || value.TryGetProperty("first", out _));

    private static List<RetentionCohort> ReadCohorts(JsonElement cohorts) =>
    [
        .. cohorts.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Object)
            .Select(p => new RetentionCohort(
                DateKey(p.Name),
                ApiJson.Long(p.Value, "first") ?? 0,
                ApiJson.Property(p.Value, "counts") is { ValueKind: JsonValueKind.Array } counts ? [.. counts.EnumerateArray().Select(c => ApiJson.Long(c) ?? 0)] : []))
            .OrderBy(c => c.Date, StringComparer.Ordinal),
    ];

    /// <summary>Keys such as <c>2024-03-18T00:00:00</c> (saved retention reports) become <c>2024-03-18</c>; others stay as sent.</summary>
    private static string DateKey(string key) =>
        key.Length > 10 && key[10] == 'T' && DateOnly.TryParseExact(key.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && TimeOnly.TryParse(key.AsSpan(11, Math.Min(8, key.Length - 11)), CultureInfo.InvariantCulture, out var t) && t == TimeOnly.MinValue
            ? key[..10]
            : key;

    private static ActivityFeedResult ReadActivity(JsonElement root, ActivityFeedQuery query)
    {
        var results = ApiJson.Property(root, "results") ?? throw new FormatException("no results");
        var events = results.ValueKind == JsonValueKind.Array ? results : ApiJson.Expect(results.GetProperty("events"), JsonValueKind.Array, "results.events");
        var order = new List<(int Index, double Time)>();
        var index = 0;
        foreach (var item in events.EnumerateArray())
        {
            var properties = ApiJson.Property(item, "properties");
            order.Add((index++, properties is { } p ? ApiJson.Double(p, "time") ?? double.MinValue : double.MinValue));
        }

        // Keep the latest events: order by time (stable for ties), then take the tail.
        var keep = order.OrderBy(o => o.Time).ThenBy(o => o.Index).Skip(Math.Max(0, order.Count - query.Limit)).Select(o => o.Index).ToList();
        var kept = new List<ActivityEvent>(keep.Count);
        foreach (var i in keep)
        {
            var item = events[i];
            var properties = ApiJson.Property(item, "properties") is { ValueKind: JsonValueKind.Object } p
                ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.Clone(), StringComparer.Ordinal)
                : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            kept.Add(new ActivityEvent(
                ApiJson.String(item, "event") ?? string.Empty,
                properties.TryGetValue("time", out var time) && ApiJson.Double(time) is { } seconds ? EpochTime(seconds) : null,
                properties.TryGetValue("distinct_id", out var id) || properties.TryGetValue("$distinct_id", out id) ? ApiJson.Text(id) : null,
                properties));
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
