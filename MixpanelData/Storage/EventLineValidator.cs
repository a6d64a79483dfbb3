using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace MixpanelData.Storage;

/// <summary>
/// The columns of one export event, as the events table stores them. The texts are UTF-8 bytes, mostly slices of the
/// line itself (a string with JSON escapes is unescaped into its own small array), so they reach DuckDB without being
/// turned into .NET strings and back.
/// </summary>
internal readonly ref struct EventLine
{
    public EventLine(ReadOnlySpan<byte> eventName, DateTime time, Utf8Text distinctId, Utf8Text insertId, ReadOnlySpan<byte> properties)
    {
        EventName = eventName;
        Time = time;
        DistinctId = distinctId;
        InsertId = insertId;
        Properties = properties;
    }

    /// <summary>The <c>event</c> string.</summary>
    public ReadOnlySpan<byte> EventName { get; }

    /// <summary>UTC time from <c>properties.time</c> (epoch seconds), to the microsecond.</summary>
    public DateTime Time { get; }

    /// <summary>The <c>properties.distinct_id</c> (numbers as their text), or none.</summary>
    public Utf8Text DistinctId { get; }

    /// <summary>The <c>properties.$insert_id</c> (numbers as their text), or none.</summary>
    public Utf8Text InsertId { get; }

    /// <summary>The <c>properties</c> object, byte for byte as Mixpanel sent it.</summary>
    public ReadOnlySpan<byte> Properties { get; }
}

/// <summary>A UTF-8 text that may be absent (SQL NULL).</summary>
internal readonly ref struct Utf8Text
{
    public Utf8Text(ReadOnlySpan<byte> value)
    {
        Value = value;
        HasValue = true;
    }

    /// <summary>Whether there is a text (an empty one included).</summary>
    public bool HasValue { get; }

    /// <summary>The text's bytes; empty when there is none.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>The text as a .NET string, or null.</summary>
    public override string? ToString() => HasValue ? Encoding.UTF8.GetString(Value) : null;
}

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
            ReadOnlySpan<byte> eventName = default;
            Utf8Text distinctId = default, insertId = default;
            double time = 0;
            bool hasEvent = false, hasTime = false, hasProperties = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(EventKey))
                {
                    reader.Read();
                    hasEvent = reader.TokenType == JsonTokenType.String;
                    eventName = hasEvent ? Text(ref reader, line).Value : default;
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
                columns = new EventLine(eventName, DateTime.UnixEpoch.AddTicks(micros * 10), distinctId, insertId, line[properties]);
            }
            return reason;
        }
        catch (JsonException error)
        {
            // The reader's own message is .NET's wording; the position is what a user can act on.
            return error.BytePositionInLine is { } at
                ? $"not valid JSON (at byte {at.ToString(System.Globalization.CultureInfo.InvariantCulture)} of the line)"
                : "not valid JSON";
        }
    }

    // DateTime's range (years 1-9999) in epoch seconds, a little inside it.
    private const double MinSeconds = -62_135_596_000;
    private const double MaxSeconds = 253_402_300_000;

    // A string token's value (unescaped), or a number token's text (ids become strings whatever Mixpanel sent), as UTF-8.
    private static Utf8Text Text(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return new Utf8Text(line[(int)reader.TokenStartIndex..(int)reader.BytesConsumed]);
        }
        if (!reader.ValueIsEscaped)
        {
            // Between the quotes; the reader reads this very line, so its offsets are the line's.
            return new Utf8Text(line[((int)reader.TokenStartIndex + 1)..((int)reader.BytesConsumed - 1)]);
        }
        var unescaped = new byte[reader.ValueSpan.Length];
        return new Utf8Text(unescaped.AsSpan(0, reader.CopyString(unescaped)));
    }
}
