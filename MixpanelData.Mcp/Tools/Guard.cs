using System.Globalization;

namespace MixpanelData.Mcp.Tools;

/// <summary>Argument checks whose messages tell the model exactly what to change.</summary>
internal static class Guard
{
    public static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"{name} must be between {min} and {max}, not {value}.");
        }
    }

    /// <summary>Parses <c>YYYY-MM-DD</c>; null gives <paramref name="fallback"/>.</summary>
    public static DateOnly Date(string? text, DateOnly fallback, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ArgumentException($"{name} must be a date written YYYY-MM-DD (e.g. 2026-03-01), not '{text}'.");
    }

    /// <summary>A range defaulting to the last 30 days ending <paramref name="today"/>; reversed ranges are refused.</summary>
    public static (DateOnly From, DateOnly To) Range(string? from, string? to, DateOnly today)
    {
        var end = Date(to, today, "to_date");
        var start = Date(from, end.AddDays(-29), "from_date");
        if (start > end)
        {
            throw new ArgumentException($"from_date {start:yyyy-MM-dd} is after to_date {end:yyyy-MM-dd}; swap them.");
        }

        return (start, end);
    }

    public static T Enum<T>(string? text, T fallback, string name)
        where T : struct, System.Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return System.Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !char.IsAsciiDigit(text.Trim()[0])
            ? value
            : throw new ArgumentException($"{name} must be one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, not '{text}'.");
    }
}
