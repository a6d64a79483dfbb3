using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Emulation;

/// <summary>
/// A request as the emulator sees it: the route below the API family's base, and the parameters merged as
/// Mixpanel merges them (URL query, then the body over it: JSON object first, else form-urlencoded).
/// </summary>
internal sealed class EmulatorRequest
{
    private readonly Dictionary<string, string> _parameters;

    private EmulatorRequest(HttpMethod method, Uri uri, string route, Dictionary<string, string> parameters, string? authorization, string? acceptEncoding)
    {
        Method = method;
        Uri = uri;
        Route = route;
        _parameters = parameters;
        Authorization = authorization;
        AcceptsGzip = acceptEncoding?.Contains("gzip", StringComparison.OrdinalIgnoreCase) == true;
    }

    public HttpMethod Method { get; }

    public Uri Uri { get; }

    /// <summary>The path below <c>/api/query</c>, <c>/api/2.0</c> or <c>/api/app</c>, without slashes at either end.</summary>
    public string Route { get; }

    public string? Authorization { get; }

    public bool AcceptsGzip { get; }

    /// <summary>The path and query as Mixpanel echoes it in <c>request</c>.</summary>
    public string Echo => Uri.PathAndQuery;

    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    public static async Task<EmulatorRequest> ReadAsync(HttpRequestMessage message, string route, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in ParseForm(message.RequestUri!.Query.TrimStart('?')))
        {
            parameters[key] = value;
        }

        if (message.Content is not null)
        {
            var body = await message.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (key, value) in ParseBody(body))
            {
                parameters[key] = value;
            }
        }

        var authorization = message.Headers.Authorization?.ToString();
        var encoding = message.Headers.AcceptEncoding.Count == 0 ? null : string.Join(",", message.Headers.AcceptEncoding.Select(e => e.Value));
        return new EmulatorRequest(message.Method, message.RequestUri!, route, parameters, authorization, encoding);
    }

    public string? Optional(string name) =>
        _parameters.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public string Required(string name) =>
        Optional(name) ?? throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} is a required parameter");

    public int Integer(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Optional(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} must be an integer");
        }

        if (value < min || value > max)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} must be between {min} and {max}");
        }

        return value;
    }

    public bool Boolean(string name, bool fallback) => Optional(name)?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} must be true or false"),
    };

    /// <summary>A <c>yyyy-mm-dd</c> date, validated as Mixpanel does.</summary>
    public DateOnly Date(string name)
    {
        var text = Required(name);
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"Error in {name}: invalid date, expected yyyy-mm-dd");
        }

        if (date.Year < 2000)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"Error in {name}: invalid date, bad year");
        }

        return date;
    }

    /// <summary>A JSON array of strings given as text, e.g. <c>["a","b"]</c>.</summary>
    public IReadOnlyList<string>? StringArray(string name)
    {
        var text = Optional(name);
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} must be a JSON array");
            }

            return [.. document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())];
        }
        catch (JsonException)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} is not valid JSON");
        }
    }

    public JsonElement? JsonValue(string name)
    {
        var text = Optional(name);
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} is not valid JSON");
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> ParseBody(string body)
    {
        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            JsonDocument? document = null;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                document = null;
            }

            if (document is not null)
            {
                using (document)
                {
                    return [.. document.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, string>(
                        p.Name,
                        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))];
                }
            }
        }

        return ParseForm(body);
    }

    private static IEnumerable<KeyValuePair<string, string>> ParseForm(string text)
    {
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
            yield return new KeyValuePair<string, string>(key, value);
        }
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}

/// <summary>An error the emulator answers with Mixpanel's status and body.</summary>
internal sealed class EmulatorError(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
