using System.Globalization;

namespace MixpanelData.Storage;

public sealed partial class LocalStore
{
    /// <summary>Per event of an events table: occurrences, distinct users, first and last time seen; most frequent first.</summary>
    public Task<EventBreakdown> EventBreakdownAsync(string table = "events", CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        return RunAsync(connection =>
        {
            RequireColumns(connection, name, "event_name", "event_time", "distinct_id");
            var quoted = StoreIdentifiers.Quote(name);
            var totals = connection.Query($"SELECT count(*), count(DISTINCT distinct_id) FROM {quoted}").Rows[0];
            var rows = connection.Query(
                $"SELECT event_name, count(*) AS n, count(DISTINCT distinct_id), min(event_time), max(event_time) FROM {quoted} " +
                "GROUP BY event_name ORDER BY n DESC, event_name").Rows;
            var events = rows.Select(r => new EventSummary(
                (string?)r[0] ?? "",
                (long)r[1]!,
                (long)r[2]!,
                (DateTime)r[3]!,
                (DateTime)r[4]!)).ToArray();
            return new EventBreakdown(name, (long)totals[0]!, (long)totals[1]!, events);
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>
    /// The keys found in the JSON <c>properties</c> column, with how many rows carry each, alphabetically;
    /// only rows of <paramref name="eventName"/> when given.
    /// </summary>
    public Task<IReadOnlyList<PropertyKey>> PropertyKeysAsync(string table = "events", string? eventName = null, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        return RunAsync<IReadOnlyList<PropertyKey>>(connection =>
        {
            RequireColumns(connection, name, "properties");
            var filter = "";
            IReadOnlyList<object?>? parameters = null;
            if (eventName is not null)
            {
                RequireColumns(connection, name, "event_name");
                filter = " WHERE event_name = ?";
                parameters = [eventName];
            }
            var rows = connection.Query(
                $"SELECT key, count(*) FROM (SELECT unnest(json_keys(properties)) AS key FROM {StoreIdentifiers.Quote(name)}{filter}) GROUP BY key ORDER BY key",
                parameters).Rows;
            return rows.Select(r => new PropertyKey((string)r[0]!, (long)r[1]!)).ToArray();
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>
    /// Count, NULLs, distinct values, min, max and the most frequent values of a column, or of a key
    /// inside a JSON column written as <c>column.key</c> (e.g. <c>properties.$browser</c>; the key is
    /// taken literally, dots and all).
    /// </summary>
    public Task<ColumnStats> ColumnStatsAsync(string table, string column, int topValues = 10, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentOutOfRangeException.ThrowIfNegative(topValues);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(topValues, 1000);
        return RunAsync(connection =>
        {
            var columns = ReadColumns(connection, name);
            var dot = column.IndexOf('.', StringComparison.Ordinal);
            var columnName = dot < 0 ? column : column[..dot];
            var info = columns.FirstOrDefault(c => string.Equals(c.Name, columnName, StringComparison.OrdinalIgnoreCase))
                ?? throw new LocalStoreException($"Table {name} has no column {columnName}. Columns: {string.Join(", ", columns.Select(c => c.Name))}.", "Binder");
            string expression;
            var parameters = new List<object?>();
            if (dot < 0)
            {
                expression = StoreIdentifiers.Quote(info.Name);
            }
            else
            {
                if (!info.Type.Equals("JSON", StringComparison.OrdinalIgnoreCase))
                {
                    throw new LocalStoreException($"Column {info.Name} is {info.Type}, not JSON, so it has no keys to look into.", "Binder");
                }
                var key = column[(dot + 1)..];
                expression = $"json_extract_string({StoreIdentifiers.Quote(info.Name)}, ?)";
                parameters.Add("$.\"" + key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
            }
            var source = $"(SELECT {expression} AS v FROM {StoreIdentifiers.Quote(name)})";
            var stats = connection.Query(
                $"SELECT count(*), count(*) - count(v), count(DISTINCT v), min(v)::VARCHAR, max(v)::VARCHAR FROM {source}",
                parameters).Rows[0];
            var top = connection.Query(
                $"SELECT v, count(*) AS n FROM {source} WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT {topValues.ToString(CultureInfo.InvariantCulture)}",
                parameters).Rows;
            return new ColumnStats(
                name,
                column,
                (long)stats[0]!,
                (long)stats[1]!,
                (long)stats[2]!,
                (string?)stats[3],
                (string?)stats[4],
                top.Select(r => new ValueCount(r[0], (long)r[1]!)).ToArray());
        }, _options.StatementTimeout, cancellationToken);
    }

    private static void RequireColumns(StoreConnection connection, string table, params string[] required)
    {
        var columns = ReadColumns(connection, table);
        var missing = required.Where(r => !columns.Any(c => string.Equals(c.Name, r, StringComparison.OrdinalIgnoreCase))).ToArray();
        if (missing.Length > 0)
        {
            throw new LocalStoreException($"Table {table} is not an events table: it lacks {string.Join(", ", missing)}.", "Binder");
        }
    }
}
