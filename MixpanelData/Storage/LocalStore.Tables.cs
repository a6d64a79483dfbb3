using System.Globalization;

namespace MixpanelData.Storage;

public sealed partial class LocalStore
{
    /// <summary>Every user table (the store's own <c>_mp_*</c> tables excluded) with its row count and, when the store filled it, its metadata.</summary>
    public Task<IReadOnlyList<TableInfo>> ListTablesAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<TableInfo>>(connection =>
        {
            var names = connection.Query(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' " +
                "AND NOT starts_with(table_name, '_mp_') AND NOT temporary ORDER BY table_name");
            var metadata = ReadMetadata(connection);
            var tables = new List<TableInfo>(names.Rows.Count);
            foreach (var row in names.Rows)
            {
                var name = (string)row[0]!;
                // The catalog's estimated_size can lag behind deletes; an exact count is cheap in DuckDB.
                var count = Convert.ToInt64(connection.Scalar("SELECT count(*) FROM " + StoreIdentifiers.Quote(name)), CultureInfo.InvariantCulture);
                tables.Add(new TableInfo(name, count, metadata.GetValueOrDefault(name)));
            }
            return tables;
        }, _options.StatementTimeout, cancellationToken);

    /// <summary>The columns of <paramref name="table"/>.</summary>
    /// <exception cref="LocalStoreException">The name is invalid or no such table exists (<c>Catalog</c>).</exception>
    public Task<TableSchema> TableSchemaAsync(string table, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        return RunAsync(connection =>
        {
            var columns = ReadColumns(connection, name);
            return new TableSchema(name, columns);
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>A random sample of <paramref name="rows"/> rows of <paramref name="table"/>.</summary>
    public Task<SqlResult> SampleAsync(string table, int rows = 10, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, 100_000);
        return RunAsync(connection =>
        {
            EnsureTable(connection, name);
            return ToResult(connection.Query(
                $"SELECT * FROM {StoreIdentifiers.Quote(name)} USING SAMPLE reservoir({rows.ToString(CultureInfo.InvariantCulture)} ROWS)",
                maxRows: rows));
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>DuckDB's <c>SUMMARIZE</c> of <paramref name="table"/>: per column type, min, max, approximate distinct count, mean, quartiles, null percentage.</summary>
    public Task<SqlResult> SummarizeAsync(string table, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        return RunAsync(connection =>
        {
            EnsureTable(connection, name);
            return ToResult(connection.Query("SUMMARIZE " + StoreIdentifiers.Quote(name)));
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>Drops <paramref name="table"/> and its metadata. Refused in read-only mode.</summary>
    /// <returns>True when the table existed.</returns>
    public Task<bool> DropTableAsync(string table, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        ThrowIfReadOnly();
        return RunAsync(connection =>
        {
            var existed = TableExists(connection, name);
            InTransaction(connection, () =>
            {
                connection.Execute("DROP TABLE IF EXISTS " + StoreIdentifiers.Quote(name));
                connection.Query($"DELETE FROM {StoreIdentifiers.MetadataTable} WHERE table_name = ?", [name]);
            });
            return existed;
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>Drops every user table and all metadata. Refused in read-only mode.</summary>
    /// <returns>The names of the dropped tables.</returns>
    public Task<IReadOnlyList<string>> DropAllAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly();
        return RunAsync<IReadOnlyList<string>>(connection =>
        {
            var names = connection.Query(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' " +
                "AND NOT starts_with(table_name, '_mp_') AND NOT temporary ORDER BY table_name").Rows.Select(r => (string)r[0]!).ToArray();
            InTransaction(connection, () =>
            {
                foreach (var name in names)
                {
                    connection.Execute("DROP TABLE IF EXISTS " + StoreIdentifiers.Quote(name));
                }
                connection.Execute("DELETE FROM " + StoreIdentifiers.MetadataTable);
            });
            return names;
        }, _options.StatementTimeout, cancellationToken);
    }

    private void ThrowIfReadOnly()
    {
        if (_options.ReadOnly)
        {
            throw new LocalStoreException("The store is read-only: tables cannot be changed.", "Permission");
        }
    }

    private static void InTransaction(StoreConnection connection, Action work)
    {
        connection.Execute("BEGIN TRANSACTION");
        try
        {
            work();
            connection.Execute("COMMIT");
        }
        catch
        {
            TryRollback(connection);
            throw;
        }
    }

    private static void TryRollback(StoreConnection connection)
    {
        try
        {
            connection.Execute("ROLLBACK");
        }
        catch (LocalStoreException)
        {
            // No transaction left to roll back (DuckDB already aborted it): nothing more to undo.
        }
    }

    private static bool TableExists(StoreConnection connection, string name) =>
        connection.Query(
            "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?",
            [name]).Rows.Count > 0;

    private static void EnsureTable(StoreConnection connection, string name)
    {
        if (!TableExists(connection, name))
        {
            throw new LocalStoreException($"Table {name} does not exist. List the tables to see what the store holds.", "Catalog");
        }
    }

    private static List<ColumnInfo> ReadColumns(StoreConnection connection, string name)
    {
        EnsureTable(connection, name);
        var rows = connection.Query(
            "SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE database_name = current_database() " +
            "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [name]).Rows;
        return rows.Select(r => new ColumnInfo((string)r[0]!, (string)r[1]!, (bool)r[2]!)).ToList();
    }

    private static Dictionary<string, TableMetadata> ReadMetadata(StoreConnection connection)
    {
        var rows = connection.Query(
            $"SELECT table_name, kind, source, from_date, to_date, filters, row_count, fetched_at FROM {StoreIdentifiers.MetadataTable}").Rows;
        var result = new Dictionary<string, TableMetadata>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            result[(string)row[0]!] = new TableMetadata(
                (string)row[1]!,
                (string)row[2]!,
                (DateOnly?)row[3],
                (DateOnly?)row[4],
                (string?)row[5],
                (long)row[6]!,
                new DateTimeOffset((DateTime)row[7]!, TimeSpan.Zero));
        }
        return result;
    }
}
