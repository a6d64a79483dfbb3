using System.Globalization;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Storage;

namespace MixpanelData.Analytics;

/// <summary>
/// An events table the engine reads (columns <c>event_name</c>, <c>event_time</c>, <c>distinct_id</c>,
/// <c>properties</c>), with the helpers every analysis shares: running parameterised SQL, checking
/// event names, compiling expressions.
/// </summary>
internal sealed class EngineTable
{
    private readonly LocalStore _store;

    public EngineTable(LocalStore store, string table, string? profilesTable = null)
    {
        _store = store;
        Name = StoreIdentifiers.ValidateTable(table);
        Sql = StoreIdentifiers.Quote(Name);
        ProfilesSql = profilesTable is null ? null : StoreIdentifiers.Quote(StoreIdentifiers.ValidateTable(profilesTable));
    }

    public string Name { get; }

    /// <summary>The quoted table name, safe to put in SQL.</summary>
    public string Sql { get; }

    /// <summary>The quoted profiles table (columns <c>distinct_id</c>, <c>properties</c>) that <c>user[...]</c> reads, or null when there is none.</summary>
    public string? ProfilesSql { get; }

    /// <summary>
    /// The columns expressions read from this table's rows, under <paramref name="alias"/> (empty: the table itself is in FROM).
    /// With a profiles table, <c>user["x"]</c> reads the current profile of the row's user, as Mixpanel's event queries do.
    /// </summary>
    public ExpressionColumns Columns(string alias = "") => ExpressionColumns.Events(alias) with
    {
        ProfileLookup = ProfilesSql is null
            ? null
            : $"(SELECT any_value(user_profile.properties) FROM {ProfilesSql} AS user_profile WHERE user_profile.distinct_id = {(alias.Length == 0 ? Sql : alias)}.distinct_id)",
    };

    public async Task<IReadOnlyList<IReadOnlyList<object?>>> QueryAsync(string sql, SqlParameters parameters, CancellationToken cancellationToken)
    {
        var result = await _store.SqlAsync(sql, new SqlOptions { Parameters = parameters.Values, MaxRows = int.MaxValue }, cancellationToken).ConfigureAwait(false);
        return result.Rows;
    }

    /// <summary>Throws <see cref="EventNotFoundException"/> with suggestions for any name the table does not hold.</summary>
    public async Task RequireEventsAsync(IEnumerable<string> eventNames, CancellationToken cancellationToken)
    {
        var wanted = eventNames.Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        var parameters = new SqlParameters();
        var list = string.Join(", ", wanted.Select(parameters.Add));
        var found = await QueryAsync($"SELECT DISTINCT event_name FROM {Sql} WHERE event_name IN ({list})", parameters, cancellationToken).ConfigureAwait(false);
        var present = found.Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
        var missing = wanted.FirstOrDefault(w => !present.Contains(w));
        if (missing is null)
        {
            return;
        }

        var all = await QueryAsync($"SELECT DISTINCT event_name FROM {Sql}", new SqlParameters(), cancellationToken).ConfigureAwait(false);
        throw new EventNotFoundException(missing, NameSuggestions.Closest(missing, all.Select(r => (string)r[0]!)), $"the local table '{Name}'");
    }

    /// <summary>The latest event time in the table, or <see langword="null"/> when it is empty.</summary>
    public async Task<DateTime?> LatestEventAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT max(event_time) FROM {Sql}", new SqlParameters(), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0][0] as DateTime?;
    }

    public static string Filter(string? where, ExpressionColumns columns, SqlParameters parameters) =>
        string.IsNullOrWhiteSpace(where) ? "true" : MixpanelExpression.Parse(where).ToFilterSql(columns, parameters);

    public static string SegmentKey(string? on, ExpressionColumns columns, SqlParameters parameters, string none) =>
        string.IsNullOrWhiteSpace(on) ? $"'{none}'" : MixpanelExpression.Parse(on).ToSegmentKeySql(columns, parameters);

    public static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    public static double Double(object? value) => value is null ? 0 : Convert.ToDouble(value, CultureInfo.InvariantCulture);

    public static double? NullableDouble(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
