using System.Globalization;
using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>A user profile as <c>/engage</c> returns it: <c>$distinct_id</c> and <c>$properties</c>.</summary>
internal sealed record DemoProfile
{
    public required string DistinctId { get; init; }

    public required string Email { get; init; }

    public required string FirstName { get; init; }

    public required string LastName { get; init; }

    public string Name => $"{FirstName} {LastName}";

    /// <summary>Sign-up time (UTC).</summary>
    public required DateTime Created { get; init; }

    /// <summary>Time of the last client-side event (UTC).</summary>
    public required DateTime LastSeen { get; init; }

    public required string City { get; init; }

    public required string Region { get; init; }

    public required string CountryCode { get; init; }

    public required string Os { get; init; }

    public required string? Browser { get; init; }

    public required string Platform { get; init; }

    /// <summary>Plan at the end of the window: free, pro or business.</summary>
    public required string Plan { get; init; }

    public required string UtmSource { get; init; }

    public required string Company { get; init; }

    public required string CompanySize { get; init; }

    public required string Role { get; init; }

    public required string SignupMethod { get; init; }

    /// <summary>Mixpanel's profile date format: ISO 8601 without a zone, UTC.</summary>
    public static string FormatTime(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Writes <c>{"$distinct_id": …, "$properties": {…}}</c>.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("$distinct_id", DistinctId);
        writer.WritePropertyName("$properties");
        writer.WriteStartObject();
        writer.WriteString("$created", FormatTime(Created));
        writer.WriteString("$email", Email);
        writer.WriteString("$first_name", FirstName);
        writer.WriteString("$last_name", LastName);
        writer.WriteString("$name", Name);
        writer.WriteString("$last_seen", FormatTime(LastSeen));
        writer.WriteString("$city", City);
        writer.WriteString("$region", Region);
        writer.WriteString("mp_country_code", CountryCode);
        writer.WriteString("$os", Os);
        if (Browser is not null)
        {
            writer.WriteString("$browser", Browser);
        }

        writer.WriteString("platform", Platform);
        writer.WriteString("plan", Plan);
        writer.WriteString("utm_source", UtmSource);
        writer.WriteString("company", Company);
        writer.WriteString("company_size", CompanySize);
        writer.WriteString("role", Role);
        writer.WriteString("signup_method", SignupMethod);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
