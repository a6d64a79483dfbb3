using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Emulation;

/// <summary>Builds the emulator's responses: JSON written with <see cref="Utf8JsonWriter"/>, plain text, errors.</summary>
internal static class EmulatorJson
{
    public static HttpResponseMessage Json(Action<Utf8JsonWriter> write, HttpStatusCode status = HttpStatusCode.OK)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpResponseMessage(status) { Content = content };
    }

    public static HttpResponseMessage Text(string text, HttpStatusCode status)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        return new HttpResponseMessage(status) { Content = content };
    }

    /// <summary>Mixpanel's Query API error body: <c>{"request": …, "error": …}</c>.</summary>
    public static HttpResponseMessage QueryError(HttpStatusCode status, string echo, string message) => Json(
        w =>
        {
            w.WriteStartObject();
            w.WriteString("request", echo);
            w.WriteString("error", message);
            w.WriteEndObject();
        },
        status);

    /// <summary>The App API error body: <c>{"status": "error", "error": …}</c>.</summary>
    public static HttpResponseMessage AppError(HttpStatusCode status, string message) => Json(
        w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "error");
            w.WriteString("error", message);
            w.WriteEndObject();
        },
        status);

    /// <summary>Writes a count as an integer when it is whole (Mixpanel's counts are integers; averages are not).</summary>
    public static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 9e15)
        {
            writer.WriteNumber(name, (long)value);
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }

    public static void WriteNumberValue(Utf8JsonWriter writer, double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 9e15)
        {
            writer.WriteNumberValue((long)value);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    /// <summary>Writes raw JSON text (from the store) as a value, or <c>{}</c> when empty.</summary>
    public static void WriteRaw(Utf8JsonWriter writer, string? json)
    {
        writer.WriteRawValue(string.IsNullOrWhiteSpace(json) ? "{}" : json, skipInputValidation: false);
    }

    public static string Iso(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
