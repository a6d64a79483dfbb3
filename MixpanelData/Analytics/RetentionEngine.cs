using System.Globalization;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Analytics;

/// <summary>
/// Retention computed in SQL (docs/semantics.md, "Retention"). Birth: a user's cohort is the bucket of their
/// first born event in the table; bucket i counts members who did the returning event i buckets later
/// (bucket 0: at or after the born event, the born event itself excluded). Compounded: a user joins the
/// cohort of every bucket in which they did the event. Buckets that have not started by the table's last
/// event are left out of a cohort's counts, so a young cohort is never read as zero retention.
/// </summary>
internal static class RetentionEngine
{
    private const string NoSegment = "$overall";

    public static async Task<RetentionResult> RunAsync(EngineTable table, RetentionQuery query, CancellationToken cancellationToken)
    {
        Validate(query);
        var names = new List<string>();
        if (query.Type == RetentionType.Birth)
        {
            names.Add(query.BornEvent!);
        }

        if (query.Event is not null)
        {
            names.Add(query.Event);
        }

        await table.RequireEventsAsync(names, cancellationToken).ConfigureAwait(false);
        var latest = await table.LatestEventAsync(cancellationToken).ConfigureAwait(false);

        var parameters = new SqlParameters();
        var columns = table.Columns();
        var where = EngineTable.Filter(query.Where, columns, parameters);
        var segment = EngineTable.SegmentKey(query.On, columns, parameters, NoSegment);
        var fromSql = parameters.Add(TimeBuckets.Midnight(query.FromDate));
        var toSql = parameters.Add(TimeBuckets.Midnight(query.ToDate.AddDays(1)));
        var returnEvent = query.Event is null ? "true" : $"event_name = {parameters.Add(query.Event)}";
        var unit = query.Unit switch { TimeUnit.Week => "week", TimeUnit.Month => "month", _ => "day" };
        var interval = query.Interval.ToString(CultureInfo.InvariantCulture);
        var maxIndex = query.IntervalCount.ToString(CultureInfo.InvariantCulture);

        string cohorts;
        string returns;
        if (query.Type == RetentionType.Birth)
        {
            var born = parameters.Add(query.BornEvent!);
            var bornWhere = EngineTable.Filter(query.BornWhere, columns, parameters);
            cohorts = $"""
                born AS (
                    SELECT distinct_id, min(event_time) AS t0, arg_min({segment}, event_time) AS segment
                    FROM {table.Sql} WHERE event_name = {born} AND {bornWhere}
                    GROUP BY distinct_id
                ),
                cohort AS (
                    SELECT distinct_id, t0, segment, date_trunc('{unit}', t0) AS c
                    FROM born WHERE t0 >= CAST({fromSql} AS TIMESTAMP) AND t0 < CAST({toSql} AS TIMESTAMP)
                ),
                ret AS (
                    SELECT {table.Sql}.distinct_id, event_time, event_name FROM {table.Sql} WHERE {returnEvent} AND {where}
                ),
                hits AS (
                    SELECT DISTINCT cohort.distinct_id, cohort.c, cohort.segment, {Index(unit, "cohort.c", "ret.event_time", interval)} AS idx
                    FROM cohort JOIN ret ON ret.distinct_id = cohort.distinct_id
                    WHERE ret.event_time >= cohort.t0 AND (ret.event_time > cohort.t0 OR ret.event_name <> {born})
                )
                """;
            returns = "hits";
        }
        else
        {
            cohorts = $"""
                act AS (
                    SELECT DISTINCT distinct_id, date_trunc('{unit}', event_time) AS c, arg_min({segment}, event_time) OVER (PARTITION BY distinct_id, date_trunc('{unit}', event_time)) AS segment
                    FROM {table.Sql} WHERE {returnEvent} AND {where}
                ),
                cohort AS (
                    SELECT distinct_id, c, segment FROM act
                    WHERE c >= date_trunc('{unit}', CAST({fromSql} AS TIMESTAMP)) AND c < CAST({toSql} AS TIMESTAMP)
                ),
                hits AS (
                    SELECT DISTINCT cohort.distinct_id, cohort.c, cohort.segment, {Index(unit, "cohort.c", "later.c", interval)} AS idx
                    FROM cohort JOIN act AS later ON later.distinct_id = cohort.distinct_id AND later.c >= cohort.c
                )
                """;
            returns = "hits";
        }

        var measure = query.Unbounded
            ? $"(SELECT distinct_id, c, segment, max(idx) AS idx FROM {returns} WHERE idx <= {maxIndex} GROUP BY ALL)"
            : $"(SELECT * FROM {returns} WHERE idx <= {maxIndex})";
        var grouping = string.IsNullOrWhiteSpace(query.On) ? "GROUP BY ALL" : "GROUP BY GROUPING SETS ((c, idx), (c, segment, idx))";
        var segmentColumn = string.IsNullOrWhiteSpace(query.On) ? "NULL" : "CASE WHEN grouping(segment) = 1 THEN NULL ELSE segment END";
        var firstGrouping = string.IsNullOrWhiteSpace(query.On) ? "GROUP BY ALL" : "GROUP BY GROUPING SETS ((c), (c, segment))";
        var sql = $"""
            WITH {cohorts}
            SELECT 'first' AS kind, strftime(c, '%Y-%m-%d') AS cohort, {segmentColumn} AS segment, -1 AS idx, count(DISTINCT distinct_id) AS n
            FROM cohort {firstGrouping}
            UNION ALL
            SELECT 'count', strftime(c, '%Y-%m-%d'), {segmentColumn}, idx, count(DISTINCT distinct_id)
            FROM {measure} {grouping}
            """;
        var rows = await table.QueryAsync(sql, parameters, cancellationToken).ConfigureAwait(false);

        var groups = new Dictionary<string, Dictionary<string, (long First, long[] Counts)>>(StringComparer.Ordinal);
        foreach (var row in rows.Where(r => (string)r[0]! == "first"))
        {
            var group = Group(groups, row[2] as string);
            group[(string)row[1]!] = (EngineTable.Long(row[4]), new long[query.IntervalCount + 1]);
        }

        foreach (var row in rows.Where(r => (string)r[0]! == "count"))
        {
            var group = Group(groups, row[2] as string);
            var idx = (int)EngineTable.Long(row[3]);
            if (group.TryGetValue((string)row[1]!, out var cohort) && idx >= 0 && idx <= query.IntervalCount)
            {
                cohort.Counts[idx] = EngineTable.Long(row[4]);
            }
        }

        var overall = Build(query, groups.TryGetValue(NoSegment, out var o) ? o : [], NoSegment, latest);
        var segments = groups.Where(g => g.Key != NoSegment)
            .Select(g => Build(query, g.Value, g.Key, latest))
            .OrderByDescending(s => s.Cohorts.Sum(c => c.First))
            .ThenBy(s => s.Segment, StringComparer.Ordinal)
            .Take(query.Limit)
            .ToList();
        return new RetentionResult(query, overall, segments);
    }

    public static void Validate(RetentionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        SegmentationEngine.ValidateRange(query.FromDate, query.ToDate, TimeUnit.Day);
        if (query.Type == RetentionType.Birth && string.IsNullOrWhiteSpace(query.BornEvent))
        {
            throw new ArgumentException("Birth retention needs a born event (the event that puts a user in a cohort).");
        }

        if (query.Unit is not (TimeUnit.Day or TimeUnit.Week or TimeUnit.Month))
        {
            throw new ArgumentException("Retention buckets are days, weeks or months.");
        }

        if (query.Interval < 1 || (query.Unit == TimeUnit.Day && query.Interval > 90))
        {
            throw new ArgumentException("Interval must be at least 1 (and at most 90 for days).");
        }

        if (query.IntervalCount is < 1 or > 366)
        {
            throw new ArgumentException("IntervalCount must be between 1 and 366.");
        }

        if (query.Limit is < 1 or > 10_000)
        {
            throw new ArgumentException("Limit must be between 1 and 10,000.");
        }
    }

    // Whole units from the cohort's bucket to the event's bucket, divided into intervals.
    private static string Index(string unit, string cohortStart, string eventTime, string interval)
    {
        var units = unit switch
        {
            "day" => $"date_diff('day', {cohortStart}, date_trunc('day', {eventTime}))",
            "week" => $"CAST(date_diff('day', {cohortStart}, date_trunc('week', {eventTime})) / 7 AS BIGINT)",
            _ => $"((year({eventTime}) - year({cohortStart})) * 12 + month({eventTime}) - month({cohortStart}))",
        };
        return $"CAST(floor({units} / {interval}) AS BIGINT)";
    }

    private static Dictionary<string, (long First, long[] Counts)> Group(Dictionary<string, Dictionary<string, (long, long[])>> groups, string? segment)
    {
        var key = segment ?? NoSegment;
        if (!groups.TryGetValue(key, out var group))
        {
            group = new Dictionary<string, (long, long[])>(StringComparer.Ordinal);
            groups[key] = group;
        }

        return group;
    }

    private static RetentionSegment Build(RetentionQuery query, Dictionary<string, (long First, long[] Counts)> cohorts, string name, DateTime? latest)
    {
        var list = new List<RetentionCohort>();
        foreach (var (date, (first, counts)) in cohorts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var start = DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var visible = VisibleBuckets(query, start, latest);
            var kept = counts.Take(visible).ToArray();
            if (query.Unbounded)
            {
                for (var i = kept.Length - 2; i >= 0; i--)
                {
                    kept[i] += kept[i + 1];
                }
            }

            list.Add(new RetentionCohort(date, first, kept));
        }

        return new RetentionSegment(name, list);
    }

    // Buckets whose first day is on or before the day of the table's last event.
    private static int VisibleBuckets(RetentionQuery query, DateOnly cohortStart, DateTime? latest)
    {
        if (latest is null)
        {
            return query.IntervalCount + 1;
        }

        var last = DateOnly.FromDateTime(latest.Value);
        var visible = 0;
        for (var i = 0; i <= query.IntervalCount; i++)
        {
            var bucketStart = query.Unit switch
            {
                TimeUnit.Week => cohortStart.AddDays(7 * i * query.Interval),
                TimeUnit.Month => cohortStart.AddMonths(i * query.Interval),
                _ => cohortStart.AddDays(i * query.Interval),
            };
            if (bucketStart > last)
            {
                break;
            }

            visible++;
        }

        return Math.Max(visible, 1);
    }
}
