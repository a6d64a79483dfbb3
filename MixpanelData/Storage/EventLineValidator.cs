using System.Text.Json;
using System.Text.Unicode;

namespace MixpanelData.Storage;

/// <summary>
/// Checks one line of Mixpanel export JSONL before it is spooled for DuckDB: valid UTF-8, a single
/// JSON object with a string <c>event</c> and a <c>properties</c> object whose <c>time</c> is a number.
/// A line DuckDB could not load never reaches the spool, so one bad line cannot fail a whole load,
/// and every refused line is counted with its reason.
/// </summary>
internal static class EventLineValidator
{
    private static ReadOnlySpan<byte> EventKey => "event"u8;
    private static ReadOnlySpan<byte> PropertiesKey => "properties"u8;
    private static ReadOnlySpan<byte> TimeKey => "time"u8;

    /// <summary>Null when the line is a loadable event; otherwise why not.</summary>
    public static string? Check(ReadOnlySpan<byte> line)
    {
        if (!Utf8.IsValid(line))
        {
            return "not valid UTF-8";
        }
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "not a JSON object";
            }
            var hasEvent = false;
            var hasTime = false;
            var hasProperties = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(EventKey))
                {
                    reader.Read();
                    hasEvent = reader.TokenType == JsonTokenType.String;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals(PropertiesKey))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return "\"properties\" is not an object";
                    }
                    hasProperties = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isTime = reader.ValueTextEquals(TimeKey);
                        reader.Read();
                        if (isTime)
                        {
                            hasTime = reader.TokenType == JsonTokenType.Number;
                        }
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return "not valid JSON: unexpected content after the object";
            }
            return !hasEvent ? "missing string \"event\""
                : !hasProperties ? "missing \"properties\" object"
                : !hasTime ? "missing numeric \"properties.time\""
                : null;
        }
        catch (JsonException error)
        {
            return "not valid JSON: " + error.Message;
        }
    }
}
