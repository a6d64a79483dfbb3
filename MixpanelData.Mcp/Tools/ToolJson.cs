using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Mcp.Tools;

/// <summary>
/// Shapes tool results: structured content (snake_case JSON of the library's records) plus, for models that read text,
/// the summary and the same values rendered compactly (<see cref="ToolText"/>) rather than the JSON a second time. Results larger than the response budget are cut by whole rows, and say so.
/// </summary>
internal static class ToolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // The text goes to a model inside a JSON-RPC string, not into HTML: keep quotes, arrows and accents readable
        // (properties["$browser"], not properties[\u0022$browser\u0022]) and save the bytes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A result whose structured content is <paramref name="value"/> and whose text is <paramref name="summary"/> plus its values.</summary>
    public static CallToolResult Result(object value, string summary)
    {
        var node = JsonSerializer.SerializeToNode(value, value.GetType(), Options) ?? new JsonObject();
        return Result(node, summary);
    }

    public static CallToolResult Result(JsonNode node, string summary)
    {
        var structured = node is JsonObject ? node : new JsonObject { ["result"] = node };
        var json = structured.ToJsonString(Options);
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = summary + "\n" + ToolText.Render(structured) }],
            StructuredContent = JsonSerializer.Deserialize<JsonElement>(json),
        };
    }

    /// <summary>
    /// Keeps as many whole rows as fit in <paramref name="budgetBytes"/> (of serialized JSON) and reports
    /// <c>truncated</c>/<c>total</c>/<c>hint</c> when some were left out. Never cuts inside a value.
    /// </summary>
    public static (JsonArray Rows, bool Truncated) Fit(IEnumerable<object?> rows, int budgetBytes)
    {
        var kept = new JsonArray();
        var used = 2;
        foreach (var row in rows)
        {
            var node = JsonSerializer.SerializeToNode(row, Options);
            var size = node is null ? 4 : System.Text.Encoding.UTF8.GetByteCount(node.ToJsonString(Options)) + 1;
            if (used + size > budgetBytes)
            {
                return (kept, true);
            }

            kept.Add(node);
            used += size;
        }

        return (kept, false);
    }
}
