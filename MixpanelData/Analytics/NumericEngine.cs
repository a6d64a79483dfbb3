using System.Globalization;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Analytics;

/// <summary>
/// Numeric segmentation: the sum or average of an expression per bucket, and counts per numeric range
/// (Mixpanel's <c>/segmentation/sum</c>, <c>/average</c> and <c>/numeric</c>).
/// </summary>
internal static class NumericEngine
{
    /// <summary>Sum (non-numeric values count as 0) or average (over numeric values) per bucket; every bucket present.</summary>
    public static async Task<IReadOnlyList<(string Bucket, double Value)>> AggregateAsync(
        EngineTable table, string eventName, DateOnly from, DateOnly to, string on, TimeUnit unit, string? where, bool average, CancellationToken cancellationToken)
    {
        var (parameters, value, scope) = Scope(table, eventName, from, to, on, unit, where);
        var aggregate = average ? $"avg({value})" : $"sum(coalesce({value}, 0))";
        var rows = await table.QueryAsync(
            $"""
            SELECT {TimeBuckets.KeySql(unit, "event_time")} AS bucket, {aggregate}
            {scope}
            GROUP BY ALL
            """,
            parameters,
            cancellationToken).ConfigureAwait(false);
        var found = rows.Where(r => r[1] is not null).ToDictionary(r => (string)r[0]!, r => EngineTable.Double(r[1]), StringComparer.Ordinal);
        return [.. TimeBuckets.Series(unit, from, to).Select(key => (key, found.TryGetValue(key, out var v) ? v : 0))];
    }

    /// <summary>
    /// Counts per bucket and numeric range. The ranges are about ten equal "nice" widths (1, 2 or 5 × 10ⁿ) covering
    /// the values in the range, labelled like Mixpanel: <c>2,000 - 2,100</c>.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Series, IReadOnlyList<Queries.SegmentSeries> Ranges)> BucketsAsync(
        EngineTable table, string eventName, DateOnly from, DateOnly to, string on, TimeUnit unit, string? where, CountType type, CancellationToken cancellationToken)
    {
        var (parameters, value, scope) = Scope(table, eventName, from, to, on, unit, where);
        var extremes = await table.QueryAsync($"SELECT min({value}), max({value}) {scope}", parameters, cancellationToken).ConfigureAwait(false);
        var series = TimeBuckets.Series(unit, from, to);
        if (extremes.Count == 0 || extremes[0][0] is null)
        {
            return (series, []);
        }

        var min = EngineTable.Double(extremes[0][0]);
        var max = EngineTable.Double(extremes[0][1]);
        var width = NiceWidth(max - min);
        var start = Math.Floor(min / width) * width;
        var widthSql = parameters.Add(width);
        var startSql = parameters.Add(start);
        var measure = type switch
        {
            CountType.Unique => "CAST(count(DISTINCT distinct_id) AS DOUBLE)",
            CountType.Average => "count(*) / count(DISTINCT distinct_id)",
            _ => "CAST(count(*) AS DOUBLE)",
        };
        var rows = await table.QueryAsync(
            $"""
            SELECT {TimeBuckets.KeySql(unit, "event_time")} AS bucket, CAST(floor(({value} - {startSql}) / {widthSql}) AS BIGINT) AS slot, {measure}
            {scope} AND {value} IS NOT NULL
            GROUP BY ALL
            """,
            parameters,
            cancellationToken).ConfigureAwait(false);

        var index = series.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        var ranges = new SortedDictionary<long, double[]>();
        foreach (var row in rows)
        {
            var slot = EngineTable.Long(row[1]);
            if (!ranges.TryGetValue(slot, out var values))
            {
                values = new double[series.Count];
                ranges[slot] = values;
            }

            if (index.TryGetValue((string)row[0]!, out var at))
            {
                values[at] = EngineTable.Double(row[2]);
            }
        }

        return (series, [.. ranges.Select(r => new Queries.SegmentSeries(Label(start + (r.Key * width), width), r.Value))]);
    }

    /// <summary>The numeric value SQL of <paramref name="on"/> and the FROM/WHERE clause selecting the event in the range.</summary>
    private static (SqlParameters Parameters, string Value, string Scope) Scope(EngineTable table, string eventName, DateOnly from, DateOnly to, string on, TimeUnit unit, string? where)
    {
        SegmentationEngine.ValidateRange(from, to, unit);
        var parameters = new SqlParameters();
        var columns = table.Columns();
        var value = MixpanelExpression.Parse(on).ToNumberSql(columns, parameters);
        var filter = EngineTable.Filter(where, columns, parameters);
        var eventSql = parameters.Add(eventName);
        var fromSql = parameters.Add(TimeBuckets.Midnight(from));
        var toSql = parameters.Add(TimeBuckets.Midnight(to.AddDays(1)));
        return (parameters, value, $"FROM {table.Sql} WHERE event_name = {eventSql} AND event_time >= CAST({fromSql} AS TIMESTAMP) AND event_time < CAST({toSql} AS TIMESTAMP) AND {filter}");
    }

    internal static double NiceWidth(double span)
    {
        if (span <= 0)
        {
            return 1;
        }

        var raw = span / 10;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var nice = new[] { 1.0, 2, 5, 10 }.First(m => m * magnitude >= raw) * magnitude;
        return nice;
    }

    internal static string Label(double low, double width)
    {
        static string Format(double x) => x == Math.Floor(x) ? x.ToString("#,0", CultureInfo.InvariantCulture) : x.ToString("#,0.##", CultureInfo.InvariantCulture);

        return $"{Format(low)} - {Format(low + width)}";
    }
}
