using System.Data;
using System.Data.Common;
using DuckDB.NET.Data;

namespace MixpanelData.Storage;

/// <summary>A fully read result: column names, DuckDB type names and rows (or the first rows, when capped).</summary>
internal sealed record QueryData(
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> Types,
    IReadOnlyList<object?[]> Rows,
    bool Truncated);

/// <summary>
/// One DuckDB.NET connection with the store's conventions: errors become <see cref="LocalStoreException"/>s
/// carrying DuckDB's error category, values come back as the store's CLR types (<see cref="StoreValues"/>),
/// and queries stream so a row cap stops DuckDB producing rows.
/// <para>
/// Thread safety: a connection is used by one thread at a time. The single exception is
/// <see cref="Interrupt"/>, meant to be called from another thread (a cancellation callback or a timer) while
/// a call is blocked in DuckDB. Calls block for as long as DuckDB works; callers that must not block run
/// them on a worker thread.
/// </para>
/// </summary>
internal sealed class StoreConnection : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly bool _ownsConnection;

    internal StoreConnection(DuckDBConnection connection, StoreDatabase database, bool ownsConnection)
    {
        _connection = connection;
        Database = database;
        _ownsConnection = ownsConnection;
    }

    /// <summary>The database this connection belongs to.</summary>
    public StoreDatabase Database { get; }

    /// <summary>Runs one or more statements, discards their results and returns how many rows they changed.</summary>
    public long Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return Guard(() => command.ExecuteNonQuery());
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (one or more statements) and returns the last result set, reading at most
    /// <paramref name="maxRows"/> rows of it (results stream, so rows past the cap are never produced). A
    /// script whose statements return no rows (DDL, INSERT, …) gives an empty result.
    /// </summary>
    public QueryData Query(string sql, IReadOnlyList<object?>? parameters = null, long maxRows = long.MaxValue)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        foreach (var value in parameters ?? [])
        {
            command.Parameters.Add(new DuckDBParameter(StoreValues.ToParameter(value)));
        }
        return Guard(() =>
        {
            using var reader = command.ExecuteReader();
            var data = Read(reader, maxRows);
            // Later statements run only as the reader moves on; the last result set is the answer.
            while (reader.NextResult())
            {
                data = Read(reader, maxRows);
            }
            return data;
        });
    }

    /// <summary>Runs <paramref name="sql"/> with parameters and returns the first column of the first row.</summary>
    public object? Scalar(string sql, params object?[] parameters)
    {
        var data = Query(sql, parameters, maxRows: 1);
        return data.Rows.Count == 0 || data.Columns.Count == 0 ? null : data.Rows[0][0];
    }

    /// <summary>Asks DuckDB to stop the statement running on this connection. Safe from any thread; a no-op when idle or closed.</summary>
    public void Interrupt()
    {
        try
        {
            _connection.NativeConnection.Interrupt();
        }
        catch (ObjectDisposedException)
        {
            // Closed in the meantime: nothing is running any more.
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>DuckDB.NET's appender for <paramref name="table"/> (an unquoted table name in the main schema).</summary>
    public DuckDBAppender CreateAppender(string table) => Guard(() => _connection.CreateAppender(table));

    /// <summary>Runs <paramref name="work"/> against DuckDB, turning DuckDB.NET's failures into <see cref="LocalStoreException"/>s.</summary>
    public static T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (DuckDBException error)
        {
            throw StoreErrors.From(error);
        }
        catch (OperationCanceledException error)
        {
            // DuckDB.NET reports an interrupted statement as a cancellation; callers tell timeout from cancel.
            throw new LocalStoreException("The statement was interrupted.", StoreErrors.Interrupt, error);
        }
        catch (InvalidOperationException error) when (error.Message.Contains("parameter", StringComparison.OrdinalIgnoreCase))
        {
            throw new LocalStoreException(error.Message, "InvalidInput", error);
        }
    }

    /// <summary>Closes the connection (the root connection of a database is closed by the database).</summary>
    public void Dispose()
    {
        if (_ownsConnection)
        {
            _connection.Dispose();
        }
    }

    private static QueryData Read(DuckDBDataReader reader, long maxRows)
    {
        var count = reader.FieldCount;
        var names = new string[count];
        var columns = new StoreValues.Column[count];
        DataTable? schema = null;
        for (var c = 0; c < count; c++)
        {
            names[c] = reader.GetName(c);
            var type = Enum.Parse<DuckDB.NET.Native.DuckDBType>(reader.GetDataTypeName(c));
            (byte Precision, byte Scale)? decimalShape = null;
            if (type == DuckDB.NET.Native.DuckDBType.Decimal)
            {
                schema ??= reader.GetSchemaTable();
                decimalShape = ((byte)schema.Rows[c][SchemaTableColumn.NumericPrecision], (byte)schema.Rows[c][SchemaTableColumn.NumericScale]);
            }
            columns[c] = StoreValues.Describe(type, reader.GetFieldType(c), decimalShape);
        }
        var rows = new List<object?[]>();
        if (count == 0)
        {
            return new QueryData(names, [], rows, false);
        }
        while (reader.Read())
        {
            if (rows.Count >= maxRows)
            {
                return new QueryData(names, columns.Select(c => c.TypeName).ToArray(), rows, true);
            }
            var row = new object?[count];
            for (var c = 0; c < count; c++)
            {
                row[c] = columns[c].Read(reader, c);
            }
            rows.Add(row);
        }
        return new QueryData(names, columns.Select(c => c.TypeName).ToArray(), rows, false);
    }
}
