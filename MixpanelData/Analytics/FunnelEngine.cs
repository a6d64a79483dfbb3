using System.Globalization;
using System.Text;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Analytics;

/// <summary>
/// Funnels computed in SQL (docs/semantics.md, "Funnels"): a user enters at their first step-1 event in a
/// bucket; step k+1 is the earliest event of its name after step k's event (strictly after when both steps
/// are the same event) and no later than the entry plus the conversion window.
/// </summary>
internal static class FunnelEngine
{
    private const string NoSegment = "$overall";

    public static async Task<FunnelResult> RunAsync(EngineTable table, FunnelQuery query, CancellationToken cancellationToken)
    {
        Validate(query);
        await table.RequireEventsAsync(query.Steps, cancellationToken).ConfigureAwait(false);

        var overall = await ComputeAsync(table, query, bucketed: false, cancellationToken).ConfigureAwait(false);
        var whole = overall.TryGetValue(TimeBuckets.Format(query.FromDate), out var all) ? all : Empty(query);
        var segments = Segments(query, whole, out var limitHit);

        IReadOnlyList<FunnelBucket> buckets;
        if (query.BucketUnit is null && query.BucketDays is null)
        {
            buckets = [new FunnelBucket(TimeBuckets.Format(query.FromDate), Steps(query, whole, NoSegment), segments)];
        }
        else
        {
            var perBucket = await ComputeAsync(table, query, bucketed: true, cancellationToken).ConfigureAwait(false);
            buckets = [.. BucketKeys(query).Select(key =>
            {
                var groups = perBucket.TryGetValue(key, out var found) ? found : Empty(query);
                return new FunnelBucket(key, Steps(query, groups, NoSegment), Segments(query, groups, out _));
            })];
        }

        return new FunnelResult(query.Steps, query.FromDate, query.ToDate, Steps(query, whole, NoSegment), segments, buckets, limitHit);
    }

    public static void Validate(FunnelQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Steps is null || query.Steps.Count < 2)
        {
            throw new ArgumentException("A funnel needs at least two steps.");
        }

        if (query.Steps.Count > 32)
        {
            throw new ArgumentException($"A funnel may have at most 32 steps, not {query.Steps.Count}.");
        }

        if (query.Steps.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Every funnel step needs an event name.");
        }

        if ((query.StepFilters is { } filters && filters.Count != query.Steps.Count) || (query.StepLabels is { } labels && labels.Count != query.Steps.Count))
        {
            throw new ArgumentException("StepFilters and StepLabels, when given, need one entry per step.");
        }

        SegmentationEngine.ValidateRange(query.FromDate, query.ToDate, TimeUnit.Day);
        if (query.WindowLength < 1 || WindowSeconds(query) > 90L * 86_400)
        {
            throw new ArgumentException("The conversion window must be at least 1 and at most 90 days long.");
        }

        if (query.BucketDays is < 1)
        {
            throw new ArgumentException("BucketDays must be at least 1.");
        }

        if (query.BucketUnit is { } unit && unit is not (TimeUnit.Day or TimeUnit.Week or TimeUnit.Month))
        {
            throw new ArgumentException("Funnels bucket by day, week or month.");
        }

        if (query.Limit is < 1 or > 10_000)
        {
            throw new ArgumentException("Limit must be between 1 and 10,000.");
        }
    }

    private static string StepFilter(FunnelQuery query, int step, ExpressionColumns columns, SqlParameters parameters) =>
        EngineTable.Filter(query.StepFilters?[step], columns, parameters);

    public static long WindowSeconds(FunnelQuery query) => query.WindowLength * query.WindowUnit switch
    {
        WindowUnit.Second => 1L,
        WindowUnit.Minute => 60L,
        WindowUnit.Hour => 3_600L,
        WindowUnit.Day => 86_400L,
        _ => 604_800L,
    };

    private static IReadOnlyList<string> BucketKeys(FunnelQuery query)
    {
        if (query.BucketUnit is { } unit)
        {
            return TimeBuckets.Series(unit, query.FromDate, query.ToDate);
        }

        var keys = new List<string>();
        for (var d = query.FromDate; d <= query.ToDate; d = d.AddDays(query.BucketDays!.Value))
        {
            keys.Add(TimeBuckets.Format(d));
        }

        return keys;
    }

    /// <summary>Rows of counts and times per bucket and segment: bucket → segment → (counts, sum of step times).</summary>
    private static async Task<Dictionary<string, Dictionary<string, StepTotals>>> ComputeAsync(EngineTable table, FunnelQuery query, bool bucketed, CancellationToken cancellationToken)
    {
        var parameters = new SqlParameters();
        var columns = table.Columns();
        var filter = EngineTable.Filter(query.Where, columns, parameters);
        var segment = EngineTable.SegmentKey(query.On, columns, parameters, NoSegment);
        var names = query.Steps.Distinct(StringComparer.Ordinal).ToDictionary(n => n, parameters.Add, StringComparer.Ordinal);
        var fromSql = parameters.Add(TimeBuckets.Midnight(query.FromDate));
        var toSql = parameters.Add(TimeBuckets.Midnight(query.ToDate.AddDays(1)));
        var window = WindowSeconds(query).ToString(CultureInfo.InvariantCulture);
        var windowInterval = $"INTERVAL '{window} seconds'";

        string bucket;
        if (!bucketed)
        {
            bucket = $"'{TimeBuckets.Format(query.FromDate)}'";
        }
        else if (query.BucketUnit is { } unit)
        {
            bucket = TimeBuckets.KeySql(unit, "event_time");
        }
        else
        {
            var days = query.BucketDays!.Value.ToString(CultureInfo.InvariantCulture);
            bucket = $"strftime(CAST({fromSql} AS TIMESTAMP) + to_days(CAST(floor(date_diff('day', CAST({fromSql} AS TIMESTAMP), event_time) / {days}) * {days} AS INTEGER)), '%Y-%m-%d')";
        }

        var sql = new StringBuilder();
        sql.Append($"""
            WITH ev AS (
                SELECT distinct_id, event_name, event_time, properties, {segment} AS segment
                FROM {table.Sql}
                WHERE event_name IN ({string.Join(", ", names.Values)})
                  AND event_time >= CAST({fromSql} AS TIMESTAMP)
                  AND event_time <= CAST({toSql} AS TIMESTAMP) + {windowInterval}
                  AND {filter}
            ),
            s1 AS (
                SELECT distinct_id, {bucket} AS bucket, min(event_time) AS t1, arg_min(segment, event_time) AS segment
                FROM ev
                WHERE event_name = {names[query.Steps[0]]} AND event_time < CAST({toSql} AS TIMESTAMP) AND {StepFilter(query, 0, table.Columns("ev"), parameters)}
                GROUP BY ALL
            )
            """);
        for (var k = 2; k <= query.Steps.Count; k++)
        {
            var previous = $"s{k - 1}";
            var carried = string.Join(", ", Enumerable.Range(2, k - 2).Select(i => $"{previous}.t{i}"));
            var after = query.Steps[k - 1] == query.Steps[k - 2] ? ">" : ">=";
            sql.Append($"""
                ,
                s{k} AS (
                    SELECT {previous}.distinct_id, {previous}.bucket, {previous}.segment, {previous}.t1{(carried.Length > 0 ? ", " + carried : string.Empty)}, min(ev.event_time) AS t{k}
                    FROM {previous} LEFT JOIN ev
                      ON ev.distinct_id = {previous}.distinct_id
                     AND ev.event_name = {names[query.Steps[k - 1]]}
                     AND ev.event_time {after} {previous}.t{k - 1}
                     AND ev.event_time <= {previous}.t1 + {windowInterval}
                     AND {StepFilter(query, k - 1, table.Columns("ev"), parameters)}
                    GROUP BY ALL
                )
                """);
        }

        var last = $"s{query.Steps.Count}";
        var measures = new List<string> { "count(*) AS c1" };
        for (var k = 2; k <= query.Steps.Count; k++)
        {
            measures.Add($"count(t{k}) AS c{k}");
            measures.Add($"sum(epoch(t{k}) - epoch(t{k - 1})) AS d{k}");
            measures.Add($"sum(epoch(t{k}) - epoch(t1)) AS f{k}");
        }

        var grouping = string.IsNullOrWhiteSpace(query.On) ? "GROUP BY bucket" : "GROUP BY GROUPING SETS ((bucket), (bucket, segment))";
        sql.Append($"""

            SELECT bucket, CASE WHEN grouping(segment) = 1 THEN NULL ELSE segment END AS segment, {string.Join(", ", measures)}
            FROM {last}
            {grouping}
            """);
        if (string.IsNullOrWhiteSpace(query.On))
        {
            sql.Replace("CASE WHEN grouping(segment) = 1 THEN NULL ELSE segment END AS segment", "NULL AS segment");
        }

        var rows = await table.QueryAsync(sql.ToString(), parameters, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, Dictionary<string, StepTotals>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = (string)row[0]!;
            var name = row[1] as string ?? NoSegment;
            var n = query.Steps.Count;
            var counts = new long[n];
            var fromPrevious = new double[n];
            var fromStart = new double[n];
            counts[0] = EngineTable.Long(row[2]);
            for (var k = 2; k <= n; k++)
            {
                var offset = 3 + ((k - 2) * 3);
                counts[k - 1] = EngineTable.Long(row[offset]);
                fromPrevious[k - 1] = EngineTable.Double(row[offset + 1]);
                fromStart[k - 1] = EngineTable.Double(row[offset + 2]);
            }

            if (!result.TryGetValue(key, out var groups))
            {
                groups = new Dictionary<string, StepTotals>(StringComparer.Ordinal);
                result[key] = groups;
            }

            groups[row[1] is null ? NoSegment : "=" + name] = new StepTotals(counts, fromPrevious, fromStart);
        }

        return result;
    }

    private static Dictionary<string, StepTotals> Empty(FunnelQuery query) => new(StringComparer.Ordinal)
    {
        [NoSegment] = new StepTotals(new long[query.Steps.Count], new double[query.Steps.Count], new double[query.Steps.Count]),
    };

    private static FunnelSteps Steps(FunnelQuery query, Dictionary<string, StepTotals> groups, string key) =>
        Build(query, groups.TryGetValue(key, out var found) ? found : Empty(query)[NoSegment], FunnelSteps.Overall);

    private static IReadOnlyList<FunnelSteps> Segments(FunnelQuery query, Dictionary<string, StepTotals> groups, out bool limitHit)
    {
        var keys = groups.Keys.Where(k => k != NoSegment).OrderByDescending(k => groups[k].Counts[0]).ThenBy(k => k, StringComparer.Ordinal).ToList();
        limitHit = keys.Count > query.Limit;
        return [.. keys.Take(query.Limit).Select(k => Build(query, groups[k], k[1..]))];
    }

    private static FunnelSteps Build(FunnelQuery query, StepTotals totals, string name)
    {
        var steps = new List<FunnelStep>();
        var first = totals.Counts[0];
        for (var i = 0; i < query.Steps.Count; i++)
        {
            var count = totals.Counts[i];
            var previous = i == 0 ? count : totals.Counts[i - 1];
            steps.Add(new FunnelStep(
                query.Steps[i],
                count,
                i == 0 ? 1 : previous == 0 ? 0 : (double)count / previous,
                first == 0 ? 0 : (double)count / first,
                i == 0 || count == 0 ? null : totals.FromPrevious[i] / count,
                i == 0 || count == 0 ? null : totals.FromStart[i] / count)
            {
                Label = query.StepLabels?[i],
            });
        }

        return new FunnelSteps(name, steps);
    }

    private sealed record StepTotals(long[] Counts, double[] FromPrevious, double[] FromStart);
}
