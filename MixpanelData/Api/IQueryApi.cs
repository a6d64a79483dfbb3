using Refit;

namespace MixpanelData.Api;

/// <summary>
/// Mixpanel's Query API (<c>/api/query</c>), one method per endpoint. The Http core adds the base URL of the
/// project's region, <c>project_id</c>/<c>workspace_id</c>, auth, the client-side budgets and the retries; a
/// parameter left null is not sent. Every call but the free ones counts against the hourly budget.
/// </summary>
internal interface IQueryApi
{
    /// <summary><c>GET /segmentation</c>: one event over time, optionally broken down by <paramref name="on"/>.</summary>
    [Get("/segmentation")]
    Task<SeriesAnswer> SegmentationAsync(
        [AliasAs("event")] string eventName,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("type")] string type,
        [AliasAs("unit")] string unit,
        [AliasAs("where")] string? where,
        [AliasAs("on")] string? on,
        [AliasAs("limit")] int? limit,
        CancellationToken cancellationToken);

    /// <summary><c>GET /segmentation/numeric</c>: one event per numeric range of <paramref name="on"/>.</summary>
    [Get("/segmentation/numeric")]
    Task<SeriesAnswer> SegmentationNumericAsync(
        [AliasAs("event")] string eventName,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("on")] string on,
        [AliasAs("unit")] string unit,
        [AliasAs("type")] string type,
        [AliasAs("where")] string? where,
        CancellationToken cancellationToken);

    /// <summary><c>GET /segmentation/sum</c>: the sum of <paramref name="on"/> per bucket.</summary>
    [Get("/segmentation/sum")]
    Task<AggregateAnswer> SegmentationSumAsync(
        [AliasAs("event")] string eventName,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("on")] string on,
        [AliasAs("unit")] string unit,
        [AliasAs("where")] string? where,
        CancellationToken cancellationToken);

    /// <summary><c>GET /segmentation/average</c>: the average of <paramref name="on"/> per bucket.</summary>
    [Get("/segmentation/average")]
    Task<AggregateAnswer> SegmentationAverageAsync(
        [AliasAs("event")] string eventName,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("on")] string on,
        [AliasAs("unit")] string unit,
        [AliasAs("where")] string? where,
        CancellationToken cancellationToken);

    /// <summary><c>GET /events</c>: several events over time; <paramref name="events"/> is sent as a JSON array of names.</summary>
    [Get("/events")]
    Task<SeriesAnswer> EventsAsync(
        [AliasAs("event")] JsonStringArray events,
        [AliasAs("type")] string type,
        [AliasAs("unit")] string unit,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        CancellationToken cancellationToken);

    /// <summary><c>GET /events/properties</c>: one event per value of one property; <paramref name="values"/> is sent as a JSON array.</summary>
    [Get("/events/properties")]
    Task<SeriesAnswer> EventPropertiesAsync(
        [AliasAs("event")] string eventName,
        [AliasAs("name")] string property,
        [AliasAs("values")] JsonStringArray? values,
        [AliasAs("type")] string type,
        [AliasAs("unit")] string unit,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("limit")] int limit,
        CancellationToken cancellationToken);

    /// <summary><c>GET /funnels</c>: a saved funnel over a range.</summary>
    [Get("/funnels")]
    Task<FunnelAnswer> FunnelAsync(
        [AliasAs("funnel_id")] long funnelId,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("length")] int? length,
        [AliasAs("length_unit")] string? lengthUnit,
        [AliasAs("unit")] string? unit,
        [AliasAs("interval")] int? interval,
        [AliasAs("where")] string? where,
        [AliasAs("on")] string? on,
        [AliasAs("limit")] int? limit,
        CancellationToken cancellationToken);

    /// <summary><c>GET /retention</c>: birth or compounded retention.</summary>
    [Get("/retention")]
    Task<RetentionAnswer> RetentionAsync([Query] RetentionParameters parameters, CancellationToken cancellationToken);

    /// <summary><c>GET /retention/addiction</c>: how many distinct hours or days per period users do an event.</summary>
    [Get("/retention/addiction")]
    Task<FrequencyAnswer> FrequencyAsync(
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("unit")] string unit,
        [AliasAs("addiction_unit")] string addictionUnit,
        [AliasAs("event")] string? eventName,
        [AliasAs("where")] string? where,
        CancellationToken cancellationToken);

    /// <summary><c>GET /stream/query</c>: the events of a few users; <paramref name="distinctIds"/> is sent as a JSON array.</summary>
    [Get("/stream/query")]
    Task<ActivityAnswer> ActivityFeedAsync(
        [AliasAs("distinct_ids")] JsonStringArray distinctIds,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        CancellationToken cancellationToken);

    /// <summary><c>GET /insights</c>: a saved report as Mixpanel computes it now.</summary>
    [Get("/insights")]
    Task<InsightsAnswer> InsightsAsync([AliasAs("bookmark_id")] long bookmarkId, CancellationToken cancellationToken);

    /// <summary><c>POST /jql</c>: runs a JQL script (form body <c>script</c>, <c>params</c>).</summary>
    [Post("/jql")]
    Task<JqlAnswer> JqlAsync([Body(BodySerializationMethod.UrlEncoded)] JqlForm form, CancellationToken cancellationToken);

    /// <summary><c>GET /events/names</c>: the event names seen in a range (at most <paramref name="limit"/>).</summary>
    [Get("/events/names")]
    Task<TextListAnswer> EventNamesAsync(
        [AliasAs("type")] string type,
        [AliasAs("limit")] int limit,
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        CancellationToken cancellationToken);

    /// <summary><c>GET /events/properties/top</c>: the properties seen on an event, with counts.</summary>
    [Get("/events/properties/top")]
    Task<PropertyCountsAnswer> TopPropertiesAsync([AliasAs("event")] string eventName, [AliasAs("limit")] int limit, CancellationToken cancellationToken);

    /// <summary><c>GET /events/properties/values</c>: the most common values of a property on an event.</summary>
    [Get("/events/properties/values")]
    Task<TextListAnswer> PropertyValuesAsync([AliasAs("event")] string eventName, [AliasAs("name")] string property, [AliasAs("limit")] int limit, CancellationToken cancellationToken);

    /// <summary><c>GET /funnels/list</c>: the saved funnels.</summary>
    [Get("/funnels/list")]
    Task<FunnelListAnswer> FunnelListAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /cohorts/list</c> (an empty form): the saved cohorts.</summary>
    [Post("/cohorts/list")]
    Task<CohortListAnswer> CohortListAsync([Body(BodySerializationMethod.UrlEncoded)] IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken);

    /// <summary><c>GET /events/top</c>: today's top events.</summary>
    [Get("/events/top")]
    Task<TopEventsAnswer> TopEventsAsync([AliasAs("type")] string type, [AliasAs("limit")] int limit, CancellationToken cancellationToken);
}

/// <summary>The parameters of <c>/retention</c> (null ones are not sent).</summary>
internal sealed record RetentionParameters
{
    [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")]
    public required DateOnly FromDate { get; init; }

    [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")]
    public required DateOnly ToDate { get; init; }

    [AliasAs("retention_type")]
    public required string RetentionType { get; init; }

    [AliasAs("born_event")]
    public string? BornEvent { get; init; }

    [AliasAs("event")]
    public string? Event { get; init; }

    [AliasAs("born_where")]
    public string? BornWhere { get; init; }

    [AliasAs("where")]
    public string? Where { get; init; }

    [AliasAs("unit")]
    public string? Unit { get; init; }

    [AliasAs("interval")]
    public int? Interval { get; init; }

    [AliasAs("interval_count")]
    public required int IntervalCount { get; init; }

    [AliasAs("unbounded_retention")]
    public string? UnboundedRetention { get; init; }

    [AliasAs("on")]
    public string? On { get; init; }

    [AliasAs("limit")]
    public int? Limit { get; init; }
}

/// <summary>Form bodies the Query API takes.</summary>
internal static class QueryForms
{
    /// <summary>An empty form (<c>/cohorts/list</c> is a POST without parameters).</summary>
    public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();
}

/// <summary>The form body of <c>/jql</c>.</summary>
internal sealed record JqlForm([property: AliasAs("script")] string Script, [property: AliasAs("params")] string? Params);
