using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MixpanelData.ToolDocs;

/// <summary>
/// Shortens a tool's real text content for the docs: JSON lines are laid out readably with arrays cut to their first
/// few items, nested objects to their first few properties and long strings cut, each cut marked with "…"; the whole
/// is then cut to a few dozen lines.
/// Nothing is invented: every value shown is one the server returned.
/// </summary>
internal static class ResultAbbreviator
{
    private const int MaxItems = 3;
    private const int MaxKeys = 8;
    private const int MaxString = 100;
    private const int InlineWidth = 96;
    private const int MaxLines = 30;

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Abbreviate(string text)
    {
        var lines = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimStart();
            JsonNode? node = null;
            if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
            {
                try
                {
                    node = JsonNode.Parse(trimmed);
                }
                catch (JsonException)
                {
                }
            }

            if (node is null)
            {
                lines.Add(line.Length > 400 ? line[..400] + "…" : line);
                continue;
            }

            var builder = new StringBuilder();
            Write(builder, Shorten(node, 0), 0);
            lines.AddRange(builder.ToString().Split('\n'));
        }

        if (lines.Count > MaxLines)
        {
            lines = [.. lines.Take(MaxLines), "…"];
        }

        return string.Join('\n', lines);
    }

    private static JsonNode? Shorten(JsonNode? node, int depth)
    {
        switch (node)
        {
            case JsonArray array:
                var shortened = new JsonArray();
                foreach (var item in array.Take(MaxItems))
                {
                    shortened.Add(Shorten(item?.DeepClone(), depth + 1));
                }

                if (array.Count > MaxItems)
                {
                    shortened.Add(JsonValue.Create($"… {array.Count - MaxItems} more"));
                }

                return shortened;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj.Take(depth == 0 ? int.MaxValue : MaxKeys))
                {
                    copy[key] = Shorten(value?.DeepClone(), depth + 1);
                }

                if (depth > 0 && obj.Count > MaxKeys)
                {
                    copy["…"] = $"{obj.Count - MaxKeys} more";
                }

                return copy;
            case JsonValue value when value.TryGetValue<string>(out var text) && text.Length > MaxString:
                return JsonValue.Create(text[..MaxString] + "…");
            default:
                return node?.DeepClone();
        }
    }

    private static void Write(StringBuilder output, JsonNode? node, int indent)
    {
        var inline = node?.ToJsonString(Compact) ?? "null";
        if (node is not (JsonObject or JsonArray) || inline.Length + indent <= InlineWidth)
        {
            output.Append(inline);
            return;
        }

        var pad = new string(' ', indent + 2);
        if (node is JsonObject obj)
        {
            output.Append("{\n");
            var i = 0;
            foreach (var (key, value) in obj)
            {
                output.Append(pad).Append(JsonSerializer.Serialize(key, Compact)).Append(": ");
                Write(output, value, indent + 2);
                output.Append(++i < obj.Count ? ",\n" : "\n");
            }

            output.Append(' ', indent).Append('}');
            return;
        }

        var array = (JsonArray)node;
        output.Append("[\n");
        for (var j = 0; j < array.Count; j++)
        {
            output.Append(pad);
            Write(output, array[j], indent + 2);
            output.Append(j + 1 < array.Count ? ",\n" : "\n");
        }

        output.Append(' ', indent).Append(']');
    }
}
