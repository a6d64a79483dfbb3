using System.Runtime.InteropServices;

namespace MixpanelData.Storage.Native;

// Layouts and enum values follow DuckDB's C API header (duckdb.h, v1.5). Values are explicit on purpose:
// the header numbers some of them out of declaration order (e.g. UHUGEINT = 32).

/// <summary><c>duckdb_state</c>.</summary>
internal enum DuckDbState
{
    Success = 0,
    Error = 1,
}

/// <summary><c>duckdb_type</c>: the physical/logical type ids.</summary>
internal enum DuckDbType
{
    Invalid = 0,
    Boolean = 1,
    TinyInt = 2,
    SmallInt = 3,
    Integer = 4,
    BigInt = 5,
    UTinyInt = 6,
    USmallInt = 7,
    UInteger = 8,
    UBigInt = 9,
    Float = 10,
    Double = 11,
    Timestamp = 12,
    Date = 13,
    Time = 14,
    Interval = 15,
    HugeInt = 16,
    VarChar = 17,
    Blob = 18,
    Decimal = 19,
    TimestampS = 20,
    TimestampMs = 21,
    TimestampNs = 22,
    Enum = 23,
    List = 24,
    Struct = 25,
    Map = 26,
    Uuid = 27,
    Union = 28,
    Bit = 29,
    TimeTz = 30,
    TimestampTz = 31,
    UHugeInt = 32,
    Array = 33,
    Any = 34,
    BigNum = 35,
    SqlNull = 36,
    StringLiteral = 37,
    IntegerLiteral = 38,
    TimeNs = 39,
    Geometry = 40,
    Variant = 41,
}

/// <summary><c>duckdb_statement_type</c>.</summary>
internal enum DuckDbStatementType
{
    Invalid = 0,
    Select = 1,
    Insert = 2,
    Update = 3,
    Explain = 4,
    Delete = 5,
    Prepare = 6,
    Create = 7,
    Execute = 8,
    Alter = 9,
    Transaction = 10,
    Copy = 11,
    Analyze = 12,
    VariableSet = 13,
    CreateFunc = 14,
    Drop = 15,
    Export = 16,
    Pragma = 17,
    Vacuum = 18,
    Call = 19,
    Set = 20,
    Load = 21,
    Relation = 22,
    Extension = 23,
    LogicalPlan = 24,
    Attach = 25,
    Detach = 26,
    Multi = 27,
    CopyDatabase = 28,
    UpdateExtensions = 29,
    MergeInto = 30,
}

/// <summary><c>duckdb_result</c>: a 48-byte struct owned by the caller and released with <c>duckdb_destroy_result</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbResultStruct
{
    public ulong DeprecatedColumnCount;
    public ulong DeprecatedRowCount;
    public ulong DeprecatedRowsChanged;
    public IntPtr DeprecatedColumns;
    public IntPtr DeprecatedErrorMessage;
    public IntPtr InternalData;
}

/// <summary><c>duckdb_hugeint</c>: value = upper * 2^64 + lower.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbHugeInt
{
    public ulong Lower;
    public long Upper;

    public DuckDbHugeInt(Int128 value)
    {
        Lower = (ulong)(value & ulong.MaxValue);
        Upper = (long)(value >> 64);
    }

    public readonly Int128 ToInt128() => new((ulong)Upper, Lower);
}

/// <summary><c>duckdb_list_entry</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbListEntry
{
    public ulong Offset;
    public ulong Length;
}

/// <summary><c>duckdb_interval</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbIntervalStruct
{
    public int Months;
    public int Days;
    public long Micros;
}

/// <summary>
/// <c>duckdb_string_t</c>: 16 bytes. <c>length</c> first; up to 12 bytes are stored inline right after it,
/// longer strings keep a 4-byte prefix and then a pointer at offset 8.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal unsafe struct DuckDbStringT
{
    public const int InlineLength = 12;

    public uint Length;
    public fixed byte Inline[12];

    /// <summary>The bytes of the string at <paramref name="value"/>; valid while its vector is alive.</summary>
    public static ReadOnlySpan<byte> Bytes(DuckDbStringT* value)
    {
        var length = (int)value->Length;
        if (length <= InlineLength)
        {
            return new ReadOnlySpan<byte>((byte*)value + 4, length);
        }
        var pointer = *(byte**)((byte*)value + 8);
        return new ReadOnlySpan<byte>(pointer, length);
    }
}
