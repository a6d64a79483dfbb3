using System.Buffers;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Api;

/// <summary>
/// A list of strings that Mixpanel wants as one parameter holding a JSON array (<c>event</c> of <c>/events</c> and
/// <c>/export</c>, <c>values</c>, <c>distinct_ids</c>, <c>output_properties</c>). An Api interface takes it as a
/// parameter or form field and Refit writes its text, so area clients hand over the names and never format them.
/// </summary>
internal sealed class JsonStringArray : IFormattable
{
    private readonly string _json;

    public JsonStringArray(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
        _json = Write(values);
    }

    /// <summary>The strings, in order.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>The array for a list, or <see langword="null"/> (the parameter is not sent) for none.</summary>
    public static JsonStringArray? From(IReadOnlyList<string>? values) => values is null ? null : new JsonStringArray(values);

    /// <summary>The JSON text, e.g. <c>["Signed up","Purchase"]</c>.</summary>
    public override string ToString() => _json;

    /// <inheritdoc cref="ToString()"/>
    public string ToString(string? format, IFormatProvider? formatProvider) => _json;

    private static string Write(IReadOnlyList<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
