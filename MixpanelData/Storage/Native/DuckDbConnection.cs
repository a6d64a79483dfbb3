using System.Globalization;
using System.Text;

namespace MixpanelData.Storage.Native;

/// <summary>A fully read result: column names, DuckDB type names and rows (or the first rows, when capped).</summary>
internal sealed record QueryData(
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> Types,
    IReadOnlyList<object?[]> Rows,
    bool Truncated,
    DuckDbStatementType StatementType);

/// <summary>
/// One DuckDB connection.
/// <para>
/// Thread safety: a connection is used by one thread at a time — <see cref="Execute"/>, <see cref="Query"/>
/// and appenders must not overlap. The single exception is <see cref="Interrupt"/>, which is meant to be
/// called from another thread (a cancellation callback or a timer) while a call is blocked in DuckDB.
/// Calls block the calling thread for as long as DuckDB works; callers that must not block run them on
/// a worker thread.
/// </para>
/// </summary>
internal sealed unsafe class DuckDbConnection : IDisposable
{
    private readonly ConnectionHandle _handle;

    internal DuckDbConnection(ConnectionHandle handle, DuckDbDatabase database)
    {
        _handle = handle;
        Database = database;
    }

    /// <summary>The database this connection belongs to.</summary>
    public DuckDbDatabase Database { get; }

    /// <summary>Runs one or more statements and discards their results.</summary>
    public void Execute(string sql)
    {
        using var result = new ResultHandle();
        if (NativeMethods.duckdb_query(_handle, sql, result.Pointer) != DuckDbState.Success)
        {
            throw ResultError(result);
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (one or more statements; <paramref name="parameters"/> only with one) and
    /// returns the last statement's result, reading at most <paramref name="maxRows"/> rows of it (the
    /// last statement runs as a streaming query, so rows past the cap are never produced).
    /// <paramref name="vet"/> sees each statement's type before it runs and may refuse it by returning a reason.
    /// </summary>
    public QueryData Query(string sql, IReadOnlyList<object?>? parameters = null, long maxRows = long.MaxValue, Func<DuckDbStatementType, string?>? vet = null)
    {
        var text = Encoding.UTF8.GetBytes(sql + "\0");
        ulong count;
        IntPtr extractedPointer;
        fixed (byte* query = text)
        {
            count = NativeMethods.duckdb_extract_statements(_handle, query, out extractedPointer);
        }
        using var extracted = new ExtractedStatementsHandle(extractedPointer);
        if (count == 0)
        {
            var message = NativeMethods.BorrowedString(NativeMethods.duckdb_extract_statements_error(extracted));
            throw DuckDbErrors.Create(message ?? "The SQL text contains no statement.", DuckDbErrors.NameFromMessage(message) ?? "Parser");
        }
        if (parameters is { Count: > 0 } && count > 1)
        {
            throw new LocalStoreException("Parameters can only be used with a single SQL statement.", "InvalidInput");
        }

        QueryData? last = null;
        for (ulong i = 0; i < count; i++)
        {
            if (NativeMethods.duckdb_prepare_extracted_statement(_handle, extracted, i, out var preparedPointer) != DuckDbState.Success)
            {
                using var failed = new PreparedStatementHandle(preparedPointer);
                var message = NativeMethods.BorrowedString(NativeMethods.duckdb_prepare_error(failed));
                throw DuckDbErrors.Create(message, null);
            }
            using var prepared = new PreparedStatementHandle(preparedPointer);
            var type = NativeMethods.duckdb_prepared_statement_type(prepared);
            if (vet?.Invoke(type) is { } refusal)
            {
                throw new LocalStoreException(refusal, "Permission");
            }
            var isLast = i == count - 1;
            if (isLast && parameters is not null)
            {
                Bind(prepared, parameters);
            }
            last = Run(prepared, type, read: isLast, maxRows);
        }
        return last!;
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
            NativeMethods.duckdb_interrupt(_handle);
        }
        catch (ObjectDisposedException)
        {
            // Closed in the meantime: nothing is running any more.
        }
    }

    /// <summary>Creates an appender for <paramref name="table"/> (an unquoted table name in the main schema).</summary>
    public DuckDbAppender CreateAppender(string table)
    {
        if (NativeMethods.duckdb_appender_create(_handle, null, table, out var pointer) != DuckDbState.Success)
        {
            using var failed = new AppenderHandle(pointer);
            var message = pointer == IntPtr.Zero ? null : NativeMethods.BorrowedString(NativeMethods.duckdb_appender_error(failed));
            throw DuckDbErrors.Create(message ?? $"Could not create an appender for table {table}.", null);
        }
        return new DuckDbAppender(new AppenderHandle(pointer));
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _handle.Dispose();

    private static QueryData Run(PreparedStatementHandle prepared, DuckDbStatementType type, bool read, long maxRows)
    {
        using var result = new ResultHandle();
        var state = read
            ? NativeMethods.duckdb_execute_prepared_streaming(prepared, result.Pointer)
            : NativeMethods.duckdb_execute_prepared(prepared, result.Pointer);
        if (state != DuckDbState.Success)
        {
            throw ResultError(result);
        }
        var columnCount = (int)NativeMethods.duckdb_column_count(result.Pointer);
        var names = new string[columnCount];
        var types = new DuckDbTypeInfo[columnCount];
        for (var c = 0; c < columnCount; c++)
        {
            names[c] = NativeMethods.BorrowedString(NativeMethods.duckdb_column_name(result.Pointer, (ulong)c)) ?? "";
            types[c] = DuckDbTypeInfo.Owned(NativeMethods.duckdb_column_logical_type(result.Pointer, (ulong)c));
        }
        var rows = new List<object?[]>();
        var truncated = false;
        if (read)
        {
            truncated = ReadRows(result, types, rows, maxRows);
        }
        return new QueryData(names, types.Select(t => t.Name).ToArray(), rows, truncated, type);
    }

    private static bool ReadRows(ResultHandle result, DuckDbTypeInfo[] types, List<object?[]> rows, long maxRows)
    {
        var readers = new VectorReader[types.Length];
        while (true)
        {
            var chunk = NativeMethods.duckdb_fetch_chunk(*result.Pointer);
            if (chunk == IntPtr.Zero)
            {
                if (NativeMethods.duckdb_result_error(result.Pointer) != IntPtr.Zero)
                {
                    throw ResultError(result);
                }
                return false;
            }
            try
            {
                var size = NativeMethods.duckdb_data_chunk_get_size(chunk);
                for (var c = 0; c < types.Length; c++)
                {
                    readers[c] = new VectorReader(types[c], NativeMethods.duckdb_data_chunk_get_vector(chunk, (ulong)c));
                }
                for (ulong r = 0; r < size; r++)
                {
                    if (rows.Count >= maxRows)
                    {
                        return true;
                    }
                    var row = new object?[types.Length];
                    for (var c = 0; c < readers.Length; c++)
                    {
                        row[c] = readers[c].Read(r);
                    }
                    rows.Add(row);
                }
            }
            finally
            {
                NativeMethods.duckdb_destroy_data_chunk(ref chunk);
            }
        }
    }

    private static LocalStoreException ResultError(ResultHandle result)
    {
        var message = NativeMethods.BorrowedString(NativeMethods.duckdb_result_error(result.Pointer));
        var type = DuckDbErrors.NameOf(NativeMethods.duckdb_result_error_type(result.Pointer));
        return DuckDbErrors.Create(message, type);
    }

    private static void Bind(PreparedStatementHandle prepared, IReadOnlyList<object?> parameters)
    {
        var expected = NativeMethods.duckdb_nparams(prepared);
        if ((ulong)parameters.Count != expected)
        {
            throw new LocalStoreException($"The statement takes {expected} parameter(s) but {parameters.Count} were given.", "InvalidInput");
        }
        for (var i = 0; i < parameters.Count; i++)
        {
            var index = (ulong)i + 1;
            var state = parameters[i] switch
            {
                null => NativeMethods.duckdb_bind_null(prepared, index),
                bool b => NativeMethods.duckdb_bind_boolean(prepared, index, b),
                sbyte v => NativeMethods.duckdb_bind_int64(prepared, index, v),
                byte v => NativeMethods.duckdb_bind_int64(prepared, index, v),
                short v => NativeMethods.duckdb_bind_int64(prepared, index, v),
                ushort v => NativeMethods.duckdb_bind_int64(prepared, index, v),
                int v => NativeMethods.duckdb_bind_int64(prepared, index, v),
                uint v => NativeMethods.duckdb_bind_int64(prepared, index, v),
                long v => NativeMethods.duckdb_bind_int64(prepared, index, v),
                ulong v => NativeMethods.duckdb_bind_uint64(prepared, index, v),
                Int128 v => NativeMethods.duckdb_bind_hugeint(prepared, index, new DuckDbHugeInt(v)),
                float v => NativeMethods.duckdb_bind_double(prepared, index, v),
                double v => NativeMethods.duckdb_bind_double(prepared, index, v),
                decimal v => BindText(prepared, index, v.ToString(CultureInfo.InvariantCulture)),
                string v => BindText(prepared, index, v),
                Guid v => BindText(prepared, index, v.ToString("D")),
                DateOnly v => NativeMethods.duckdb_bind_date(prepared, index, v.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber),
                DateTime v => NativeMethods.duckdb_bind_timestamp(prepared, index, ToMicros(v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v)),
                DateTimeOffset v => NativeMethods.duckdb_bind_timestamp_tz(prepared, index, ToMicros(v.UtcDateTime)),
                byte[] v => BindBlob(prepared, index, v),
                var other => throw new LocalStoreException($"Parameter {index} has a type the store cannot bind: {other.GetType().Name}.", "InvalidInput"),
            };
            if (state != DuckDbState.Success)
            {
                throw new LocalStoreException($"DuckDB refused parameter {index}.", "InvalidInput");
            }
        }
    }

    private static long ToMicros(DateTime value) => (value.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    private static DuckDbState BindText(PreparedStatementHandle prepared, ulong index, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* pointer = bytes)
        {
            return NativeMethods.duckdb_bind_varchar_length(prepared, index, pointer, (ulong)bytes.Length);
        }
    }

    private static DuckDbState BindBlob(PreparedStatementHandle prepared, ulong index, byte[] value)
    {
        fixed (byte* pointer = value)
        {
            return NativeMethods.duckdb_bind_blob(prepared, index, pointer, (ulong)value.Length);
        }
    }
}
