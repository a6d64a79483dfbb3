using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Analytics;

/// <summary>Segmentation and event counts computed in SQL (docs/semantics.md, "Segmentation").</summary>
internal static class SegmentationEngine
{
    /// <summary>The pseudo-event that stands for every event (as in Mixpanel's "All Events").</summary>
    public const string AnyEvent = "$any_event";

    public static async Task<SegmentationResult> RunAsync(EngineTable table, SegmentationQuery query, CancellationToken cancellationToken)
    {
        Validate(query);
        if (query.Event != AnyEvent)
        {
            await table.RequireEventsAsync([query.Event], cancellationToken).ConfigureAwait(false);
        }

        var lines = await CountAsync(table, [query.Event], query.FromDate, query.ToDate, query.Type, query.Unit, query.Where, query.On, query.Limit, cancellationToken).ConfigureAwait(false);
        return new SegmentationResult(query.Event, query.FromDate, query.ToDate, query.Unit, query.Type, query.On, lines.Series, lines.Segments, lines.LimitHit);
    }

    /// <summary>
    /// Counts per bucket and line. Without <paramref name="on"/>, one line per event (named by the event);
    /// with it, one line per segment value over all the given events, the <paramref name="limit"/> largest kept.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Series, IReadOnlyList<SegmentSeries> Segments, bool LimitHit)> CountAsync(
        EngineTable table,
        IReadOnlyList<string> events,
        DateOnly from,
        DateOnly to,
        CountType type,
        TimeUnit unit,
        string? where,
        string? on,
        int limit,
        CancellationToken cancellationToken)
    {
        var parameters = new SqlParameters();
        var columns = table.Columns();
        var filter = EngineTable.Filter(where, columns, parameters);
        var anyEvent = events.Count == 1 && events[0] == AnyEvent;
        var line = !string.IsNullOrWhiteSpace(on) ? MixpanelExpression.Parse(on).ToSegmentKeySql(columns, parameters) : anyEvent ? $"'{AnyEvent}'" : "event_name";
        var eventFilter = anyEvent ? "true" : $"event_name IN ({string.Join(", ", events.Select(parameters.Add))})";
        var fromSql = parameters.Add(TimeBuckets.Midnight(from));
        var toSql = parameters.Add(TimeBuckets.Midnight(to.AddDays(1)));
        var limitSql = parameters.Add((long)limit + 1);
        var value = type switch
        {
            CountType.General => "CAST(count(*) AS DOUBLE)",
            CountType.Unique => "CAST(count(DISTINCT distinct_id) AS DOUBLE)",
            _ => "count(*) / count(DISTINCT distinct_id)",
        };

        var sql = $"""
            WITH base AS (
                SELECT {TimeBuckets.KeySql(unit, "event_time")} AS bucket, {line} AS line, {value} AS value
                FROM {table.Sql}
                WHERE {eventFilter}
                  AND event_time >= CAST({fromSql} AS TIMESTAMP) AND event_time < CAST({toSql} AS TIMESTAMP)
                  AND {filter}
                GROUP BY ALL
            ),
            ranked AS (
                SELECT line, sum(value) AS total FROM base GROUP BY line ORDER BY total DESC, line LIMIT {limitSql}
            )
            SELECT base.bucket, base.line, base.value, ranked.total FROM base JOIN ranked USING (line)
            """;
        var rows = await table.QueryAsync(sql, parameters, cancellationToken).ConfigureAwait(false);

        var series = TimeBuckets.Series(unit, from, to);
        var index = series.Select((key, i) => (key, i)).ToDictionary(x => x.key, x => x.i, StringComparer.Ordinal);
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        var values = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var name = (string)row[1]!;
            if (!values.TryGetValue(name, out var line2))
            {
                line2 = new double[series.Count];
                values[name] = line2;
                totals[name] = EngineTable.Double(row[3]);
            }

            if (index.TryGetValue((string)row[0]!, out var at))
            {
                line2[at] = EngineTable.Double(row[2]);
            }
        }

        var ordered = totals.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key).ToList();
        var limitHit = !string.IsNullOrWhiteSpace(on) && ordered.Count > limit;
        var kept = ordered.Take(string.IsNullOrWhiteSpace(on) ? ordered.Count : limit);
        var segments = kept.Select(name => new SegmentSeries(name, values[name])).ToList();

        // Without a breakdown, an event with no occurrence in the range still gets its line of zeros.
        if (string.IsNullOrWhiteSpace(on))
        {
            foreach (var name in events.Where(e => !values.ContainsKey(e)))
            {
                segments.Add(new SegmentSeries(name, new double[series.Count]));
            }
        }

        return (series, segments, limitHit);
    }

    public static void Validate(SegmentationQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrWhiteSpace(query.Event, nameof(query.Event));
        ValidateRange(query.FromDate, query.ToDate, query.Unit);
        if (query.Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "Limit must be between 1 and 10,000.");
        }
    }

    public static void ValidateRange(DateOnly from, DateOnly to, TimeUnit unit)
    {
        if (to < from)
        {
            throw new ArgumentException($"The range is reversed: from {TimeBuckets.Format(from)} is after to {TimeBuckets.Format(to)}.");
        }

        var days = to.DayNumber - from.DayNumber + 1;
        if (unit == TimeUnit.Minute && days > 7)
        {
            throw new ArgumentException($"Minute buckets cover at most 7 days; this range has {days}. Use hour or day.");
        }

        if (unit == TimeUnit.Hour && days > 93)
        {
            throw new ArgumentException($"Hour buckets cover at most 93 days; this range has {days}. Use day or week.");
        }
    }
}
