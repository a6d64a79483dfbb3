using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MixpanelData.Mcp.Tools;

/// <summary>
/// The text rendering of a tool result, for clients that read <c>content</c> and ignore <c>structuredContent</c>: the
/// same values, written once and without JSON's per-row keys and quotes. Scalars are <c>key: value</c> lines, nested
/// objects are indented unless small enough for one line (<c>key: a=1, b=(c=2, d=3)</c>), arrays of flat objects become
/// a table (a header of column names, then one <c>a | b | c</c> line per row), arrays of scalars a comma-separated line,
/// other arrays one <c>- …</c> line per item where it fits. Nothing is dropped.
/// </summary>
internal static class ToolText
{
    public static string Render(JsonNode node)
    {
        var text = new StringBuilder();
        if (node is JsonObject { Count: 1 } wrapper && wrapper["result"] is { } only)
        {
            node = only;
        }

        Write(text, node, string.Empty);
        return text.ToString().TrimEnd('\n');
    }

    private static void Write(StringBuilder text, JsonNode? node, string indent)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    WriteMember(text, key, value, indent);
                }

                break;
            case JsonArray array:
                WriteArray(text, null, array, indent);
                break;
            default:
                text.Append(indent).Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteMember(StringBuilder text, string key, JsonNode? value, string indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                text.Append(indent).Append(key).Append(": {}\n");
                break;
            case JsonObject obj when IsInline(obj):
                text.Append(indent).Append(key).Append(": ").Append(Inline(obj)).Append('\n');
                break;
            case JsonObject obj:
                text.Append(indent).Append(key).Append(":\n");
                Write(text, obj, indent + "  ");
                break;
            case JsonArray array:
                WriteArray(text, key, array, indent);
                break;
            default:
                text.Append(indent).Append(key).Append(": ").Append(Scalar(value)).Append('\n');
                break;
        }
    }

    // Small enough for one line: scalars, scalar lists and objects of those, two levels deep at most.
    private static bool IsInline(JsonNode? node, int depth = 0) => node switch
    {
        null or JsonValue => true,
        JsonArray array => array.All(IsScalar),
        JsonObject obj => depth < 2 && obj.All(member => IsInline(member.Value, depth + 1)),
        _ => false,
    };

    private static string Inline(JsonNode? node) => node switch
    {
        JsonObject obj => string.Join(", ", obj.Select(member => member.Value is JsonObject inner
            ? $"{member.Key}=({Inline(inner)})"
            : $"{member.Key}={Inline(member.Value)}")),
        JsonArray array => "[" + string.Join(", ", array.Select(Scalar)) + "]",
        _ => Scalar(node),
    };

    private static void WriteArray(StringBuilder text, string? key, JsonArray array, string indent)
    {
        var label = key is null ? indent : indent + key + ": ";
        if (array.Count == 0)
        {
            text.Append(label).Append("[]\n");
        }
        else if (array.All(IsScalar))
        {
            text.Append(label).AppendJoin(", ", array.Select(Scalar)).Append('\n');
        }
        else if (array.Count > 1 && array.Select(Flatten).ToList() is var rows && rows.All(row => row is not null))
        {
            var columns = rows.SelectMany(row => row!.Select(cell => cell.Column)).Distinct(StringComparer.Ordinal).ToList();
            text.Append(key is null ? indent : indent + key + " ").Append('(').Append(array.Count).Append(" rows):\n");
            var rowIndent = indent + "  ";
            text.Append(rowIndent).AppendJoin(" | ", columns).Append('\n');
            foreach (var row in rows)
            {
                var cells = row!.ToDictionary(cell => cell.Column, cell => cell.Value, StringComparer.Ordinal);
                text.Append(rowIndent).AppendJoin(" | ", columns.Select(c => cells.GetValueOrDefault(c, string.Empty))).Append('\n');
            }
        }
        else if (array.All(item => item is JsonArray inner && inner.All(IsScalar)))
        {
            text.Append(key is null ? indent : indent + key).Append(":\n");
            foreach (JsonArray inner in array.Cast<JsonArray>())
            {
                text.Append(indent).Append("  ").AppendJoin(", ", inner.Select(Scalar)).Append('\n');
            }
        }
        else
        {
            text.Append(key is null ? indent : indent + key).Append(":\n");
            foreach (var item in array)
            {
                if (IsInline(item))
                {
                    text.Append(indent).Append("- ").Append(Inline(item)).Append('\n');
                }
                else
                {
                    text.Append(indent).Append("-\n");
                    Write(text, item, indent + "  ");
                }
            }
        }
    }

    private static bool IsScalar(JsonNode? node) => node is null or JsonValue;

    /// <summary>A row for a table: scalars, scalar lists (<c>a; b</c>) and flat objects (<c>change.actual</c>); null when deeper.</summary>
    private static List<(string Column, string Value)>? Flatten(JsonNode? item)
    {
        if (item is not JsonObject row)
        {
            return null;
        }

        var cells = new List<(string, string)>();
        foreach (var (name, value) in row)
        {
            switch (value)
            {
                case null or JsonValue:
                    cells.Add((name, value is null ? string.Empty : Scalar(value)));
                    break;
                case JsonArray list when list.All(IsScalar):
                    cells.Add((name, string.Join("; ", list.Select(Scalar))));
                    break;
                case JsonObject inner when inner.All(member => IsScalar(member.Value)):
                    cells.AddRange(inner.Select(member => ($"{name}.{member.Key}", member.Value is null ? string.Empty : Scalar(member.Value))));
                    break;
                default:
                    return null;
            }
        }

        return cells;
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => Plain(value.GetValue<string>()),
        _ => node.ToJsonString(ToolJson.Options),
    };

    // Strings go in bare; a line break inside one would break the layout, so it is written as \n.
    private static string Plain(string text) => text.Contains('\n', StringComparison.Ordinal) ? text.Replace("\n", "\\n", StringComparison.Ordinal) : text;
}
