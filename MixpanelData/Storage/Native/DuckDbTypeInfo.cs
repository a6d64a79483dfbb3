using System.Globalization;
using System.Text;

namespace MixpanelData.Storage.Native;

/// <summary>
/// A managed snapshot of a <c>duckdb_logical_type</c> (id, alias, decimal/enum/array details, children),
/// read once per result column so the native logical type can be destroyed straight away.
/// </summary>
internal sealed class DuckDbTypeInfo
{
    private DuckDbTypeInfo(DuckDbType id) => Id = id;

    public DuckDbType Id { get; }
    public string? Alias { get; private init; }
    public byte DecimalWidth { get; private init; }
    public byte DecimalScale { get; private init; }
    /// <summary>Storage type of DECIMAL and ENUM values.</summary>
    public DuckDbType InternalType { get; private init; }
    public IReadOnlyList<string> EnumValues { get; private init; } = [];
    public ulong ArraySize { get; private init; }
    /// <summary>LIST/ARRAY: the element; MAP: STRUCT(key, value); STRUCT/UNION: the members.</summary>
    public IReadOnlyList<DuckDbTypeInfo> Children { get; private init; } = [];
    public IReadOnlyList<string> ChildNames { get; private init; } = [];

    /// <summary>Reads <paramref name="type"/>; does not take ownership of it.</summary>
    public static DuckDbTypeInfo From(IntPtr type)
    {
        var id = NativeMethods.duckdb_get_type_id(type);
        var alias = NativeMethods.OwnedString(NativeMethods.duckdb_logical_type_get_alias(type));
        switch (id)
        {
            case DuckDbType.Decimal:
                return new DuckDbTypeInfo(id)
                {
                    Alias = alias,
                    DecimalWidth = NativeMethods.duckdb_decimal_width(type),
                    DecimalScale = NativeMethods.duckdb_decimal_scale(type),
                    InternalType = NativeMethods.duckdb_decimal_internal_type(type),
                };
            case DuckDbType.Enum:
                var size = NativeMethods.duckdb_enum_dictionary_size(type);
                var values = new string[size];
                for (uint i = 0; i < size; i++)
                {
                    values[i] = NativeMethods.OwnedString(NativeMethods.duckdb_enum_dictionary_value(type, i)) ?? "";
                }
                return new DuckDbTypeInfo(id) { Alias = alias, InternalType = NativeMethods.duckdb_enum_internal_type(type), EnumValues = values };
            case DuckDbType.List:
            case DuckDbType.Map:
                // A MAP is stored as a LIST of STRUCT(key, value); the list child type call gives that struct.
                return new DuckDbTypeInfo(id) { Alias = alias, Children = [Owned(NativeMethods.duckdb_list_type_child_type(type))] };
            case DuckDbType.Array:
                return new DuckDbTypeInfo(id)
                {
                    Alias = alias,
                    ArraySize = NativeMethods.duckdb_array_type_array_size(type),
                    Children = [Owned(NativeMethods.duckdb_array_type_child_type(type))],
                };
            case DuckDbType.Struct:
            case DuckDbType.Union:
                var count = NativeMethods.duckdb_struct_type_child_count(type);
                var children = new DuckDbTypeInfo[count];
                var names = new string[count];
                for (ulong i = 0; i < count; i++)
                {
                    names[i] = NativeMethods.OwnedString(NativeMethods.duckdb_struct_type_child_name(type, i)) ?? "";
                    children[i] = Owned(NativeMethods.duckdb_struct_type_child_type(type, i));
                }
                return new DuckDbTypeInfo(id) { Alias = alias, Children = children, ChildNames = names };
            default:
                return new DuckDbTypeInfo(id) { Alias = alias };
        }
    }

    /// <summary>Reads and then destroys a logical type we own.</summary>
    public static DuckDbTypeInfo Owned(IntPtr type)
    {
        if (type == IntPtr.Zero)
        {
            return new DuckDbTypeInfo(DuckDbType.Invalid);
        }
        try
        {
            return From(type);
        }
        finally
        {
            NativeMethods.duckdb_destroy_logical_type(ref type);
        }
    }

    /// <summary>The type as DuckDB spells it in SQL, e.g. <c>DECIMAL(18,3)</c>, <c>VARCHAR[]</c>, <c>JSON</c>.</summary>
    public string Name
    {
        get
        {
            if (!string.IsNullOrEmpty(Alias))
            {
                return Alias;
            }
            var builder = new StringBuilder();
            Append(builder);
            return builder.ToString();
        }
    }

    private void Append(StringBuilder builder)
    {
        if (!string.IsNullOrEmpty(Alias))
        {
            builder.Append(Alias);
            return;
        }
        switch (Id)
        {
            case DuckDbType.Decimal:
                builder.Append(CultureInfo.InvariantCulture, $"DECIMAL({DecimalWidth},{DecimalScale})");
                return;
            case DuckDbType.List:
                Children[0].Append(builder);
                builder.Append("[]");
                return;
            case DuckDbType.Array:
                Children[0].Append(builder);
                builder.Append(CultureInfo.InvariantCulture, $"[{ArraySize}]");
                return;
            case DuckDbType.Map:
                builder.Append("MAP(");
                Children[0].Children[0].Append(builder);
                builder.Append(", ");
                Children[0].Children[1].Append(builder);
                builder.Append(')');
                return;
            case DuckDbType.Struct:
            case DuckDbType.Union:
                builder.Append(Id == DuckDbType.Struct ? "STRUCT(" : "UNION(");
                for (var i = 0; i < Children.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }
                    builder.Append(ChildNames[i]).Append(' ');
                    Children[i].Append(builder);
                }
                builder.Append(')');
                return;
            case DuckDbType.Enum:
                builder.Append("ENUM(");
                builder.AppendJoin(", ", EnumValues.Select(v => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'"));
                builder.Append(')');
                return;
            default:
                builder.Append(SimpleName(Id));
                return;
        }
    }

    private static string SimpleName(DuckDbType id) => id switch
    {
        DuckDbType.Boolean => "BOOLEAN",
        DuckDbType.TinyInt => "TINYINT",
        DuckDbType.SmallInt => "SMALLINT",
        DuckDbType.Integer => "INTEGER",
        DuckDbType.BigInt => "BIGINT",
        DuckDbType.UTinyInt => "UTINYINT",
        DuckDbType.USmallInt => "USMALLINT",
        DuckDbType.UInteger => "UINTEGER",
        DuckDbType.UBigInt => "UBIGINT",
        DuckDbType.Float => "FLOAT",
        DuckDbType.Double => "DOUBLE",
        DuckDbType.Timestamp => "TIMESTAMP",
        DuckDbType.Date => "DATE",
        DuckDbType.Time => "TIME",
        DuckDbType.Interval => "INTERVAL",
        DuckDbType.HugeInt => "HUGEINT",
        DuckDbType.UHugeInt => "UHUGEINT",
        DuckDbType.VarChar => "VARCHAR",
        DuckDbType.Blob => "BLOB",
        DuckDbType.TimestampS => "TIMESTAMP_S",
        DuckDbType.TimestampMs => "TIMESTAMP_MS",
        DuckDbType.TimestampNs => "TIMESTAMP_NS",
        DuckDbType.Uuid => "UUID",
        DuckDbType.Bit => "BIT",
        DuckDbType.TimeTz => "TIME WITH TIME ZONE",
        DuckDbType.TimestampTz => "TIMESTAMP WITH TIME ZONE",
        DuckDbType.BigNum => "BIGNUM",
        DuckDbType.SqlNull => "\"NULL\"",
        DuckDbType.TimeNs => "TIME_NS",
        DuckDbType.Geometry => "GEOMETRY",
        DuckDbType.Variant => "VARIANT",
        _ => id.ToString().ToUpperInvariant(),
    };
}
