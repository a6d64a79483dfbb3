using System.Globalization;
using MixpanelData.Queries;

namespace MixpanelData.Analytics;

/// <summary>
/// Time buckets in UTC: SQL that names an event's bucket, and the full list of a range's bucket keys.
/// Day, week and month keys are <c>yyyy-mm-dd</c> of the bucket's first day (weeks start on Monday);
/// hour and minute keys are <c>yyyy-mm-dd HH:MM:SS</c>.
/// </summary>
internal static class TimeBuckets
{
    public static string KeySql(TimeUnit unit, string column) => unit switch
    {
        TimeUnit.Minute => $"strftime(date_trunc('minute', {column}), '%Y-%m-%d %H:%M:%S')",
        TimeUnit.Hour => $"strftime(date_trunc('hour', {column}), '%Y-%m-%d %H:%M:%S')",
        TimeUnit.Day => $"strftime(date_trunc('day', {column}), '%Y-%m-%d')",
        TimeUnit.Week => $"strftime(date_trunc('week', {column}), '%Y-%m-%d')",
        TimeUnit.Month => $"strftime(date_trunc('month', {column}), '%Y-%m-%d')",
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };

    /// <summary>Every bucket key of the inclusive day range, in order.</summary>
    public static IReadOnlyList<string> Series(TimeUnit unit, DateOnly from, DateOnly to)
    {
        var keys = new List<string>();
        switch (unit)
        {
            case TimeUnit.Minute or TimeUnit.Hour:
                {
                    var step = unit == TimeUnit.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(1);
                    var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue);
                    for (var t = from.ToDateTime(TimeOnly.MinValue); t < end; t += step)
                    {
                        keys.Add(t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                    }

                    break;
                }

            default:
                for (var d = Start(unit, from); d <= to; d = Next(unit, d))
                {
                    keys.Add(Format(d));
                }

                break;
        }

        return keys;
    }

    /// <summary>The first day of the bucket that holds <paramref name="day"/>.</summary>
    public static DateOnly Start(TimeUnit unit, DateOnly day) => unit switch
    {
        TimeUnit.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        TimeUnit.Month => new DateOnly(day.Year, day.Month, 1),
        _ => day,
    };

    public static DateOnly Next(TimeUnit unit, DateOnly start) => unit switch
    {
        TimeUnit.Week => start.AddDays(7),
        TimeUnit.Month => start.AddMonths(1),
        _ => start.AddDays(1),
    };

    public static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A day as the SQL timestamp parameter text for its midnight (UTC).</summary>
    public static string Midnight(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00";
}
