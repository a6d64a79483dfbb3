using System.Runtime.InteropServices;

namespace MixpanelData.Storage.Native;

/// <summary>
/// DuckDB's C API, one declaration per function, grouped by the header's sections. Only what the store
/// uses is declared. Handles that own native memory are wrapped in the SafeHandles of this folder;
/// raw <see cref="IntPtr"/>s appear only for objects borrowed from a live owner (vectors of a chunk,
/// strings of a result) or released in a <c>finally</c> right next to where they are created
/// (logical types, data chunks).
/// <para>
/// <c>[SuppressGCTransition]</c> is used only on tiny getters that neither block nor call back.
/// </para>
/// </summary>
internal static unsafe partial class NativeMethods
{
    /// <summary>The library name: the runtime probes libduckdb.so / libduckdb.dylib / duckdb.dll.</summary>
    public const string Library = "duckdb";

    // An explicit static constructor runs before the first call into this class, so the resolver that finds
    // the packaged library (runtimes/<rid>/native/) is in place before the runtime looks for "duckdb".
    static NativeMethods() => NativeLibraryLoader.Register();

    // ---- Open / connect / configuration -------------------------------------------------------

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState duckdb_open_ext(string? path, out IntPtr database, IntPtr config, out IntPtr error);

    [LibraryImport(Library)]
    public static partial void duckdb_close(ref IntPtr database);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_connect(DatabaseHandle database, out IntPtr connection);

    [LibraryImport(Library)]
    public static partial void duckdb_disconnect(ref IntPtr connection);

    [LibraryImport(Library)]
    public static partial void duckdb_interrupt(ConnectionHandle connection);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_library_version();

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_create_config(out IntPtr config);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState duckdb_set_config(IntPtr config, string name, string option);

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_config(ref IntPtr config);

    [LibraryImport(Library)]
    public static partial void duckdb_free(IntPtr pointer);

    // ---- Query execution and results ------------------------------------------------------------

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState duckdb_query(ConnectionHandle connection, string query, DuckDbResultStruct* result);

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_result(DuckDbResultStruct* result);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial IntPtr duckdb_column_name(DuckDbResultStruct* result, ulong column);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_column_logical_type(DuckDbResultStruct* result, ulong column);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial ulong duckdb_column_count(DuckDbResultStruct* result);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial ulong duckdb_rows_changed(DuckDbResultStruct* result);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial IntPtr duckdb_result_error(DuckDbResultStruct* result);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial int duckdb_result_error_type(DuckDbResultStruct* result);

    /// <summary>Takes the result struct by value (as the header does); the struct stays owned by the caller.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr duckdb_fetch_chunk(DuckDbResultStruct result);

    // ---- Data chunks and vectors ----------------------------------------------------------------

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_data_chunk(ref IntPtr chunk);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial ulong duckdb_data_chunk_get_size(IntPtr chunk);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial IntPtr duckdb_data_chunk_get_vector(IntPtr chunk, ulong column);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial void* duckdb_vector_get_data(IntPtr vector);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial ulong* duckdb_vector_get_validity(IntPtr vector);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial IntPtr duckdb_list_vector_get_child(IntPtr vector);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial IntPtr duckdb_array_vector_get_child(IntPtr vector);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    public static partial IntPtr duckdb_struct_vector_get_child(IntPtr vector, ulong index);

    // ---- Logical types --------------------------------------------------------------------------

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_logical_type(ref IntPtr type);

    [LibraryImport(Library)]
    public static partial DuckDbType duckdb_get_type_id(IntPtr type);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_logical_type_get_alias(IntPtr type);

    [LibraryImport(Library)]
    public static partial byte duckdb_decimal_width(IntPtr type);

    [LibraryImport(Library)]
    public static partial byte duckdb_decimal_scale(IntPtr type);

    [LibraryImport(Library)]
    public static partial DuckDbType duckdb_decimal_internal_type(IntPtr type);

    [LibraryImport(Library)]
    public static partial DuckDbType duckdb_enum_internal_type(IntPtr type);

    [LibraryImport(Library)]
    public static partial uint duckdb_enum_dictionary_size(IntPtr type);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_enum_dictionary_value(IntPtr type, ulong index);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_list_type_child_type(IntPtr type);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_array_type_child_type(IntPtr type);

    [LibraryImport(Library)]
    public static partial ulong duckdb_array_type_array_size(IntPtr type);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_map_type_key_type(IntPtr type);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_map_type_value_type(IntPtr type);

    [LibraryImport(Library)]
    public static partial ulong duckdb_struct_type_child_count(IntPtr type);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_struct_type_child_name(IntPtr type, ulong index);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_struct_type_child_type(IntPtr type, ulong index);

    // ---- Prepared statements, extracted statements and binding -----------------------------------

    [LibraryImport(Library)]
    public static partial ulong duckdb_extract_statements(ConnectionHandle connection, byte* query, out IntPtr extracted);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_prepare_extracted_statement(ConnectionHandle connection, ExtractedStatementsHandle extracted, ulong index, out IntPtr prepared);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_extract_statements_error(ExtractedStatementsHandle extracted);

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_extracted(ref IntPtr extracted);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState duckdb_prepare(ConnectionHandle connection, string query, out IntPtr prepared);

    [LibraryImport(Library)]
    public static partial void duckdb_destroy_prepare(ref IntPtr prepared);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_prepare_error(PreparedStatementHandle prepared);

    [LibraryImport(Library)]
    public static partial ulong duckdb_nparams(PreparedStatementHandle prepared);

    [LibraryImport(Library)]
    public static partial DuckDbStatementType duckdb_prepared_statement_type(PreparedStatementHandle prepared);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_boolean(PreparedStatementHandle prepared, ulong index, [MarshalAs(UnmanagedType.U1)] bool value);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_int32(PreparedStatementHandle prepared, ulong index, int value);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_int64(PreparedStatementHandle prepared, ulong index, long value);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_uint64(PreparedStatementHandle prepared, ulong index, ulong value);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_hugeint(PreparedStatementHandle prepared, ulong index, DuckDbHugeInt value);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_double(PreparedStatementHandle prepared, ulong index, double value);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_date(PreparedStatementHandle prepared, ulong index, int days);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_timestamp(PreparedStatementHandle prepared, ulong index, long micros);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_timestamp_tz(PreparedStatementHandle prepared, ulong index, long micros);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_varchar_length(PreparedStatementHandle prepared, ulong index, byte* value, ulong length);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_blob(PreparedStatementHandle prepared, ulong index, byte* data, ulong length);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_bind_null(PreparedStatementHandle prepared, ulong index);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_execute_prepared(PreparedStatementHandle prepared, DuckDbResultStruct* result);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_execute_prepared_streaming(PreparedStatementHandle prepared, DuckDbResultStruct* result);

    // ---- Appender -------------------------------------------------------------------------------

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState duckdb_appender_create(ConnectionHandle connection, string? schema, string table, out IntPtr appender);

    [LibraryImport(Library)]
    public static partial IntPtr duckdb_appender_error(AppenderHandle appender);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_appender_flush(AppenderHandle appender);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_appender_close(AppenderHandle appender);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_appender_destroy(ref IntPtr appender);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_appender_end_row(AppenderHandle appender);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_append_varchar_length(AppenderHandle appender, byte* value, ulong length);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_append_int64(AppenderHandle appender, long value);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_append_timestamp(AppenderHandle appender, long micros);

    [LibraryImport(Library)]
    public static partial DuckDbState duckdb_append_null(AppenderHandle appender);

    /// <summary>Reads a UTF-8 string DuckDB still owns (result errors, column names).</summary>
    public static string? BorrowedString(IntPtr pointer) => pointer == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(pointer);

    /// <summary>Reads a UTF-8 string DuckDB handed over to us and frees it with <c>duckdb_free</c>.</summary>
    public static string? OwnedString(IntPtr pointer)
    {
        if (pointer == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(pointer);
        }
        finally
        {
            duckdb_free(pointer);
        }
    }
}
