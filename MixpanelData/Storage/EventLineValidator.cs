using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace MixpanelData.Storage;

/// <summary>The columns of one export event, as the events table stores them.</summary>
/// <param name="EventName">The <c>event</c> string.</param>
/// <param name="Time">UTC time from <c>properties.time</c> (epoch seconds), to the microsecond.</param>
/// <param name="DistinctId">The <c>properties.distinct_id</c> (numbers as their text), or null.</param>
/// <param name="InsertId">The <c>properties.$insert_id</c> (numbers as their text), or null.</param>
/// <param name="Properties">The <c>properties</c> object, byte for byte as Mixpanel sent it.</param>
internal readonly record struct EventLine(string EventName, DateTime Time, string? DistinctId, string? InsertId, string Properties);

/// <summary>
/// Checks one line of Mixpanel export JSONL and reads its columns in the same pass.
/// <para>
/// Check: valid UTF-8, a single JSON object with a string <c>event</c> and a <c>properties</c> object whose
/// <c>time</c> is a number in DuckDB's timestamp range. A line that could not be loaded never reaches DuckDB,
/// so one bad line cannot fail a whole load, and every refused line is counted with its reason.
/// </para>
/// <para>
/// Read: the event name, time, <c>distinct_id</c> and <c>$insert_id</c> come out of this one parse, and the
/// properties object is kept whole, so DuckDB receives typed columns through the appender and never parses
/// a line again.
/// </para>
/// </summary>
internal static class EventLineValidator
{
    private static ReadOnlySpan<byte> EventKey => "event"u8;
    private static ReadOnlySpan<byte> PropertiesKey => "properties"u8;
    private static ReadOnlySpan<byte> TimeKey => "time"u8;
    private static ReadOnlySpan<byte> DistinctIdKey => "distinct_id"u8;
    private static ReadOnlySpan<byte> InsertIdKey => "$insert_id"u8;

    /// <summary>Null when the line is a loadable event; otherwise why not.</summary>
    public static string? Check(ReadOnlySpan<byte> line) => Read(line, out _);

    /// <summary>Checks <paramref name="line"/>; when it is loadable (null returned), <paramref name="columns"/> holds its columns.</summary>
    public static string? Read(ReadOnlySpan<byte> line, out EventLine columns)
    {
        columns = default;
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
            Range properties = default;
            string? eventName = null, distinctId = null, insertId = null;
            double time = 0;
            bool hasEvent = false, hasTime = false, hasProperties = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(EventKey))
                {
                    reader.Read();
                    hasEvent = reader.TokenType == JsonTokenType.String;
                    eventName = hasEvent ? reader.GetString() : null;
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
                    var start = (int)reader.TokenStartIndex;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var key = reader.ValueTextEquals(TimeKey) ? 1 : reader.ValueTextEquals(DistinctIdKey) ? 2 : reader.ValueTextEquals(InsertIdKey) ? 3 : 0;
                        reader.Read();
                        switch (key)
                        {
                            case 1:
                                hasTime = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out time);
                                break;
                            case 2 when reader.TokenType is JsonTokenType.String or JsonTokenType.Number:
                                distinctId = Text(ref reader, line);
                                break;
                            case 3 when reader.TokenType is JsonTokenType.String or JsonTokenType.Number:
                                insertId = Text(ref reader, line);
                                break;
                        }
                        reader.Skip();
                    }
                    properties = start..(int)reader.BytesConsumed;
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
            var reason = !hasEvent ? "missing string \"event\""
                : !hasProperties ? "missing \"properties\" object"
                : !hasTime ? "missing numeric \"properties.time\""
                : !(time is > MinSeconds and < MaxSeconds) ? "\"properties.time\" is out of range"
                : null;
            if (reason is null)
            {
                var micros = (long)Math.Round(time * 1_000_000);
                columns = new EventLine(eventName!, DateTime.UnixEpoch.AddTicks(micros * 10), distinctId, insertId, Encoding.UTF8.GetString(line[properties]));
            }
            return reason;
        }
        catch (JsonException error)
        {
            return "not valid JSON: " + error.Message;
        }
    }

    // DateTime's range (years 1-9999) in epoch seconds, a little inside it.
    private const double MinSeconds = -62_135_596_000;
    private const double MaxSeconds = 253_402_300_000;

    // A string token's value, or a number token's text (ids become strings whatever Mixpanel sent).
    private static string Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> line) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(line[(int)reader.TokenStartIndex..(int)reader.BytesConsumed]);
}
