using System.Text;

namespace MixpanelData.Storage.Native;

/// <summary>
/// Reads the values of one vector of a data chunk into CLR objects. Built per chunk (data pointers
/// change between chunks) and valid only while that chunk is alive.
/// <para>
/// Mapping: BOOLEAN → bool; TINYINT…BIGINT → sbyte/short/int/long; UTINYINT…UBIGINT → byte/ushort/uint/ulong;
/// HUGEINT → Int128; UHUGEINT → UInt128; FLOAT/DOUBLE → float/double; DECIMAL → decimal (double when it
/// does not fit); VARCHAR/JSON/ENUM → string; BLOB → byte[]; DATE → DateOnly; TIME → TimeOnly;
/// TIMESTAMP (all precisions) → DateTime (UTC kind); TIMESTAMPTZ → DateTimeOffset (UTC); INTERVAL →
/// <see cref="StoreInterval"/>; UUID → Guid; LIST/ARRAY → IReadOnlyList&lt;object?&gt;;
/// STRUCT → IReadOnlyDictionary&lt;string, object?&gt;; MAP → IReadOnlyDictionary&lt;string, object?&gt; (keys
/// rendered invariantly); NULL → null.
/// </para>
/// </summary>
internal sealed unsafe class VectorReader
{
    private static readonly DateTime Epoch = DateTime.UnixEpoch;

    private readonly DuckDbTypeInfo _type;
    private readonly void* _data;
    private readonly ulong* _validity;
    private readonly VectorReader[] _children;

    public VectorReader(DuckDbTypeInfo type, IntPtr vector)
    {
        _type = type;
        _data = NativeMethods.duckdb_vector_get_data(vector);
        _validity = NativeMethods.duckdb_vector_get_validity(vector);
        _children = type.Id switch
        {
            DuckDbType.List or DuckDbType.Map => [new VectorReader(type.Children[0], NativeMethods.duckdb_list_vector_get_child(vector))],
            DuckDbType.Array => [new VectorReader(type.Children[0], NativeMethods.duckdb_array_vector_get_child(vector))],
            DuckDbType.Struct => CreateStructChildren(type, vector),
            _ => [],
        };
    }

    private static VectorReader[] CreateStructChildren(DuckDbTypeInfo type, IntPtr vector)
    {
        var children = new VectorReader[type.Children.Count];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = new VectorReader(type.Children[i], NativeMethods.duckdb_struct_vector_get_child(vector, (ulong)i));
        }
        return children;
    }

    public bool IsValid(ulong row) => _validity is null || (_validity[row >> 6] & (1UL << (int)(row & 63))) != 0;

    public object? Read(ulong row)
    {
        if (!IsValid(row))
        {
            return null;
        }
        switch (_type.Id)
        {
            case DuckDbType.Boolean: return ((byte*)_data)[row] != 0;
            case DuckDbType.TinyInt: return ((sbyte*)_data)[row];
            case DuckDbType.SmallInt: return ((short*)_data)[row];
            case DuckDbType.Integer: return ((int*)_data)[row];
            case DuckDbType.BigInt: return ((long*)_data)[row];
            case DuckDbType.UTinyInt: return ((byte*)_data)[row];
            case DuckDbType.USmallInt: return ((ushort*)_data)[row];
            case DuckDbType.UInteger: return ((uint*)_data)[row];
            case DuckDbType.UBigInt: return ((ulong*)_data)[row];
            case DuckDbType.HugeInt: return ((DuckDbHugeInt*)_data)[row].ToInt128();
            case DuckDbType.UHugeInt:
                {
                    var value = ((ulong*)_data) + (row * 2);
                    return new UInt128(value[1], value[0]);
                }
            case DuckDbType.Float: return ((float*)_data)[row];
            case DuckDbType.Double: return ((double*)_data)[row];
            case DuckDbType.Decimal: return ReadDecimal(row);
            case DuckDbType.VarChar:
                return Encoding.UTF8.GetString(DuckDbStringT.Bytes((DuckDbStringT*)_data + row));
            case DuckDbType.Blob:
            case DuckDbType.Bit:
                return DuckDbStringT.Bytes((DuckDbStringT*)_data + row).ToArray();
            case DuckDbType.Enum:
                {
                    var index = _type.InternalType switch
                    {
                        DuckDbType.UTinyInt => ((byte*)_data)[row],
                        DuckDbType.USmallInt => ((ushort*)_data)[row],
                        _ => ((uint*)_data)[row],
                    };
                    return _type.EnumValues[(int)index];
                }
            case DuckDbType.Date: return DateOnly.FromDayNumber(DateOnly.FromDateTime(Epoch).DayNumber + ((int*)_data)[row]);
            case DuckDbType.Time: return new TimeOnly(((long*)_data)[row] * 10);
            case DuckDbType.Timestamp: return FromMicros(((long*)_data)[row]);
            case DuckDbType.TimestampS: return FromMicros(((long*)_data)[row] * 1_000_000);
            case DuckDbType.TimestampMs: return FromMicros(((long*)_data)[row] * 1_000);
            case DuckDbType.TimestampNs: return Epoch.AddTicks(((long*)_data)[row] / 100);
            case DuckDbType.TimestampTz: return new DateTimeOffset(FromMicros(((long*)_data)[row]), TimeSpan.Zero);
            case DuckDbType.Interval:
                {
                    var interval = ((DuckDbIntervalStruct*)_data)[row];
                    return new StoreInterval(interval.Months, interval.Days, interval.Micros);
                }
            case DuckDbType.Uuid:
                {
                    // Stored as a hugeint with the top bit flipped so that UUIDs sort like their text.
                    var value = ((DuckDbHugeInt*)_data)[row];
                    Span<byte> bytes = stackalloc byte[16];
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)value.Upper ^ 0x8000_0000_0000_0000UL);
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], value.Lower);
                    return new Guid(bytes, bigEndian: true);
                }
            case DuckDbType.List:
                {
                    var entry = ((DuckDbListEntry*)_data)[row];
                    var items = new object?[entry.Length];
                    for (ulong i = 0; i < entry.Length; i++)
                    {
                        items[i] = _children[0].Read(entry.Offset + i);
                    }
                    return items;
                }
            case DuckDbType.Array:
                {
                    var size = _type.ArraySize;
                    var items = new object?[size];
                    for (ulong i = 0; i < size; i++)
                    {
                        items[i] = _children[0].Read((row * size) + i);
                    }
                    return items;
                }
            case DuckDbType.Map:
                {
                    var entry = ((DuckDbListEntry*)_data)[row];
                    var pairs = _children[0];
                    var map = new Dictionary<string, object?>((int)entry.Length, StringComparer.Ordinal);
                    for (ulong i = 0; i < entry.Length; i++)
                    {
                        var key = pairs._children[0].Read(entry.Offset + i);
                        map[Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] = pairs._children[1].Read(entry.Offset + i);
                    }
                    return map.AsReadOnly();
                }
            case DuckDbType.Struct:
                {
                    var fields = new Dictionary<string, object?>(_children.Length, StringComparer.Ordinal);
                    for (var i = 0; i < _children.Length; i++)
                    {
                        fields[_type.ChildNames[i]] = _children[i].Read(row);
                    }
                    return fields.AsReadOnly();
                }
            case DuckDbType.SqlNull:
                return null;
            default:
                throw new LocalStoreException(
                    $"Values of type {_type.Name} cannot be read yet; cast the column to VARCHAR in the query (e.g. col::VARCHAR).",
                    "NotImplemented");
        }
    }

    private static DateTime FromMicros(long micros)
    {
        // DuckDB's infinity timestamps and values beyond .NET's range are clamped rather than thrown on.
        const long EpochTicks = 621355968000000000L;
        const long MaxMicros = (3155378975999999999L - EpochTicks) / 10;
        const long MinMicros = -EpochTicks / 10;
        return micros >= MaxMicros ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)
            : micros <= MinMicros ? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)
            : Epoch.AddTicks(micros * 10);
    }

    private object ReadDecimal(ulong row)
    {
        Int128 unscaled = _type.InternalType switch
        {
            DuckDbType.SmallInt => ((short*)_data)[row],
            DuckDbType.Integer => ((int*)_data)[row],
            DuckDbType.BigInt => ((long*)_data)[row],
            _ => ((DuckDbHugeInt*)_data)[row].ToInt128(),
        };
        var scale = _type.DecimalScale;
        if (unscaled >= (Int128)decimal.MinValue && unscaled <= (Int128)decimal.MaxValue)
        {
            return new decimal(
                (int)(uint)(ulong)(unscaled < 0 ? -unscaled : unscaled),
                (int)(uint)((ulong)(unscaled < 0 ? -unscaled : unscaled) >> 32),
                (int)(uint)((unscaled < 0 ? -unscaled : unscaled) >> 64),
                unscaled < 0,
                scale);
        }
        return (double)unscaled / Math.Pow(10, scale);
    }
}
