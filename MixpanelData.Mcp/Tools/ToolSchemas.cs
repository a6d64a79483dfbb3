using System.Text.Json;
using System.Text.Json.Nodes;

namespace MixpanelData.Mcp.Tools;

/// <summary>
/// Makes the SDK's generated input schemas compact for <c>tools/list</c>: an optional parameter comes out as
/// <c>"type":["string","null"],"default":null</c>, which says twice what its absence from <c>required</c> already says.
/// It becomes <c>"type":"string"</c>; real defaults, descriptions and everything else stay. The binder still accepts
/// an explicit null.
/// </summary>
internal static class ToolSchemas
{
    public static JsonElement Compact(JsonElement schema)
    {
        if (JsonSerializer.SerializeToNode(schema) is not JsonObject root)
        {
            return schema;
        }

        Compact(root);
        return JsonSerializer.SerializeToElement(root);
    }

    private static void Compact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["type"] is JsonArray { Count: 2 } types
                    && types.Count(t => t?.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == "null") == 1)
                {
                    obj["type"] = types.First(t => t!.GetValue<string>() != "null")!.DeepClone();
                }

                if (obj.TryGetPropertyValue("default", out var value) && value is null)
                {
                    obj.Remove("default");
                }

                foreach (var (_, child) in obj.ToList())
                {
                    Compact(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Compact(child);
                }

                break;
        }
    }
}
