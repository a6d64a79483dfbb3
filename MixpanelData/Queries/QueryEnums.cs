namespace MixpanelData.Queries;

/// <summary>What a segmentation counts in each bucket.</summary>
public enum CountType
{
    /// <summary>Every event (Mixpanel's <c>general</c>).</summary>
    General,

    /// <summary>Distinct users (<c>unique</c>).</summary>
    Unique,

    /// <summary>Events per user who did it (<c>average</c>).</summary>
    Average,
}

/// <summary>The width of a time bucket. Weeks start on Monday; all buckets are in UTC (the project time zone).</summary>
public enum TimeUnit
{
    /// <summary>One minute; keys look like <c>2026-11-20 13:05:00</c>.</summary>
    Minute,

    /// <summary>One hour; keys look like <c>2026-11-20 13:00:00</c>.</summary>
    Hour,

    /// <summary>One day; keys look like <c>2026-11-20</c>.</summary>
    Day,

    /// <summary>A Monday-to-Sunday week, keyed by its Monday.</summary>
    Week,

    /// <summary>A calendar month, keyed by its first day.</summary>
    Month,
}

/// <summary>How retention cohorts are formed.</summary>
public enum RetentionType
{
    /// <summary>First-time: a user belongs to the cohort of the day they first did the born event.</summary>
    Birth,

    /// <summary>Recurring: a user belongs to the cohort of every day they did the event.</summary>
    Compounded,
}

/// <summary>The unit of a funnel's conversion window.</summary>
public enum WindowUnit
{
    /// <summary>Seconds.</summary>
    Second,

    /// <summary>Minutes.</summary>
    Minute,

    /// <summary>Hours.</summary>
    Hour,

    /// <summary>Days.</summary>
    Day,

    /// <summary>Weeks (7 days).</summary>
    Week,
}

/// <summary>Mixpanel's wire names for the query enums.</summary>
public static class QueryNames
{
    /// <summary><c>general</c>, <c>unique</c> or <c>average</c>.</summary>
    public static string ToWire(this CountType type) => type switch
    {
        CountType.General => "general",
        CountType.Unique => "unique",
        CountType.Average => "average",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary><c>minute</c> … <c>month</c>.</summary>
    public static string ToWire(this TimeUnit unit) => unit switch
    {
        TimeUnit.Minute => "minute",
        TimeUnit.Hour => "hour",
        TimeUnit.Day => "day",
        TimeUnit.Week => "week",
        TimeUnit.Month => "month",
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };

    /// <summary><c>birth</c> or <c>compounded</c>.</summary>
    public static string ToWire(this RetentionType type) => type == RetentionType.Birth ? "birth" : "compounded";

    /// <summary><c>second</c> … <c>week</c>.</summary>
    public static string ToWire(this WindowUnit unit) => unit switch
    {
        WindowUnit.Second => "second",
        WindowUnit.Minute => "minute",
        WindowUnit.Hour => "hour",
        WindowUnit.Day => "day",
        WindowUnit.Week => "week",
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };

    /// <summary>Parses a wire name, case-insensitively.</summary>
    public static bool TryParseCountType(string? text, out CountType type) => TryParse(text, out type);

    /// <summary>Parses a wire name, case-insensitively.</summary>
    public static bool TryParseTimeUnit(string? text, out TimeUnit unit) => TryParse(text, out unit);

    /// <summary>Parses a wire name, case-insensitively.</summary>
    public static bool TryParseRetentionType(string? text, out RetentionType type) => TryParse(text, out type);

    /// <summary>Parses a wire name, case-insensitively.</summary>
    public static bool TryParseWindowUnit(string? text, out WindowUnit unit) => TryParse(text, out unit);

    private static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        if (!string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text.Trim()[0]) && Enum.TryParse(text.Trim(), ignoreCase: true, out value) && Enum.IsDefined(value))
        {
            return true;
        }

        value = default;
        return false;
    }
}
