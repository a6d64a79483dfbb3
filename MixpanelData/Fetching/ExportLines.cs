using System.Text;
using System.Text.Json;

namespace MixpanelData.Fetching;

/// <summary>Hashing and parsing of export JSONL lines (framed by <see cref="Storage.JsonLines"/>).</summary>
internal static class ExportLines
{
    /// <summary>The line without a trailing <c>\r</c>; empty when it is blank.</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return line.Trim((byte)' ');
    }

    public static bool IsTerminatedEarly(ReadOnlySpan<byte> line) => line.SequenceEqual("terminated early"u8);

    /// <summary>FNV-1a, 64 bits: identifies a line well enough to check that a re-sent day starts with the lines already handed out.</summary>
    public static ulong Hash(ReadOnlySpan<byte> line)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in line)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>Parses one export line; <see langword="null"/> with a reason when it is not an event.</summary>
    public static ExportEvent? Parse(ReadOnlySpan<byte> line, out string? reason)
    {
        reason = null;
        JsonElement root;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
            root = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            reason = "not valid JSON";
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            reason = "not a JSON object";
            return null;
        }

        if (!root.TryGetProperty("event", out var name) || name.ValueKind != JsonValueKind.String)
        {
            reason = "no string \"event\"";
            return null;
        }

        if (!root.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            reason = "no \"properties\" object";
            return null;
        }

        if (!properties.TryGetProperty("time", out var time) || !time.TryGetDouble(out var seconds) || !double.IsFinite(seconds)
            || Math.Abs(seconds) > 253_402_300_799)
        {
            reason = "no numeric \"properties.time\"";
            return null;
        }

        return new ExportEvent(
            name.GetString()!,
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)),
            Text(properties, "distinct_id"),
            Text(properties, "$insert_id"),
            properties);
    }

    public static string Excerpt(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]);

    private static string? Text(JsonElement properties, string key) =>
        properties.TryGetProperty(key, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
