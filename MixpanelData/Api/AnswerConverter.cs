using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixpanelData.Api;

/// <summary>
/// Reads one answer record from Mixpanel's JSON with the tolerant rules of <see cref="ApiJson"/> (extra fields ignored,
/// numbers as strings, flags as 0/1). A shape that cannot be read is a <see cref="JsonException"/> naming what was
/// wrong, which the Api layer turns into <see cref="InvalidResponseException"/>. Answers are only read, never written.
/// </summary>
internal abstract class AnswerConverter<T> : JsonConverter<T>
{
    public sealed override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            return Parse(document.RootElement);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            throw new JsonException(ex.Message, ex);
        }
    }

    public sealed override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        throw new NotSupportedException($"{typeof(T).Name} is read from Mixpanel, never sent.");

    /// <summary>Reads the answer; the element is only valid during the call (clone what is kept).</summary>
    protected abstract T Parse(JsonElement root);
}
