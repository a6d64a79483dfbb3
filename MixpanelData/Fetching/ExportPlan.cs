using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Fetching;

/// <summary>
/// A validated export request: range, filters and limit, split into windows of <see cref="WindowDays"/> consecutive
/// days, one export request each. Windows are counted from <see cref="From"/>; the last one may be shorter.
/// <para>
/// The default window is <c>ceil(days / 10)</c> days, so any range takes at most <see cref="DefaultMaxWindows"/>
/// requests: 1 to 10 days go day by day, 30 days in 10 windows of 3 days, 90 days in 10 windows of 9 days,
/// 365 days in 10 windows of 37 days (the last one 32).
/// </para>
/// </summary>
internal sealed record ExportPlan(DateOnly From, DateOnly To, IReadOnlyList<string>? Events, string? Where, int? Limit, int WindowDays)
{
    public const int MaxLimit = 100_000;

    /// <summary>The most requests the default window size spends on any range.</summary>
    public const int DefaultMaxWindows = 10;

    /// <summary>The longest window that can be asked for: a year (Mixpanel documents no maximum span).</summary>
    public const int MaxWindowDays = FetchEventsRequest.MaxWindowDays;

    // Mixpanel refuses earlier dates ("invalid date, bad year").
    private static readonly DateOnly Earliest = new(2000, 1, 1);

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>How many windows (export requests, before retries) the whole range takes.</summary>
    public int WindowCount => (Days + WindowDays - 1) / WindowDays;

    /// <summary>The default window for a range of <paramref name="days"/> days: <c>ceil(days / 10)</c>.</summary>
    public static int DefaultWindowDays(int days) => Math.Max(1, (days + DefaultMaxWindows - 1) / DefaultMaxWindows);

    /// <summary>
    /// The windows still to load from <paramref name="start"/> (the range's first day, or the day after the last
    /// one a resumed fetch completed) to <see cref="To"/>. Windows keep their places counted from <see cref="From"/>,
    /// so a resume that starts inside a window (an earlier fetch with other windows) loads only that window's rest.
    /// </summary>
    public IEnumerable<ExportWindow> WindowsFrom(DateOnly start)
    {
        var day = start < From ? From : start;
        while (day <= To)
        {
            var index = (day.DayNumber - From.DayNumber) / WindowDays;
            var end = From.AddDays(((index + 1) * WindowDays) - 1);
            var last = end > To ? To : end;
            yield return new ExportWindow(day, last);
            day = last.AddDays(1);
        }
    }

    /// <summary>Checks everything that can be checked before a request is sent.</summary>
    /// <exception cref="ArgumentException">The message says what is wrong and how to fix it.</exception>
    public static ExportPlan Create(DateOnly from, DateOnly to, IReadOnlyList<string>? events, string? where, int? limit, int? windowDays, TimeProvider time)
    {
        if (to < from)
        {
            throw new ArgumentException($"The range is reversed: from {Iso(from)} is after to {Iso(to)}.", nameof(to));
        }

        if (from < Earliest)
        {
            throw new ArgumentException($"From {Iso(from)} is before 2000-01-01; Mixpanel keeps no earlier data.", nameof(from));
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (to > today)
        {
            throw new ArgumentException($"To {Iso(to)} is in the future (today is {Iso(today)} UTC); the export only reaches today.", nameof(to));
        }

        if (limit is { } l && l is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), l, $"The limit must be between 1 and {MaxLimit:N0} (Mixpanel's export cap), or null for all events.");
        }

        if (events is not null)
        {
            if (events.Count == 0)
            {
                throw new ArgumentException("The event list is empty; pass null for all events.", nameof(events));
            }

            if (events.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException("An event name in the list is empty.", nameof(events));
            }
        }

        if (where is not null && string.IsNullOrWhiteSpace(where))
        {
            throw new ArgumentException("The where expression is blank; pass null for no filter.", nameof(where));
        }

        if (windowDays is { } w && w is < 1 or > MaxWindowDays)
        {
            throw new ArgumentOutOfRangeException(
                nameof(windowDays), w,
                $"The window must be 1 to {MaxWindowDays} days (one export request per window), or null for the default of at most {DefaultMaxWindows} requests per range.");
        }

        var days = to.DayNumber - from.DayNumber + 1;
        return new ExportPlan(from, to, events?.ToArray(), where, limit, windowDays ?? DefaultWindowDays(days));
    }

    /// <summary>The filters as JSON for the table's metadata; <see langword="null"/> when there are none.</summary>
    public string? FiltersJson() => Events is null && Where is null && Limit is null ? null : Json(false, null);

    /// <summary>The canonical text of the whole request; a resume must match it exactly.</summary>
    public string Fingerprint(bool append) => Json(true, append);

    /// <summary>A window (or a day) for messages: <c>2026-03-01</c> or <c>2026-03-01..2026-03-09</c>.</summary>
    public static string Span(DateOnly from, DateOnly to) => from == to ? Iso(from) : Iso(from) + ".." + Iso(to);

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string Json(bool withRange, bool? append)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (withRange)
            {
                writer.WriteString("from", Iso(From));
                writer.WriteString("to", Iso(To));
            }

            if (Events is not null)
            {
                writer.WriteStartArray("events");
                foreach (var name in Events)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
            }

            if (Where is not null)
            {
                writer.WriteString("where", Where);
            }

            if (Limit is { } limit)
            {
                writer.WriteNumber("limit", limit);
            }

            if (append is { } a)
            {
                writer.WriteBoolean("append", a);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>Consecutive days fetched with one export request.</summary>
/// <param name="From">First day.</param>
/// <param name="To">Last day.</param>
internal readonly record struct ExportWindow(DateOnly From, DateOnly To)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    public override string ToString() => ExportPlan.Span(From, To);
}
