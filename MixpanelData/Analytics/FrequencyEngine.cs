using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Analytics;

/// <summary>
/// Frequency ("addiction") computed in SQL: for each period, element i is the number of users who did the
/// event in at least i+1 distinct hours (or days) of that period (docs/semantics.md, "Frequency").
/// </summary>
internal static class FrequencyEngine
{
    public static async Task<FrequencyResult> RunAsync(EngineTable table, FrequencyQuery query, CancellationToken cancellationToken)
    {
        Validate(query);
        if (query.Event is not null)
        {
            await table.RequireEventsAsync([query.Event], cancellationToken).ConfigureAwait(false);
        }

        var parameters = new SqlParameters();
        var filter = EngineTable.Filter(query.Where, table.Columns(), parameters);
        var eventFilter = query.Event is null ? "true" : $"event_name = {parameters.Add(query.Event)}";
        var fromSql = parameters.Add(TimeBuckets.Midnight(query.FromDate));
        var toSql = parameters.Add(TimeBuckets.Midnight(query.ToDate.AddDays(1)));
        var sub = query.AddictionUnit == TimeUnit.Hour ? "hour" : "day";
        var sql = $"""
            WITH per_user AS (
                SELECT distinct_id, {TimeBuckets.KeySql(query.Unit, "event_time")} AS period, count(DISTINCT date_trunc('{sub}', event_time)) AS n
                FROM {table.Sql}
                WHERE {eventFilter} AND event_time >= CAST({fromSql} AS TIMESTAMP) AND event_time < CAST({toSql} AS TIMESTAMP) AND {filter}
                GROUP BY ALL
            )
            SELECT period, n, count(*) FROM per_user GROUP BY ALL
            """;
        var rows = await table.QueryAsync(sql, parameters, cancellationToken).ConfigureAwait(false);

        var length = Length(query);
        var periods = TimeBuckets.Series(query.Unit, query.FromDate, query.ToDate).ToDictionary(k => k, _ => new long[length], StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!periods.TryGetValue((string)row[0]!, out var counts))
            {
                continue;
            }

            var n = (int)Math.Min(EngineTable.Long(row[1]), length);
            counts[n - 1] += EngineTable.Long(row[2]);
        }

        // From "exactly n" to "at least i+1".
        foreach (var counts in periods.Values)
        {
            for (var i = counts.Length - 2; i >= 0; i--)
            {
                counts[i] += counts[i + 1];
            }
        }

        return new FrequencyResult(query, [.. periods.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new FrequencyPeriod(p.Key, p.Value))]);
    }

    public static void Validate(FrequencyQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        SegmentationEngine.ValidateRange(query.FromDate, query.ToDate, TimeUnit.Day);
        if (query.Unit is not (TimeUnit.Day or TimeUnit.Week or TimeUnit.Month))
        {
            throw new ArgumentException("The frequency period (unit) is day, week or month.");
        }

        if (query.AddictionUnit is not (TimeUnit.Hour or TimeUnit.Day))
        {
            throw new ArgumentException("The frequency is counted in hours or days (addiction_unit).");
        }

        if (query.Unit == TimeUnit.Day && query.AddictionUnit == TimeUnit.Day)
        {
            throw new ArgumentException("Counting days within a day says nothing; use addiction_unit hour for daily periods.");
        }
    }

    /// <summary>How many distinct sub-units a period can hold: 24 hours a day, 7 days a week, 31 days a month.</summary>
    public static int Length(FrequencyQuery query) => (query.Unit, query.AddictionUnit) switch
    {
        (TimeUnit.Day, _) => 24,
        (TimeUnit.Week, TimeUnit.Day) => 7,
        (TimeUnit.Week, _) => 168,
        (TimeUnit.Month, TimeUnit.Day) => 31,
        _ => 744,
    };
}
