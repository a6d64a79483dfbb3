using System.Runtime.InteropServices;

namespace MixpanelData.Storage.Native;

// One SafeHandle per native object we own; ReleaseHandle calls the matching duckdb_* destructor, so a
// handle is freed exactly once even when an exception or a finalizer gets there first.

/// <summary>Owns a <c>duckdb_database</c>.</summary>
internal sealed class DatabaseHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public DatabaseHandle(IntPtr pointer) : this() => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var pointer = handle;
        NativeMethods.duckdb_close(ref pointer);
        return true;
    }
}

/// <summary>Owns a <c>duckdb_connection</c>.</summary>
internal sealed class ConnectionHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public ConnectionHandle(IntPtr pointer) : this() => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var pointer = handle;
        NativeMethods.duckdb_disconnect(ref pointer);
        return true;
    }
}

/// <summary>Owns a <c>duckdb_prepared_statement</c>.</summary>
internal sealed class PreparedStatementHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public PreparedStatementHandle(IntPtr pointer) : this() => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var pointer = handle;
        NativeMethods.duckdb_destroy_prepare(ref pointer);
        return true;
    }
}

/// <summary>Owns a <c>duckdb_extracted_statements</c>.</summary>
internal sealed class ExtractedStatementsHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public ExtractedStatementsHandle(IntPtr pointer) : this() => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var pointer = handle;
        NativeMethods.duckdb_destroy_extracted(ref pointer);
        return true;
    }
}

/// <summary>Owns a <c>duckdb_appender</c> (destroying it also flushes and closes it).</summary>
internal sealed class AppenderHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public AppenderHandle(IntPtr pointer) : this() => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var pointer = handle;
        NativeMethods.duckdb_appender_destroy(ref pointer);
        return true;
    }
}

/// <summary>
/// Owns a <c>duckdb_result</c>. The C API hands results back in a caller-allocated struct, so the
/// struct lives in native memory owned by this handle: <c>duckdb_destroy_result</c> releases what
/// DuckDB put in it, then the struct's own memory is freed.
/// </summary>
internal sealed unsafe class ResultHandle : SafeHandle
{
    public ResultHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle((IntPtr)NativeMemory.AllocZeroed((nuint)sizeof(DuckDbResultStruct)));
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The struct; valid while the handle is alive (callers hold a DangerousAddRef or the owner).</summary>
    public DuckDbResultStruct* Pointer => (DuckDbResultStruct*)handle;

    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_destroy_result((DuckDbResultStruct*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
