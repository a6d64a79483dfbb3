using System.Globalization;
using System.Text.Json;


namespace MixpanelData.Api;

/// <summary>
/// Tolerant reading of Mixpanel's JSON answers: missing or extra fields are fine, numbers may come as
/// strings and flags as 0/1, and a shape that cannot be read becomes an <see cref="InvalidResponseException"/>
/// that names the path and shows an excerpt of the body.
/// </summary>
internal static class ApiJson
{
    /// <summary>Throws (as a shape error) unless <paramref name="element"/> is of <paramref name="kind"/>.</summary>
    public static JsonElement Expect(JsonElement element, JsonValueKind kind, string what) =>
        element.ValueKind == kind ? element : throw new FormatException($"expected {what} to be a JSON {kind.ToString().ToLowerInvariant()}, found {element.ValueKind.ToString().ToLowerInvariant()}");

    public static JsonElement? Property(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A string property; numbers and booleans are given as their JSON text.</summary>
    public static string? String(JsonElement obj, string name) => Property(obj, name) is { } value ? Text(value) : null;

    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => string.Empty,
        _ => value.GetRawText(),
    };

    public static long? Long(JsonElement obj, string name) => Property(obj, name) is { } value ? Long(value) : null;

    public static long? Long(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var l) => l,
        JsonValueKind.Number => (long)Math.Round(value.GetDouble()),
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    public static double? Double(JsonElement obj, string name) => Property(obj, name) is { } value ? Double(value) : null;

    public static double? Double(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>A flag given as <c>true</c>/<c>false</c>, <c>0</c>/<c>1</c> or their strings.</summary>
    public static bool? Bool(JsonElement obj, string name) => Property(obj, name) is { } value
        ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.GetDouble() != 0,
            JsonValueKind.String => value.GetString() is "1" or "true" or "True",
            _ => null,
        }
        : null;

    /// <summary>A time as Mixpanel writes it: ISO 8601 with or without offset (no offset = UTC), or <c>yyyy-mm-dd HH:MM:SS</c>.</summary>
    public static DateTimeOffset? Time(JsonElement obj, string name) => String(obj, name) is { } text ? ParseTime(text) : null;

    public static DateTimeOffset? ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time) ? time : null;

    /// <summary>The properties of <paramref name="obj"/> not named in <paramref name="known"/>, cloned.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Extra(JsonElement obj, params string[] known)
    {
        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in obj.EnumerateObject())
            {
                if (Array.IndexOf(known, property.Name) < 0)
                {
                    extra[property.Name] = property.Value.Clone();
                }
            }
        }

        return extra;
    }
}
