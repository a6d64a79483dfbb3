using System.Text;

namespace MixpanelData.Storage.Native;

/// <summary>
/// DuckDB's appender: the fast row-at-a-time bulk path into one table (values are buffered in column
/// chunks, not executed as INSERTs). Same thread rules as its connection; dispose to flush and release.
/// </summary>
internal sealed unsafe class DuckDbAppender : IDisposable
{
    private readonly AppenderHandle _handle;

    internal DuckDbAppender(AppenderHandle handle) => _handle = handle;

    public void AppendVarchar(ReadOnlySpan<byte> utf8)
    {
        fixed (byte* pointer = utf8)
        {
            Check(NativeMethods.duckdb_append_varchar_length(_handle, pointer, (ulong)utf8.Length));
        }
    }

    public void AppendVarchar(string? value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }
        AppendVarchar(Encoding.UTF8.GetBytes(value));
    }

    public void AppendTimestamp(DateTime? utc)
    {
        if (utc is null)
        {
            AppendNull();
            return;
        }
        Check(NativeMethods.duckdb_append_timestamp(_handle, (utc.Value.Ticks - DateTime.UnixEpoch.Ticks) / 10));
    }

    public void AppendNull() => Check(NativeMethods.duckdb_append_null(_handle));

    public void EndRow() => Check(NativeMethods.duckdb_appender_end_row(_handle));

    /// <summary>Flushes buffered rows and closes the appender; errors (e.g. constraint violations) surface here.</summary>
    public void Close() => Check(NativeMethods.duckdb_appender_close(_handle));

    public void Dispose() => _handle.Dispose();

    private void Check(DuckDbState state)
    {
        if (state != DuckDbState.Success)
        {
            var message = NativeMethods.BorrowedString(NativeMethods.duckdb_appender_error(_handle));
            throw DuckDbErrors.Create(message ?? "The DuckDB appender failed.", null);
        }
    }
}
