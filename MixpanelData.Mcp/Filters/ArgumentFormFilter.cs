using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// Accepts arguments in the forms models send them, for every tool, by reading each tool's input schema before the
/// SDK binds the arguments: a number where a string id is expected becomes that string, a numeric string where a
/// number is expected becomes the number, "true"/"false" become booleans, and an ISO date-time at midnight
/// ("2026-11-03T00:00:00Z") becomes the day where a YYYY-MM-DD date is expected. A value that still does not fit is
/// answered with a tool error naming the parameter, the expected type and what was sent, instead of the binder's text.
/// </summary>
internal static partial class ArgumentFormFilter
{
    public static McpRequestFilter<CallToolRequestParams, CallToolResult> Create() => next => (context, cancellationToken) =>
    {
        if (context.MatchedPrimitive is McpServerTool tool && context.Params?.Arguments is { Count: > 0 } arguments
            && tool.ProtocolTool.InputSchema.ValueKind == JsonValueKind.Object
            && tool.ProtocolTool.InputSchema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in arguments.Keys.ToList())
            {
                if (!properties.TryGetProperty(name, out var schema))
                {
                    continue;
                }

                if (arguments[name].ValueKind == JsonValueKind.Null)
                {
                    // Models often send null for a parameter they mean to leave out: an optional one is omitted, a
                    // required one is named.
                    if (IsRequired(tool.ProtocolTool.InputSchema, name))
                    {
                        return ValueTask.FromResult(ToolErrorFilter.Error($"Argument '{name}' is required, but null was given."));
                    }

                    arguments.Remove(name);
                    continue;
                }

                var normalised = Normalise(arguments[name], schema, name, out var problem);
                if (problem is not null)
                {
                    return ValueTask.FromResult(ToolErrorFilter.Error(problem));
                }

                arguments[name] = normalised;
            }
        }

        return next(context, cancellationToken);
    };

    private static JsonElement Normalise(JsonElement value, JsonElement schema, string name, out string? problem)
    {
        problem = null;
        var types = Types(schema);
        if (types.Count == 0 || value.ValueKind == JsonValueKind.Null && types.Contains("null"))
        {
            return value;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String when types.Contains("string"):
                return IsDate(schema, name) && MidnightDateTime().Match(value.GetString()!) is { Success: true } day ? Element(day.Groups[1].Value) : value;
            case JsonValueKind.Number when types.Contains("number") || types.Contains("integer") && value.TryGetInt64(out _):
            case JsonValueKind.True or JsonValueKind.False when types.Contains("boolean"):
            case JsonValueKind.Object when types.Contains("object"):
                return value;
            case JsonValueKind.Number when types.Contains("integer") && value.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15:
                return Element((long)d);
            case JsonValueKind.Number when types.Contains("string"):
                return Element(value.GetRawText());
            case JsonValueKind.String when types.Contains("integer") && long.TryParse(value.GetString()!.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                return Element(whole);
            case JsonValueKind.String when types.Contains("number") && double.TryParse(value.GetString()!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                return Element(number);
            case JsonValueKind.String when types.Contains("boolean") && bool.TryParse(value.GetString()!.Trim(), out var flag):
                return Element(flag);
            case JsonValueKind.Array when types.Contains("array"):
                if (!schema.TryGetProperty("items", out var items))
                {
                    return value;
                }

                var elements = new List<JsonElement>();
                foreach (var item in value.EnumerateArray())
                {
                    elements.Add(Normalise(item, items, $"{name}[{elements.Count}]", out problem));
                    if (problem is not null)
                    {
                        return value;
                    }
                }

                return JsonSerializer.SerializeToElement(elements);
            case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False when types.Contains("array"):
                // A lone value where a list is expected: the list of that one value.
                var single = Normalise(value, schema.TryGetProperty("items", out var itemSchema) ? itemSchema : default, name, out problem);
                return problem is null ? JsonSerializer.SerializeToElement(new[] { single }) : value;
        }

        problem = $"Argument '{name}' must be {Expected(types, schema, name)}, but {Sent(value)} was given.";
        return value;
    }

    private static bool IsRequired(JsonElement inputSchema, string name) =>
        inputSchema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
        && required.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.String && r.GetString() == name);

    private static HashSet<string> Types(JsonElement schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
        {
            return types;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            types.Add(type.GetString()!);
        }
        else if (type.ValueKind == JsonValueKind.Array)
        {
            types.UnionWith(type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!));
        }

        return types;
    }

    private static bool IsDate(JsonElement schema, string name) =>
        name.EndsWith("date", StringComparison.Ordinal)
        || schema.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String && description.GetString()!.Contains("YYYY-MM-DD", StringComparison.Ordinal);

    private static string Expected(HashSet<string> types, JsonElement schema, string name)
    {
        var words = types.Where(t => t != "null").Select(t => t switch
        {
            "string" when IsDate(schema, name) => "a date YYYY-MM-DD",
            "string" => "a string",
            "integer" => "a whole number",
            "number" => "a number",
            "boolean" => "true or false",
            "array" => "a list",
            "object" => "an object",
            _ => t,
        }).ToList();
        return words.Count == 0 ? "null" : string.Join(" or ", words) + (types.Contains("null") ? " (or omitted)" : string.Empty);
    }

    private static string Sent(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the text \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Truncate(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";

    private static JsonElement Element<T>(T value) => JsonSerializer.SerializeToElement(value);

    [GeneratedRegex(@"^\s*(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex MidnightDateTime();
}
