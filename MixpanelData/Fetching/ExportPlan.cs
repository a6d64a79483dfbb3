using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Fetching;

/// <summary>A validated export request: range, filters and limit, split into one request per day.</summary>
internal sealed record ExportPlan(DateOnly From, DateOnly To, IReadOnlyList<string>? Events, string? Where, int? Limit)
{
    public const int MaxLimit = 100_000;

    // Mixpanel refuses earlier dates ("invalid date, bad year").
    private static readonly DateOnly Earliest = new(2000, 1, 1);

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>Checks everything that can be checked before a request is sent.</summary>
    /// <exception cref="ArgumentException">The message says what is wrong and how to fix it.</exception>
    public static ExportPlan Create(DateOnly from, DateOnly to, IReadOnlyList<string>? events, string? where, int? limit, TimeProvider time)
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

        return new ExportPlan(from, to, events?.ToArray(), where, limit);
    }

    /// <summary>The filters as JSON for the table's metadata; <see langword="null"/> when there are none.</summary>
    public string? FiltersJson() => Events is null && Where is null && Limit is null ? null : Json(false, null);

    /// <summary>The canonical text of the whole request; a resume must match it exactly.</summary>
    public string Fingerprint(bool append) => Json(true, append);

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
