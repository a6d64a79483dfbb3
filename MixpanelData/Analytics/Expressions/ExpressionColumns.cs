namespace MixpanelData.Analytics.Expressions;

/// <summary>
/// The SQL columns an expression reads: the event's JSON properties, optionally the user's profile
/// properties (a JSON column joined in), and the event's own time, name and distinct id.
/// Column names here are trusted SQL written by the engine, never user input.
/// </summary>
internal sealed record ExpressionColumns
{
    public string Properties { get; init; } = "properties";

    /// <summary>The profile-properties JSON column, or <see langword="null"/> when no profiles are joined (then <c>user[...]</c> is an error).</summary>
    public string? UserProperties { get; init; }

    /// <summary>
    /// A scalar SQL subquery giving the profile-properties JSON of the event's user, used for <c>user[...]</c> when no profile
    /// column is joined (the emulator's event queries, where Mixpanel reads the user's current profile).
    /// </summary>
    public string? ProfileLookup { get; init; }

    /// <summary>The event time column (TIMESTAMP, UTC), or <see langword="null"/> when there is none (profiles).</summary>
    public string? Time { get; init; } = "event_time";

    public string? EventName { get; init; } = "event_name";

    public string? DistinctId { get; init; } = "distinct_id";

    /// <summary>Columns for events with their user's profile joined as <paramref name="userProperties"/>.</summary>
    public static ExpressionColumns Events(string alias = "", string? userProperties = null)
    {
        var prefix = alias.Length == 0 ? string.Empty : alias + ".";
        return new ExpressionColumns
        {
            Properties = prefix + "properties",
            Time = prefix + "event_time",
            EventName = prefix + "event_name",
            DistinctId = prefix + "distinct_id",
            UserProperties = userProperties,
        };
    }

    /// <summary>Columns for a profiles table: <c>properties[...]</c> and <c>user[...]</c> both read the profile.</summary>
    public static ExpressionColumns Profiles(string alias = "")
    {
        var prefix = alias.Length == 0 ? string.Empty : alias + ".";
        return new ExpressionColumns
        {
            Properties = prefix + "properties",
            UserProperties = prefix + "properties",
            Time = null,
            EventName = null,
            DistinctId = prefix + "distinct_id",
        };
    }
}
