using System.Globalization;
using System.Text.RegularExpressions;

namespace MixpanelData.Insights;

/// <summary>An inclusive range of UTC days with the words that describe it (e.g. "last week").</summary>
/// <param name="From">First day.</param>
/// <param name="To">Last day.</param>
/// <param name="Label">The range in words.</param>
public sealed record DayRange(DateOnly From, DateOnly To, string Label)
{
    /// <summary>Days in the range.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The range of the same length just before this one.</summary>
    public DayRange Previous() => new(From.AddDays(-Days), From.AddDays(-1), $"the {Days} days before");

    /// <inheritdoc />
    public override string ToString() => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";

    /// <summary>
    /// The range a question's words name, relative to <paramref name="lastDay"/> (the last complete day, normally yesterday),
    /// or null when it names none. "last week" is the 7 days ending <paramref name="lastDay"/>; "last month" the previous
    /// calendar month; "last N days/weeks/months" N days, N×7 days or N×30 days ending <paramref name="lastDay"/>.
    /// </summary>
    public static DayRange? FromWords(string question, DateOnly lastDay)
    {
        var text = question.ToLowerInvariant();
        var today = lastDay.AddDays(1);
        var iso = Regex.Match(text, @"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|through|until|-|–|and)\s*(\d{4}-\d{2}-\d{2})");
        if (iso.Success
            && DateOnly.TryParseExact(iso.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var a)
            && DateOnly.TryParseExact(iso.Groups[2].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var b)
            && a <= b)
        {
            return new DayRange(a, b, $"{a:yyyy-MM-dd} to {b:yyyy-MM-dd}");
        }

        var counted = Regex.Match(text, @"\b(?:last|past|previous|over|in|for|during|within)\s+(?:the\s+)?(?:last\s+|past\s+)?(\d{1,3}|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|thirty|sixty|ninety)\s+(day|week|month)s?\b");
        if (counted.Success && Number(counted.Groups[1].Value) is { } n and > 0)
        {
            var unit = counted.Groups[2].Value;
            var days = unit switch { "week" => n * 7, "month" => n * 30, _ => n };
            return new DayRange(lastDay.AddDays(1 - days), lastDay, $"the last {n} {unit}{(n == 1 ? string.Empty : "s")}");
        }

        if (Regex.IsMatch(text, @"\byesterday\b"))
        {
            return new DayRange(lastDay, lastDay, "yesterday");
        }

        if (Regex.IsMatch(text, @"\btoday\b"))
        {
            return new DayRange(today, today, "today (so far)");
        }

        if (Regex.IsMatch(text, @"\b(?:last|past|previous)\s+week\b"))
        {
            return new DayRange(lastDay.AddDays(-6), lastDay, "last week (the 7 days ending yesterday)");
        }

        if (Regex.IsMatch(text, @"\bthis\s+week\b"))
        {
            var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
            return new DayRange(monday, today, "this week (so far)");
        }

        if (Regex.IsMatch(text, @"\b(?:last|previous)\s+month\b"))
        {
            var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
            return new DayRange(first, first.AddMonths(1).AddDays(-1), $"last month ({first:MMMM yyyy})");
        }

        if (Regex.IsMatch(text, @"\bpast\s+month\b"))
        {
            return new DayRange(lastDay.AddDays(-29), lastDay, "the past month (30 days)");
        }

        if (Regex.IsMatch(text, @"\bthis\s+month\b"))
        {
            return new DayRange(new DateOnly(today.Year, today.Month, 1), today, "this month (so far)");
        }

        return null;
    }

    private static int? Number(string word) => word switch
    {
        "a" or "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fourteen" => 14,
        "thirty" => 30,
        "sixty" => 60,
        "ninety" => 90,
        _ => int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
    };
}
