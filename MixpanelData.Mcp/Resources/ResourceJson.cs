using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Mcp.Tools;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Mcp.Resources;

/// <summary>
/// Shapes resource contents: compact snake_case JSON (the same conventions as tool results). Lists are cut by whole
/// rows to the response budget and then say <c>truncated</c>, <c>total</c> and how to see the rest.
/// </summary>
internal static class ResourceJson
{
    public const string MimeType = "application/json";

    // Room kept for the fields around a cut list (total, truncated, hint, the query's echo).
    private const int EnvelopeBytes = 1_000;

    public static TextResourceContents Contents(string uri, JsonNode node) =>
        new() { Uri = uri, MimeType = MimeType, Text = node.ToJsonString(ToolJson.Options) };

    public static TextResourceContents Contents(string uri, object value) =>
        Contents(uri, JsonSerializer.SerializeToNode(value, value.GetType(), ToolJson.Options) ?? new JsonObject());

    /// <summary>
    /// Adds <paramref name="rows"/> under <paramref name="name"/> to <paramref name="target"/>, as many whole rows as fit the
    /// budget, with <c>total</c> and <c>truncated</c>; when rows were left out, <paramref name="hint"/> says where to get them.
    /// </summary>
    public static JsonObject AddRows(JsonObject target, string name, IReadOnlyCollection<object?> rows, int budgetBytes, string hint)
    {
        var (kept, cut) = ToolJson.Fit(rows, Math.Max(1_000, budgetBytes - EnvelopeBytes - Size(target)));
        target[name] = kept;
        target["total"] = rows.Count;
        target["truncated"] = cut;
        if (cut)
        {
            target["hint"] = $"Only {kept.Count} of {rows.Count} fit the response budget. {hint}";
        }

        return target;
    }

    private static int Size(JsonNode node) => System.Text.Encoding.UTF8.GetByteCount(node.ToJsonString(ToolJson.Options));
}
