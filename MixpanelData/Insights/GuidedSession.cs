using MixpanelData.Discovery;

namespace MixpanelData.Insights;

/// <summary>
/// A guided analysis in steps — focus, period, segment — over one Query API budget, so that a caller who asks its
/// user between the steps (the MCP host through elicitation, a UI) spends discovery once and ends in the same
/// findings as a caller who knows all three. Discovery answers are kept for the session.
/// </summary>
public sealed class GuidedSession
{
    /// <summary>The segment choice meaning "no breakdown".</summary>
    public const string NoSegment = "none";

    private const int MaxSegmentChoices = 15;

    private readonly InsightSources _sources;
    private IReadOnlyList<EventProperty>? _properties;

    internal GuidedSession(InsightSources sources, QueryBudget budget)
    {
        _sources = sources;
        Budget = budget;
    }

    /// <summary>The budget every step spends from.</summary>
    public QueryBudget Budget { get; }

    /// <summary>The focuses the project offers (event names, top events, saved funnels; cached by the workspace), or why they could not be found.</summary>
    public Task<Outcome<FocusCatalog>> FocusesAsync(CancellationToken cancellationToken = default) =>
        GuidedFocus.DiscoverAsync(_sources.Discovery, Budget, cancellationToken);

    /// <summary>The focus a value names (<c>acquisition</c>, <c>event:Page View</c>, or an event's name).</summary>
    /// <exception cref="ArgumentException">No focus matches; the message lists the choices.</exception>
    public static FocusOption Resolve(string focus, FocusCatalog catalog) => GuidedFocus.Resolve(focus, catalog);

    /// <summary>Properties of the focus event worth breaking down by, its own ones first, then <see cref="NoSegment"/>.</summary>
    /// <exception cref="InvalidOperationException">The properties could not be listed.</exception>
    public async Task<IReadOnlyList<string>> SegmentChoicesAsync(FocusOption focus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(focus);
        var properties = await PropertiesAsync(focus, cancellationToken).ConfigureAwait(false);
        // The event's own properties first ($-prefixed and mp_ ones are Mixpanel's defaults), each group most frequent first.
        return [.. properties.Select(p => p.Name).Where(IsDimension).OrderBy(n => n.StartsWith('$') || n.StartsWith("mp_", StringComparison.Ordinal)).Take(MaxSegmentChoices), NoSegment];
    }

    /// <summary>The segment as given when the focus event has it; null for <see cref="NoSegment"/>.</summary>
    /// <exception cref="ArgumentException">The event has no such property; the message lists the choices.</exception>
    public async Task<string?> ValidateSegmentAsync(FocusOption focus, string segment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(focus);
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.Equals(NoSegment, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var properties = await PropertiesAsync(focus, cancellationToken).ConfigureAwait(false);
        if (properties.Any(p => p.Name == segment))
        {
            return segment;
        }

        var choices = await SegmentChoicesAsync(focus, cancellationToken).ConfigureAwait(false);
        throw new ArgumentException($"segment must be a property of {focus.Event} or none, not '{segment}'. Choices: {string.Join(", ", choices)}.");
    }

    /// <summary>The calls an analysis of this focus, period and segment makes (1-2 Query API calls), written as the tool calls that reproduce them.</summary>
    public static IReadOnlyList<PrimitiveCall> Plan(FocusOption focus, GuidedPeriod period, string? segment) =>
        [.. GuidedPlan.For(focus, period, segment).Select(q => q.Call)];

    /// <summary>Runs the analysis: change against the previous period, top and bottom segments.</summary>
    public Task<GuidedReport> RunAsync(FocusOption focus, GuidedPeriod period, string? segment, CancellationToken cancellationToken = default) =>
        GuidedFindings.RunAsync(_sources.Query, Budget, focus, period, segment, GuidedPlan.For(focus, period, segment), cancellationToken);

    private async Task<IReadOnlyList<EventProperty>> PropertiesAsync(FocusOption focus, CancellationToken cancellationToken)
    {
        if (_properties is null)
        {
            var found = await Budget.RunAsync($"properties of {focus.Event}", 1, ct => _sources.Discovery.PropertiesAsync(focus.Event, 100, ct), cancellationToken).ConfigureAwait(false);
            _properties = found.Ok ? found.Value! : throw new InvalidOperationException($"Could not list the properties of {focus.Event} to offer segments: {found.Error}");
        }

        return _properties;
    }

    /// <summary>False for properties that identify rows or carry raw numbers, times and text: breaking down by them says nothing.</summary>
    private static bool IsDimension(string property)
    {
        var name = property.TrimStart('$').ToLowerInvariant();
        return !(name is "id" or "distinct_id" or "amount" or "revenue" or "price" or "email" or "name" or "first_name" or "last_name"
            || name.EndsWith("_id", StringComparison.Ordinal) || name.EndsWith("_ms", StringComparison.Ordinal)
            || name.Contains("url", StringComparison.Ordinal) || name.Contains("time", StringComparison.Ordinal));
    }
}
