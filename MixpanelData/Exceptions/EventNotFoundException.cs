namespace MixpanelData;

/// <summary>An event name does not occur in the project (or the local table); <see cref="Suggestions"/> holds the closest real names.</summary>
public sealed class EventNotFoundException : MixpanelException
{
    /// <summary>Creates the exception.</summary>
    public EventNotFoundException(string eventName, IReadOnlyList<string> suggestions, string where)
        : base(Describe(eventName, suggestions, where))
    {
        EventName = eventName;
        Suggestions = suggestions;
    }

    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.EventNotFound;

    /// <summary>The name that was not found.</summary>
    public string EventName { get; }

    /// <summary>The closest existing event names, best first (at most five).</summary>
    public IReadOnlyList<string> Suggestions { get; }

    private static string Describe(string eventName, IReadOnlyList<string> suggestions, string where) =>
        suggestions.Count == 0
            ? $"There is no event named '{eventName}' in {where}."
            : $"There is no event named '{eventName}' in {where}. Did you mean: {string.Join(", ", suggestions.Select(s => $"'{s}'"))}?";
}
