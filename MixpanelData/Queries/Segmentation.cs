namespace MixpanelData.Queries;

/// <summary>Counts of one event over time, optionally broken down by an expression (Mixpanel's <c>/segmentation</c>).</summary>
/// <param name="Event">The event to count.</param>
/// <param name="FromDate">First day, inclusive (UTC).</param>
/// <param name="ToDate">Last day, inclusive (UTC).</param>
public sealed record SegmentationQuery(string Event, DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>Events, distinct users, or events per user. Default: events.</summary>
    public CountType Type { get; init; } = CountType.General;

    /// <summary>The bucket width. Default: day.</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Day;

    /// <summary>A filter expression, e.g. <c>properties["plan"] == "pro"</c>.</summary>
    public string? Where { get; init; }

    /// <summary>A breakdown expression, e.g. <c>properties["$browser"]</c>.</summary>
    public string? On { get; init; }

    /// <summary>The most segments returned with <see cref="On"/> (largest first). Default 60, at most 10,000.</summary>
    public int Limit { get; init; } = 60;
}

/// <summary>One line of a segmentation: a segment (or the event itself) and its value in each bucket.</summary>
/// <param name="Name">The segment value (the text of the <c>on</c> expression, <c>undefined</c> when unset) or, without <c>on</c>, the event name.</param>
/// <param name="Values">One value per entry of <see cref="SegmentationResult.Series"/>, in the same order; 0 where nothing happened.</param>
public sealed record SegmentSeries(string Name, IReadOnlyList<double> Values)
{
    /// <summary>The sum over all buckets (for unique counts: the sum of per-bucket uniques, not the range's distinct users).</summary>
    public double Total => Values.Sum();
}

/// <summary>The answer to a <see cref="SegmentationQuery"/>.</summary>
/// <param name="Event">The event counted.</param>
/// <param name="FromDate">First day.</param>
/// <param name="ToDate">Last day.</param>
/// <param name="Unit">Bucket width.</param>
/// <param name="Type">What was counted.</param>
/// <param name="On">The breakdown expression, if any.</param>
/// <param name="Series">Bucket keys in time order, every bucket of the range included.</param>
/// <param name="Segments">The lines, largest total first.</param>
/// <param name="SegmentLimitHit">True when more segments existed than the limit allowed.</param>
public sealed record SegmentationResult(
    string Event,
    DateOnly FromDate,
    DateOnly ToDate,
    TimeUnit Unit,
    CountType Type,
    string? On,
    IReadOnlyList<string> Series,
    IReadOnlyList<SegmentSeries> Segments,
    bool SegmentLimitHit);
