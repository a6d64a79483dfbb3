using System.Net;
using MixpanelData.Analytics;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Emulation;

/// <summary><c>/events</c>, <c>/events/top</c>, <c>/events/names</c> and the <c>/events/properties</c> family.</summary>
internal sealed class EventEndpoints(EmulatorContext context)
{
    // Keys every export event carries; they are not "properties" a person would ask about.
    private static readonly string[] Bookkeeping = ["time", "distinct_id", "$insert_id", "mp_processing_time_ms"];

    public async Task<HttpResponseMessage> CountsAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var events = request.StringArray("event") ?? throw new EmulatorError(HttpStatusCode.BadRequest, "event is a required parameter");
        var type = QueryEndpoints.Type(request, required: true);
        var unit = QueryEndpoints.Unit(request, TimeUnit.Day, required: true);
        var (from, to) = RangeOrInterval(request, unit);
        var (series, lines, _) = await SegmentationEngine.CountAsync(Table(), events, from, to, type, unit, null, null, 10_000, cancellationToken).ConfigureAwait(false);
        return SegmentationEndpoints.Envelope(series, lines);
    }

    public async Task<HttpResponseMessage> PropertyCountsAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var eventName = request.Required("event");
        var name = request.Required("name");
        var type = QueryEndpoints.Type(request, required: true);
        var unit = QueryEndpoints.Unit(request, TimeUnit.Day, required: true);
        var (from, to) = RangeOrInterval(request, unit);
        var limit = request.Integer("limit", 255, 1, 10_000);
        var wanted = request.StringArray("values");
        var (series, lines, _) = await SegmentationEngine.CountAsync(Table(), [eventName], from, to, type, unit, null, MixpanelExpression.Property(name), 10_000, cancellationToken).ConfigureAwait(false);
        var kept = lines.Where(l => wanted is null || wanted.Contains(l.Name, StringComparer.Ordinal)).Take(limit).ToList();
        return SegmentationEndpoints.Envelope(series, kept);
    }

    public async Task<HttpResponseMessage> TopAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var type = QueryEndpoints.Type(request, required: true);
        var limit = request.Integer("limit", 100, 1, 10_000);
        var table = Table();

        // "Today" is the newest day with data: the demo's data ends yesterday, so today's counts would all be 0.
        var latest = await table.LatestEventAsync(cancellationToken).ConfigureAwait(false);
        var day = latest is { } l ? DateOnly.FromDateTime(l) : context.Today;
        if (day > context.Today)
        {
            day = context.Today;
        }

        var measure = type switch
        {
            CountType.Unique => "count(DISTINCT distinct_id)",
            CountType.Average => "count(*) / count(DISTINCT distinct_id)",
            _ => "count(*)",
        };
        var parameters = new SqlParameters();
        var daySql = parameters.Add(TimeBuckets.Midnight(day));
        var rows = await table.QueryAsync(
            $"""
            WITH today AS (
                SELECT event_name, CAST({measure} AS DOUBLE) AS amount FROM {table.Sql}
                WHERE event_time >= CAST({daySql} AS TIMESTAMP) AND event_time < CAST({daySql} AS TIMESTAMP) + INTERVAL 1 DAY GROUP BY 1
            ),
            yesterday AS (
                SELECT event_name, CAST({measure} AS DOUBLE) AS amount FROM {table.Sql}
                WHERE event_time >= CAST({daySql} AS TIMESTAMP) - INTERVAL 1 DAY AND event_time < CAST({daySql} AS TIMESTAMP) GROUP BY 1
            )
            SELECT today.event_name, today.amount, yesterday.amount FROM today LEFT JOIN yesterday USING (event_name)
            ORDER BY today.amount DESC, today.event_name
            """,
            parameters,
            cancellationToken).ConfigureAwait(false);
        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("events");
            foreach (var row in rows.Take(limit))
            {
                var amount = EngineTable.Double(row[1]);
                var before = EngineTable.Double(row[2]);
                w.WriteStartObject();
                EmulatorJson.WriteNumber(w, "amount", amount);
                w.WriteString("event", (string)row[0]!);
                w.WriteNumber("percent_change", before == 0 ? 0 : (amount - before) / before);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("type", type.ToWire());
            w.WriteEndObject();
        });
    }

    public async Task<HttpResponseMessage> NamesAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        QueryEndpoints.Type(request, required: true);
        var limit = Math.Min(request.Integer("limit", 255, 1, int.MaxValue), 5000);
        var (from, to) = request.Optional("from_date") is null ? (context.Today.AddDays(-31), context.Today) : context.Range(request);
        var table = Table();
        var parameters = new SqlParameters();
        var fromSql = parameters.Add(TimeBuckets.Midnight(from));
        var toSql = parameters.Add(TimeBuckets.Midnight(to.AddDays(1)));
        var limitSql = parameters.Add((long)limit);
        var rows = await table.QueryAsync(
            $"SELECT event_name FROM {table.Sql} WHERE event_time >= CAST({fromSql} AS TIMESTAMP) AND event_time < CAST({toSql} AS TIMESTAMP) GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {limitSql}",
            parameters,
            cancellationToken).ConfigureAwait(false);
        return EmulatorJson.Json(w =>
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStringValue((string)row[0]!);
            }

            w.WriteEndArray();
        });
    }

    public async Task<HttpResponseMessage> TopPropertiesAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var eventName = request.Required("event");
        var limit = request.Integer("limit", 10, 1, 10_000);
        var table = Table();
        var parameters = new SqlParameters();
        var eventSql = parameters.Add(eventName);
        var fromSql = parameters.Add(TimeBuckets.Midnight(context.Today.AddDays(-31)));
        var skip = string.Join(", ", Bookkeeping.Select(parameters.Add));
        var limitSql = parameters.Add((long)limit);
        var rows = await table.QueryAsync(
            $"""
            SELECT key, count(*) AS n FROM (
                SELECT unnest(json_keys(properties)) AS key FROM {table.Sql}
                WHERE event_name = {eventSql} AND event_time >= CAST({fromSql} AS TIMESTAMP)
            ) WHERE key NOT IN ({skip}) GROUP BY key ORDER BY n DESC, key LIMIT {limitSql}
            """,
            parameters,
            cancellationToken).ConfigureAwait(false);
        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            foreach (var row in rows)
            {
                w.WriteStartObject((string)row[0]!);
                w.WriteNumber("count", EngineTable.Long(row[1]));
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
    }

    public async Task<HttpResponseMessage> PropertyValuesAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var name = request.Required("name");
        var eventName = request.Optional("event");
        var limit = request.Integer("limit", 255, 1, 10_000);
        var table = Table();
        var parameters = new SqlParameters();
        var pointer = parameters.Add(SqlTranslator.JsonPointer(name));
        var eventFilter = eventName is null ? "true" : $"event_name = {parameters.Add(eventName)}";
        var fromSql = parameters.Add(TimeBuckets.Midnight(context.Today.AddDays(-31)));
        var limitSql = parameters.Add((long)limit);
        var rows = await table.QueryAsync(
            $"""
            SELECT v FROM (
                SELECT CASE json_type(json_extract(properties, {pointer})) WHEN 'VARCHAR' THEN json_extract_string(properties, {pointer})
                       ELSE CAST(json_extract(properties, {pointer}) AS VARCHAR) END AS v
                FROM {table.Sql} WHERE {eventFilter} AND event_time >= CAST({fromSql} AS TIMESTAMP)
            ) WHERE v IS NOT NULL AND v <> 'null' GROUP BY v ORDER BY count(*) DESC, v LIMIT {limitSql}
            """,
            parameters,
            cancellationToken).ConfigureAwait(false);
        return EmulatorJson.Json(w =>
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStringValue((string)row[0]!);
            }

            w.WriteEndArray();
        });
    }

    private (DateOnly From, DateOnly To) RangeOrInterval(EmulatorRequest request, TimeUnit unit)
    {
        if (request.Optional("from_date") is not null || request.Optional("interval") is null)
        {
            return context.Range(request);
        }

        // "The last N units, including the current one."
        var n = request.Integer("interval", 1, 1, 10_000);
        var today = context.Today;
        var start = TimeBuckets.Start(unit is TimeUnit.Week or TimeUnit.Month ? unit : TimeUnit.Day, today);
        var from = unit switch
        {
            TimeUnit.Week => start.AddDays(-7 * (n - 1)),
            TimeUnit.Month => start.AddMonths(-(n - 1)),
            _ => today.AddDays(-(n - 1)),
        };
        return (from, today);
    }

    private EngineTable Table() => new(context.Project.Store, context.Project.EventsTable);
}
