using System.Text.Json;
using MixpanelData.Queries;

namespace MixpanelData.Discovery;

/// <summary>A property seen on an event recently, with how often (Mixpanel's <c>/events/properties/top</c>).</summary>
/// <param name="Name">The property name, e.g. <c>$browser</c>.</param>
/// <param name="Count">How many recent events carried it; <see langword="null"/> when Mixpanel gave no count (it sometimes answers <c>{}</c>).</param>
public sealed record EventProperty(string Name, long? Count);

/// <summary>A saved funnel (Mixpanel's <c>/funnels/list</c>).</summary>
/// <param name="FunnelId">The id to pass to <see cref="QueryClient.FunnelAsync"/>.</param>
/// <param name="Name">The funnel's name.</param>
public sealed record FunnelSummary(long FunnelId, string Name)
{
    /// <summary>Fields Mixpanel sent that this record does not name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>A saved cohort (Mixpanel's <c>/cohorts/list</c>).</summary>
/// <param name="Id">The cohort id (used with profile queries' <c>filter_by_cohort</c>).</param>
/// <param name="Name">The cohort's name.</param>
public sealed record CohortSummary(long Id, string Name)
{
    /// <summary>The description, if any.</summary>
    public string? Description { get; init; }

    /// <summary>How many users the cohort held when Mixpanel last counted.</summary>
    public long? Count { get; init; }

    /// <summary>Whether the cohort is visible in Mixpanel's UI.</summary>
    public bool IsVisible { get; init; }

    /// <summary>When it was created, in the project's time zone (Mixpanel sends no offset).</summary>
    public DateTime? Created { get; init; }

    /// <summary>The project it belongs to.</summary>
    public long? ProjectId { get; init; }

    /// <summary>Fields Mixpanel sent that this record does not name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>The kinds of saved report (bookmark) Mixpanel lists.</summary>
public enum BookmarkType
{
    /// <summary>Insights reports (legacy segmentation reports are listed as insights too).</summary>
    Insights,

    /// <summary>Funnels reports.</summary>
    Funnels,

    /// <summary>Retention reports.</summary>
    Retention,

    /// <summary>Flows reports.</summary>
    Flows,

    /// <summary>Impact (launch analysis) reports, <c>launch-analysis</c> on the wire.</summary>
    LaunchAnalysis,
}

/// <summary>A saved report (bookmark) from the App API's bookmark list.</summary>
/// <param name="Id">The bookmark id, for <see cref="QueryClient.SavedReportAsync"/>.</param>
/// <param name="Name">The report's name.</param>
/// <param name="Type">The report type as Mixpanel names it (<c>insights</c>, <c>funnels</c>, <c>retention</c>, <c>flows</c>, <c>launch-analysis</c>, or a newer one).</param>
public sealed record Bookmark(long Id, string Name, string Type)
{
    /// <summary>The description, if any.</summary>
    public string? Description { get; init; }

    /// <summary>The project it belongs to.</summary>
    public long? ProjectId { get; init; }

    /// <summary>The data view it belongs to, if any.</summary>
    public long? WorkspaceId { get; init; }

    /// <summary>The dashboard it is pinned to, if any.</summary>
    public long? DashboardId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset? Modified { get; init; }

    /// <summary>Who created it.</summary>
    public string? CreatorName { get; init; }

    /// <summary>The creator's email.</summary>
    public string? CreatorEmail { get; init; }

    /// <summary>The report's definition (sections, display options, …) exactly as Mixpanel stores it; <see langword="null"/> when absent.</summary>
    public JsonElement? Params { get; init; }

    /// <summary>Fields Mixpanel sent that this record does not name (permissions, creator id, …).</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>One page of saved reports.</summary>
/// <param name="Items">The reports of this page, in Mixpanel's order.</param>
/// <param name="Page">The page number, from 0.</param>
/// <param name="PageSize">The most reports a page holds.</param>
/// <param name="Total">How many reports match in all.</param>
public sealed record BookmarkPage(IReadOnlyList<Bookmark> Items, int Page, int PageSize, int Total)
{
    /// <summary>Whether later pages hold more reports.</summary>
    public bool HasMore => ((long)Page + 1) * PageSize < Total;
}

/// <summary>One of today's top events.</summary>
/// <param name="Event">The event name.</param>
/// <param name="Amount">Today's count (events, users, or events per user, after the type asked for).</param>
/// <param name="PercentChange">The change against yesterday, as a fraction (-0.2 = 20 % fewer).</param>
public sealed record TopEvent(string Event, double Amount, double PercentChange);

/// <summary>Today's top events (Mixpanel's <c>/events/top</c>): today so far, so partial.</summary>
/// <param name="Type">What <see cref="TopEvent.Amount"/> counts.</param>
/// <param name="Events">Largest first.</param>
public sealed record TopEventsResult(CountType Type, IReadOnlyList<TopEvent> Events);

/// <summary>What a Lexicon schema describes.</summary>
public enum LexiconEntityType
{
    /// <summary>An event.</summary>
    Event,

    /// <summary>A user profile property set.</summary>
    Profile,
}

/// <summary>One property of a Lexicon schema.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Type">Its JSON type: <c>string</c>, <c>number</c>, <c>integer</c>, <c>boolean</c>, <c>array</c>, <c>object</c>, <c>null</c>.</param>
/// <param name="Description">Its description, if any.</param>
public sealed record LexiconProperty(string Name, string? Type, string? Description)
{
    /// <summary>The name shown in Mixpanel's UI, when set.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Hidden in Mixpanel's UI.</summary>
    public bool Hidden { get; init; }

    /// <summary>Dropped at ingestion.</summary>
    public bool Dropped { get; init; }
}

/// <summary>A Lexicon schema: the documented shape of one event or profile (the App API's <c>schemas</c>).</summary>
/// <param name="EntityType">What it describes, as Mixpanel names it (<c>event</c> or <c>profile</c>).</param>
/// <param name="Name">The event name (or profile entity name).</param>
/// <param name="Description">Its description, if any.</param>
/// <param name="Properties">Its properties, by name.</param>
public sealed record LexiconSchema(string EntityType, string Name, string? Description, IReadOnlyList<LexiconProperty> Properties)
{
    /// <summary>The name shown in Mixpanel's UI, when set.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Hidden in Mixpanel's UI.</summary>
    public bool Hidden { get; init; }

    /// <summary>Dropped at ingestion.</summary>
    public bool Dropped { get; init; }

    /// <summary>Tags given in Lexicon.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The whole <c>schemaJson</c> exactly as Mixpanel sent it.</summary>
    public JsonElement Raw { get; init; }
}
