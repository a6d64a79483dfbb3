namespace MixpanelData.Analytics.Expressions;

/// <summary>
/// Translates a parsed expression to DuckDB SQL with Mixpanel's typing rules. Event properties are JSON;
/// a value's Mixpanel type (string, number, boolean, null, undefined) is read from its JSON type, and
/// Mixpanel's <c>undefined</c> is SQL <c>NULL</c>. Where the static type is known (literals, casts,
/// arithmetic) the SQL is direct; where it is not (a property) the SQL inspects the JSON type at run time.
/// Every literal is bound as a parameter.
/// </summary>
internal sealed class SqlTranslator
{
    private readonly string _text;
    private readonly ExpressionColumns _columns;
    private readonly SqlParameters _parameters;

    private SqlTranslator(string text, ExpressionColumns columns, SqlParameters parameters)
    {
        _text = text;
        _columns = columns;
        _parameters = parameters;
    }

    private enum SqlType { Json, Number, String, Boolean, Timestamp, Null, List }

    private readonly record struct Fragment(string Sql, SqlType Type, Node Node);

    /// <summary>A filter: a SQL boolean that is never NULL (Mixpanel treats undefined as false).</summary>
    public static string Filter(string text, Node node, ExpressionColumns columns, SqlParameters parameters)
    {
        var translator = new SqlTranslator(text, columns, parameters);
        return $"coalesce({translator.AsBoolean(translator.Translate(node), "a filter")}, false)";
    }

    /// <summary>A breakdown key (<c>on</c>): the value's text, or <c>'undefined'</c> when the value is undefined.</summary>
    public static string SegmentKey(string text, Node node, ExpressionColumns columns, SqlParameters parameters)
    {
        var translator = new SqlTranslator(text, columns, parameters);
        return $"coalesce({translator.AsText(translator.Translate(node))}, 'undefined')";
    }

    /// <summary>A numeric value (sum, average, numeric buckets): DOUBLE, NULL when the value is not a number.</summary>
    public static string Number(string text, Node node, ExpressionColumns columns, SqlParameters parameters)
    {
        var translator = new SqlTranslator(text, columns, parameters);
        return translator.AsNumber(translator.Translate(node));
    }

    private Fragment Translate(Node node) => node switch
    {
        PropertyNode property => Property(property),
        StringNode s => new($"CAST({_parameters.Add(s.Value)} AS VARCHAR)", SqlType.String, node),
        NumberNode n => new($"CAST({_parameters.Add(n.Value)} AS DOUBLE)", SqlType.Number, node),
        BooleanNode b => new(b.Value ? "true" : "false", SqlType.Boolean, node),
        NullNode => new("NULL", SqlType.Null, node),
        ListNode list => throw Error("A list [...] may only stand on the right of 'in'", list),
        UnaryNode unary => Unary(unary),
        BinaryNode binary => Binary(binary),
        CallNode call => Call(call),
        _ => throw Error("Unsupported expression", node),
    };

    private Fragment Property(PropertyNode node)
    {
        var name = node.Name;
        var isMeta = node.Source == PropertySource.Meta;
        var isEvent = node.Source == PropertySource.Event;
        if ((isMeta || isEvent) && name is "$time" or "time" || (isMeta && name == "time"))
        {
            if (_columns.Time is { } time)
            {
                return new(time, SqlType.Timestamp, node);
            }
        }

        if ((isMeta || isEvent) && name is "distinct_id" or "$distinct_id" && _columns.DistinctId is { } distinct)
        {
            return new(distinct, SqlType.String, node);
        }

        if (isMeta && name is "name" or "event" or "$event_name" && _columns.EventName is { } eventName)
        {
            return new(eventName, SqlType.String, node);
        }

        string column;
        if (node.Source == PropertySource.User)
        {
            column = _columns.UserProperties
                ?? _columns.ProfileLookup
                ?? throw Error($"user[\"{name}\"] reads profile properties, which are not available here; fetch profiles or filter on event properties[...]", node);
        }
        else
        {
            column = _columns.Properties;
        }

        return new($"json_extract({column}, {_parameters.Add(JsonPointer(name))})", SqlType.Json, node);
    }

    private Fragment Unary(UnaryNode node)
    {
        var operand = Translate(node.Operand);
        if (node.Operator == UnaryOperator.Negate)
        {
            return new($"(-{AsNumber(operand)})", SqlType.Number, node);
        }

        // not: true for undefined, negation for booleans, undefined for anything else.
        var sql = operand.Type switch
        {
            SqlType.Boolean => $"(CASE WHEN {operand.Sql} IS NULL THEN true ELSE NOT {operand.Sql} END)",
            SqlType.Json => $"(CASE WHEN {operand.Sql} IS NULL OR json_type({operand.Sql}) = 'NULL' THEN true WHEN json_type({operand.Sql}) = 'BOOLEAN' THEN NOT CAST({operand.Sql} AS BOOLEAN) END)",
            SqlType.Null => "true",
            _ => $"(CASE WHEN {operand.Sql} IS NULL THEN true END)",
        };
        return new(sql, SqlType.Boolean, node);
    }

    private Fragment Binary(BinaryNode node)
    {
        if (node.Operator == BinaryOperator.In)
        {
            return In(node);
        }

        var left = Translate(node.Left);
        var right = Translate(node.Right);
        switch (node.Operator)
        {
            case BinaryOperator.And or BinaryOperator.Or:
                {
                    var op = node.Operator == BinaryOperator.And ? "AND" : "OR";
                    var what = node.Operator == BinaryOperator.And ? "'and'" : "'or'";
                    return new($"(coalesce({AsBoolean(left, what)}, false) {op} coalesce({AsBoolean(right, what)}, false))", SqlType.Boolean, node);
                }

            case BinaryOperator.Equal:
                return new(Equal(left, right), SqlType.Boolean, node);
            case BinaryOperator.NotEqual:
                return new($"(NOT {Equal(left, right)})", SqlType.Boolean, node);
            case BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual:
                return Compare(node, left, right);
            case BinaryOperator.Add when IsTextual(left, right):
                return new($"({AsString(left)} || {AsString(right)})", SqlType.String, node);
            case BinaryOperator.Add:
                return new($"({AsNumber(left)} + {AsNumber(right)})", SqlType.Number, node);
            case BinaryOperator.Subtract:
                return new($"({AsNumber(left)} - {AsNumber(right)})", SqlType.Number, node);
            case BinaryOperator.Multiply:
                return new($"({AsNumber(left)} * {AsNumber(right)})", SqlType.Number, node);
            case BinaryOperator.Divide:
                {
                    var divisor = AsNumber(right);
                    return new($"(CASE WHEN {divisor} = 0 THEN NULL ELSE {AsNumber(left)} / {divisor} END)", SqlType.Number, node);
                }

            case BinaryOperator.Modulo:
                {
                    var divisor = AsNumber(right);
                    return new($"(CASE WHEN {divisor} = 0 THEN NULL ELSE fmod({AsNumber(left)}, {divisor}) END)", SqlType.Number, node);
                }

            default:
                throw Error("Unsupported operator", node);
        }
    }

    private static bool IsTextual(Fragment left, Fragment right) =>
        (left.Type == SqlType.String && right.Type is SqlType.String or SqlType.Json)
        || (right.Type == SqlType.String && left.Type is SqlType.String or SqlType.Json);

    private Fragment Compare(BinaryNode node, Fragment left, Fragment right)
    {
        var op = node.Operator switch
        {
            BinaryOperator.Greater => ">",
            BinaryOperator.GreaterOrEqual => ">=",
            BinaryOperator.Less => "<",
            _ => "<=",
        };

        // Compare in the static type one side has; two properties compare as numbers.
        var type = left.Type != SqlType.Json ? left.Type : right.Type != SqlType.Json ? right.Type : SqlType.Number;
        if (left.Type == SqlType.Timestamp || right.Type == SqlType.Timestamp)
        {
            // Times compare with times, epoch seconds and ISO date strings.
            type = SqlType.Timestamp;
        }
        else if (left.Type != SqlType.Json && right.Type != SqlType.Json && left.Type != right.Type)
        {
            // Different static types: Mixpanel says undefined.
            return new("CAST(NULL AS BOOLEAN)", SqlType.Boolean, node);
        }

        var sql = type switch
        {
            SqlType.Number => $"({AsNumber(left)} {op} {AsNumber(right)})",
            SqlType.String => $"({AsString(left)} {op} {AsString(right)})",
            SqlType.Timestamp => $"({AsTimestamp(left)} {op} {AsTimestamp(right)})",
            _ => "CAST(NULL AS BOOLEAN)",
        };
        return new(sql, SqlType.Boolean, node);
    }

    private Fragment In(BinaryNode node)
    {
        var left = Translate(node.Left);
        if (node.Right is ListNode list)
        {
            if (list.Items.Count == 0)
            {
                return new("false", SqlType.Boolean, node);
            }

            var alternatives = list.Items.Select(item => Equal(left, Translate(item)));
            return new($"({string.Join(" OR ", alternatives)})", SqlType.Boolean, node);
        }

        var right = Translate(node.Right);
        switch (right.Type)
        {
            case SqlType.String:
                return new($"(strpos({right.Sql}, {AsString(left)}) > 0)", SqlType.Boolean, node);
            case SqlType.Json:
                {
                    var element = left.Type == SqlType.Number
                        ? $"list_contains(list_transform(CAST({right.Sql} AS JSON[]), x -> TRY_CAST(json_extract_string(x, '$') AS DOUBLE)), {AsNumber(left)})"
                        : $"list_contains(list_transform(CAST({right.Sql} AS JSON[]), x -> json_extract_string(x, '$')), {AsString(left)})";
                    var sql = $"(CASE json_type({right.Sql}) WHEN 'ARRAY' THEN {element} WHEN 'VARCHAR' THEN strpos(json_extract_string({right.Sql}, '$'), {AsString(left)}) > 0 END)";
                    return new(sql, SqlType.Boolean, node);
                }

            default:
                return new("CAST(NULL AS BOOLEAN)", SqlType.Boolean, node);
        }
    }

    private Fragment Call(CallNode node)
    {
        var argument = Translate(node.Argument);
        return node.Function switch
        {
            FunctionName.Defined => new(Defined(argument), SqlType.Boolean, node),
            FunctionName.Floor => new($"floor({AsNumber(argument)})", SqlType.Number, node),
            FunctionName.Ceil => new($"ceil({AsNumber(argument)})", SqlType.Number, node),
            FunctionName.Round => new($"round({AsNumber(argument)})", SqlType.Number, node),
            FunctionName.Number => new(CastToNumber(argument), SqlType.Number, node),
            FunctionName.String => new(AsText(argument), SqlType.String, node),
            FunctionName.Boolean => new(CastToBoolean(argument), SqlType.Boolean, node),
            FunctionName.Datetime => new(AsTimestamp(argument), SqlType.Timestamp, node),
            _ => throw Error("Unsupported function", node),
        };
    }

    private static string Defined(Fragment value) => value.Type switch
    {
        SqlType.Json => $"({value.Sql} IS NOT NULL AND json_type({value.Sql}) <> 'NULL')",
        SqlType.Null => "false",
        _ => $"({value.Sql} IS NOT NULL)",
    };

    // == always yields true or false: different types are unequal.
    private string Equal(Fragment left, Fragment right)
    {
        if (left.Type == SqlType.Json && right.Type == SqlType.Json)
        {
            return $"coalesce(CASE WHEN json_type({left.Sql}) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT') AND json_type({right.Sql}) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT') "
                + $"THEN CAST({left.Sql} AS DOUBLE) = CAST({right.Sql} AS DOUBLE) ELSE json_type({left.Sql}) = json_type({right.Sql}) AND CAST({left.Sql} AS VARCHAR) = CAST({right.Sql} AS VARCHAR) END, false)";
        }

        if (left.Type == SqlType.Json || right.Type == SqlType.Json)
        {
            var (json, other) = left.Type == SqlType.Json ? (left, right) : (right, left);
            return other.Type switch
            {
                SqlType.Null => $"coalesce(json_type({json.Sql}) = 'NULL', false)",
                SqlType.Number => $"coalesce({JsonNumber(json.Sql)} = {other.Sql}, false)",
                SqlType.String => $"coalesce({JsonString(json.Sql)} = {other.Sql}, false)",
                SqlType.Boolean => $"coalesce({JsonBoolean(json.Sql)} = {other.Sql}, false)",
                SqlType.Timestamp => $"coalesce({AsTimestamp(json)} = {other.Sql}, false)",
                _ => "false",
            };
        }

        if (left.Type == SqlType.Null || right.Type == SqlType.Null)
        {
            return left.Type == right.Type ? "true" : "false";
        }

        return left.Type == right.Type ? $"coalesce({left.Sql} = {right.Sql}, false)" : "false";
    }

    private string AsBoolean(Fragment value, string where) => value.Type switch
    {
        SqlType.Boolean => value.Sql,
        SqlType.Json => JsonBoolean(value.Sql),
        SqlType.Null => "CAST(NULL AS BOOLEAN)",
        _ => throw Error($"{Capitalise(where)} needs true/false values, but this is a {Describe(value.Type)}; compare it (==, >, in) or wrap it in defined(...) or boolean(...)", value.Node),
    };

    private string AsNumber(Fragment value) => value.Type switch
    {
        SqlType.Number => value.Sql,
        SqlType.Json => JsonNumber(value.Sql),
        SqlType.Timestamp => $"(epoch_us({value.Sql}) / 1000000.0)",
        _ => "CAST(NULL AS DOUBLE)",
    };

    private string AsString(Fragment value) => value.Type switch
    {
        SqlType.String => value.Sql,
        SqlType.Json => JsonString(value.Sql),
        _ => "CAST(NULL AS VARCHAR)",
    };

    // The text a value shows as: strings as they are, numbers in plain decimal, booleans as true/false.
    private string AsText(Fragment value) => value.Type switch
    {
        SqlType.String => value.Sql,
        SqlType.Number => NumberText(value.Sql),
        SqlType.Boolean => $"(CASE WHEN {value.Sql} THEN 'true' WHEN NOT {value.Sql} THEN 'false' END)",
        SqlType.Timestamp => $"strftime({value.Sql}, '%Y-%m-%dT%H:%M:%S')",
        SqlType.Json => $"(CASE json_type({value.Sql}) WHEN 'VARCHAR' THEN json_extract_string({value.Sql}, '$') WHEN 'NULL' THEN 'null' "
            + $"WHEN 'DOUBLE' THEN {NumberText($"CAST({value.Sql} AS DOUBLE)")} ELSE CAST({value.Sql} AS VARCHAR) END)",
        _ => "CAST(NULL AS VARCHAR)",
    };

    private string AsTimestamp(Fragment value) => value.Type switch
    {
        SqlType.Timestamp => value.Sql,
        SqlType.Number => $"make_timestamp(CAST(({value.Sql}) * 1000000 AS BIGINT))",
        SqlType.String => $"TRY_CAST({value.Sql} AS TIMESTAMP)",
        SqlType.Json => $"(CASE WHEN json_type({value.Sql}) = 'VARCHAR' THEN TRY_CAST(json_extract_string({value.Sql}, '$') AS TIMESTAMP) "
            + $"WHEN json_type({value.Sql}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN make_timestamp(CAST(CAST({value.Sql} AS DOUBLE) * 1000000 AS BIGINT)) END)",
        _ => "CAST(NULL AS TIMESTAMP)",
    };

    private string CastToNumber(Fragment value) => value.Type switch
    {
        SqlType.Number => value.Sql,
        SqlType.String => $"TRY_CAST({value.Sql} AS DOUBLE)",
        SqlType.Boolean => $"(CASE WHEN {value.Sql} THEN 1.0 WHEN NOT {value.Sql} THEN 0.0 END)",
        SqlType.Timestamp => AsNumber(value),
        SqlType.Json => $"(CASE json_type({value.Sql}) WHEN 'VARCHAR' THEN TRY_CAST(json_extract_string({value.Sql}, '$') AS DOUBLE) "
            + $"WHEN 'BOOLEAN' THEN (CASE WHEN CAST({value.Sql} AS BOOLEAN) THEN 1.0 ELSE 0.0 END) ELSE {JsonNumber(value.Sql)} END)",
        _ => "CAST(NULL AS DOUBLE)",
    };

    private string CastToBoolean(Fragment value) => value.Type switch
    {
        SqlType.Boolean => value.Sql,
        SqlType.Number => $"({value.Sql} <> 0)",
        SqlType.String => StringToBoolean(value.Sql),
        SqlType.Json => $"(CASE json_type({value.Sql}) WHEN 'BOOLEAN' THEN CAST({value.Sql} AS BOOLEAN) WHEN 'VARCHAR' THEN {StringToBoolean($"json_extract_string({value.Sql}, '$')")} "
            + $"WHEN 'NULL' THEN NULL ELSE {JsonNumber(value.Sql)} <> 0 END)",
        _ => "CAST(NULL AS BOOLEAN)",
    };

    private static string StringToBoolean(string sql) => $"(CASE lower({sql}) WHEN 'true' THEN true WHEN 'false' THEN false WHEN '' THEN false ELSE true END)";

    private static string NumberText(string sql) =>
        $"(CASE WHEN {sql} = trunc({sql}) AND abs({sql}) < 1e15 THEN CAST(CAST({sql} AS BIGINT) AS VARCHAR) ELSE CAST({sql} AS VARCHAR) END)";

    private static string JsonNumber(string json) =>
        $"(CASE WHEN json_type({json}) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT') THEN CAST({json} AS DOUBLE) END)";

    private static string JsonString(string json) => $"(CASE WHEN json_type({json}) = 'VARCHAR' THEN json_extract_string({json}, '$') END)";

    private static string JsonBoolean(string json) => $"(CASE WHEN json_type({json}) = 'BOOLEAN' THEN CAST({json} AS BOOLEAN) END)";

    /// <summary>A JSON Pointer (RFC 6901) to a top-level key: no quoting problems whatever the name holds.</summary>
    internal static string JsonPointer(string name) => "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Describe(SqlType type) => type switch
    {
        SqlType.Number => "number",
        SqlType.String => "string",
        SqlType.Timestamp => "datetime",
        SqlType.List => "list",
        _ => "value",
    };

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private ExpressionException Error(string problem, Node at) => new(problem, _text, Math.Min(at.Position, _text.Length));
}
