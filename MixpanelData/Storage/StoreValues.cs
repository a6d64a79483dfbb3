using System.Collections;
using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq.Expressions;
using System.Numerics;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace MixpanelData.Storage;

/// <summary>
/// The store's value mapping on top of DuckDB.NET's reader, so that results keep the CLR types the library
/// has always returned: BOOLEAN → bool; TINYINT…BIGINT → sbyte/short/int/long; UTINYINT…UBIGINT →
/// byte/ushort/uint/ulong; HUGEINT → Int128; UHUGEINT → UInt128; FLOAT/DOUBLE → float/double; DECIMAL →
/// decimal; VARCHAR/JSON/ENUM → string; BLOB → byte[]; DATE → DateOnly; TIME → TimeOnly; TIMESTAMP (all
/// precisions) → DateTime (UTC kind); TIMESTAMPTZ → DateTimeOffset (UTC); INTERVAL → <see cref="StoreInterval"/>;
/// UUID → Guid; LIST/ARRAY → IReadOnlyList&lt;object?&gt;; STRUCT and MAP → IReadOnlyDictionary&lt;string, object?&gt;
/// (keys rendered invariantly); NULL → null.
/// <para>
/// Type names follow DuckDB's spelling as far as DuckDB.NET's reader exposes a column's type: its type id,
/// the precision and scale of DECIMAL, and the element types of LIST/ARRAY/MAP through their CLR types. It does
/// not expose logical type aliases or STRUCT members, so a JSON column is named <c>VARCHAR</c> and a struct
/// <c>STRUCT</c>; the catalog (<see cref="LocalStore.TableSchemaAsync"/>) keeps DuckDB's full names.
/// </para>
/// </summary>
internal static class StoreValues
{
    private static readonly ConcurrentDictionary<Type, Func<DuckDBDataReader, int, object>> NestedReaders = new();

    /// <summary>How one result column is named and read.</summary>
    internal sealed class Column(DuckDBType type, string typeName, Type? nestedType)
    {
        public string TypeName { get; } = typeName;

        public object? Read(DuckDBDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal))
            {
                return null;
            }
            switch (type)
            {
                case DuckDBType.Interval:
                    var interval = (DuckDBInterval)reader.GetProviderSpecificValue(ordinal);
                    return new StoreInterval(interval.Months, interval.Days, (long)interval.Micros);
                case DuckDBType.HugeInt:
                    return (Int128)(BigInteger)reader.GetValue(ordinal);
                case DuckDBType.UnsignedHugeInt:
                    return (UInt128)(BigInteger)reader.GetValue(ordinal);
                case DuckDBType.TimestampTz:
                    return new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc), TimeSpan.Zero);
                case DuckDBType.List or DuckDBType.Array or DuckDBType.Map when nestedType is not null:
                    return Normalize(NestedReaders.GetOrAdd(nestedType, CreateNestedReader)(reader, ordinal));
                default:
                    return Normalize(reader.GetValue(ordinal));
            }
        }
    }

    /// <summary>Describes a result column from what DuckDB.NET's reader reports about it.</summary>
    public static Column Describe(DuckDBType type, Type clrType, (byte Precision, byte Scale)? decimalShape)
    {
        var name = type switch
        {
            DuckDBType.Decimal when decimalShape is { } shape => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({shape.Precision},{shape.Scale})"),
            DuckDBType.List or DuckDBType.Array or DuckDBType.Map => ClrTypeName(clrType),
            _ => TypeName(type),
        };
        var nested = type is DuckDBType.List or DuckDBType.Array or DuckDBType.Map ? WithNullableElements(clrType) : null;
        return new Column(type, name, nested);
    }

    /// <summary>A parameter value as DuckDB.NET binds it (null as DBNull, local times as UTC, 128-bit integers as BigInteger).</summary>
    public static object ToParameter(object? value) => value switch
    {
        null => DBNull.Value,
        DateTime { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        Int128 v => (BigInteger)v,
        UInt128 v => (BigInteger)v,
        _ => value,
    };

    private static string TypeName(DuckDBType type) => type switch
    {
        DuckDBType.Boolean => "BOOLEAN",
        DuckDBType.TinyInt => "TINYINT",
        DuckDBType.SmallInt => "SMALLINT",
        DuckDBType.Integer => "INTEGER",
        DuckDBType.BigInt => "BIGINT",
        DuckDBType.UnsignedTinyInt => "UTINYINT",
        DuckDBType.UnsignedSmallInt => "USMALLINT",
        DuckDBType.UnsignedInteger => "UINTEGER",
        DuckDBType.UnsignedBigInt => "UBIGINT",
        DuckDBType.Float => "FLOAT",
        DuckDBType.Double => "DOUBLE",
        DuckDBType.Timestamp => "TIMESTAMP",
        DuckDBType.Date => "DATE",
        DuckDBType.Time => "TIME",
        DuckDBType.Interval => "INTERVAL",
        DuckDBType.HugeInt => "HUGEINT",
        DuckDBType.UnsignedHugeInt => "UHUGEINT",
        DuckDBType.Varchar => "VARCHAR",
        DuckDBType.Blob => "BLOB",
        DuckDBType.Decimal => "DECIMAL",
        DuckDBType.TimestampS => "TIMESTAMP_S",
        DuckDBType.TimestampMs => "TIMESTAMP_MS",
        DuckDBType.TimestampNs => "TIMESTAMP_NS",
        DuckDBType.Enum => "ENUM",
        DuckDBType.Struct => "STRUCT",
        DuckDBType.Uuid => "UUID",
        DuckDBType.Union => "UNION",
        DuckDBType.Bit => "BIT",
        DuckDBType.TimeTz => "TIME WITH TIME ZONE",
        DuckDBType.TimestampTz => "TIMESTAMP WITH TIME ZONE",
        DuckDBType.VarInt => "BIGNUM",
        DuckDBType.SqlNull => "\"NULL\"",
        var other => other.ToString().ToUpperInvariant(),
    };

    private static string ClrTypeName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return ClrTypeName(type.GetGenericArguments()[0]) + "[]";
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var arguments = type.GetGenericArguments();
            return arguments[1] == typeof(object) ? "STRUCT" : $"MAP({ClrTypeName(arguments[0])}, {ClrTypeName(arguments[1])})";
        }
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "BOOLEAN",
            TypeCode.SByte => "TINYINT",
            TypeCode.Int16 => "SMALLINT",
            TypeCode.Int32 => "INTEGER",
            TypeCode.Int64 => "BIGINT",
            TypeCode.Byte => "UTINYINT",
            TypeCode.UInt16 => "USMALLINT",
            TypeCode.UInt32 => "UINTEGER",
            TypeCode.UInt64 => "UBIGINT",
            TypeCode.Single => "FLOAT",
            TypeCode.Double => "DOUBLE",
            TypeCode.Decimal => "DECIMAL",
            TypeCode.String => "VARCHAR",
            TypeCode.DateTime => "TIMESTAMP",
            _ when type == typeof(DateOnly) => "DATE",
            _ when type == typeof(TimeOnly) => "TIME",
            _ when type == typeof(TimeSpan) => "INTERVAL",
            _ when type == typeof(Guid) => "UUID",
            _ when type == typeof(BigInteger) => "HUGEINT",
            _ when type == typeof(DateTimeOffset) => "TIMESTAMP WITH TIME ZONE",
            _ when typeof(Stream).IsAssignableFrom(type) || type == typeof(byte[]) => "BLOB",
            _ => type.Name.ToUpperInvariant(),
        };
    }

    /// <summary>
    /// DuckDB.NET reads LIST and MAP columns into generic collections of their element type and refuses
    /// non-nullable element types when a NULL is present, so nested columns are read as collections of
    /// nullable elements (<c>List&lt;int&gt;</c> → <c>List&lt;int?&gt;</c>, recursively).
    /// </summary>
    private static Type WithNullableElements(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return typeof(List<>).MakeGenericType(WithNullableElements(type.GetGenericArguments()[0]));
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var arguments = type.GetGenericArguments();
            return typeof(Dictionary<,>).MakeGenericType(arguments[0], WithNullableElements(arguments[1]));
        }
        return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? typeof(Nullable<>).MakeGenericType(type) : type;
    }

    private static Func<DuckDBDataReader, int, object> CreateNestedReader(Type type)
    {
        var reader = Expression.Parameter(typeof(DuckDBDataReader), "reader");
        var ordinal = Expression.Parameter(typeof(int), "ordinal");
        var call = Expression.Call(reader, nameof(DuckDBDataReader.GetFieldValue), [type], ordinal);
        return Expression.Lambda<Func<DuckDBDataReader, int, object>>(Expression.Convert(call, typeof(object)), reader, ordinal).Compile();
    }

    private static object? Normalize(object? value)
    {
        switch (value)
        {
            case null or DBNull:
                return null;
            case string:
                return value;
            case DateTime time:
                return time.Kind == DateTimeKind.Utc ? time : DateTime.SpecifyKind(time, DateTimeKind.Utc);
            case BigInteger big:
                return big >= (BigInteger)Int128.MinValue && big <= (BigInteger)Int128.MaxValue ? (Int128)big : (UInt128)big;
            case TimeSpan span:
                return new StoreInterval(0, span.Days, (span.Ticks - (TimeSpan.TicksPerDay * span.Days)) / 10);
            case DuckDBInterval interval:
                return new StoreInterval(interval.Months, interval.Days, (long)interval.Micros);
            case Stream stream:
                using (stream)
                {
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    return copy.ToArray();
                }
            case byte[]:
                return value;
            case IDictionary dictionary:
                var members = new Dictionary<string, object?>(dictionary.Count, StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary)
                {
                    members[Convert.ToString(Normalize(entry.Key), CultureInfo.InvariantCulture) ?? ""] = Normalize(entry.Value);
                }
                return new ReadOnlyDictionary<string, object?>(members);
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items)
                {
                    list.Add(Normalize(item));
                }
                return list.ToArray();
            default:
                return value;
        }
    }
}
