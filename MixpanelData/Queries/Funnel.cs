namespace MixpanelData.Queries;

/// <summary>
/// A funnel over ordered steps. A user enters at the first step-1 event in a bucket; each later step is the
/// earliest matching event after the previous step and within the conversion window from the entry.
/// </summary>
/// <param name="Steps">Event names in order (at least two).</param>
/// <param name="FromDate">First day on which users may enter, inclusive.</param>
/// <param name="ToDate">Last day on which users may enter, inclusive; later steps may complete after it.</param>
public sealed record FunnelQuery(IReadOnlyList<string> Steps, DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>The conversion window's length. Default 30.</summary>
    public int WindowLength { get; init; } = 30;

    /// <summary>The conversion window's unit. Default days.</summary>
    public WindowUnit WindowUnit { get; init; } = WindowUnit.Day;

    /// <summary>A filter applied to every step's events.</summary>
    public string? Where { get; init; }

    /// <summary>Per-step filters, aligned with <see cref="Steps"/> (null entries for none), e.g. <c>properties["page"] == "/pricing"</c>.</summary>
    public IReadOnlyList<string?>? StepFilters { get; init; }

    /// <summary>Per-step labels, aligned with <see cref="Steps"/> (null entries show the event name).</summary>
    public IReadOnlyList<string?>? StepLabels { get; init; }

    /// <summary>A breakdown expression, evaluated on the user's step-1 event.</summary>
    public string? On { get; init; }

    /// <summary>The most segments with <see cref="On"/>. Default 255.</summary>
    public int Limit { get; init; } = 255;

    /// <summary>Bucket the entries by this unit (day, week, month); <see langword="null"/> for one bucket over the whole range.</summary>
    public TimeUnit? BucketUnit { get; init; }

    /// <summary>Bucket the entries every this many days (Mixpanel's <c>interval</c>); ignored when <see cref="BucketUnit"/> is set.</summary>
    public int? BucketDays { get; init; }
}

/// <summary>One step of a funnel.</summary>
/// <param name="Event">The step's event.</param>
/// <param name="Count">Users who reached this step.</param>
/// <param name="StepConversion">Count over the previous step's count (1 for the first step; 0 when the previous is 0).</param>
/// <param name="OverallConversion">Count over the first step's count.</param>
/// <param name="AverageSecondsFromPrevious">Mean seconds from the previous step, over users who reached this one; null for step 1 or nobody.</param>
/// <param name="AverageSecondsFromStart">Mean seconds from step 1, over users who reached this one.</param>
public sealed record FunnelStep(string Event, long Count, double StepConversion, double OverallConversion, double? AverageSecondsFromPrevious, double? AverageSecondsFromStart)
{
    /// <summary>The step's label when it has one other than the event name (e.g. "Viewed pricing").</summary>
    public string? Label { get; init; }
}

/// <summary>A funnel's steps for one group of users.</summary>
/// <param name="Segment">The segment value, or <c>$overall</c>.</param>
/// <param name="Steps">The steps in order.</param>
public sealed record FunnelSteps(string Segment, IReadOnlyList<FunnelStep> Steps)
{
    /// <summary>The key Mixpanel uses for all users together.</summary>
    public const string Overall = "$overall";

    /// <summary>Users who completed every step.</summary>
    public long Completed => Steps.Count == 0 ? 0 : Steps[^1].Count;

    /// <summary>Users who entered.</summary>
    public long Entered => Steps.Count == 0 ? 0 : Steps[0].Count;

    /// <summary>Completed over entered (0 when nobody entered).</summary>
    public double ConversionRate => Entered == 0 ? 0 : (double)Completed / Entered;

    /// <summary>The index of the step with the largest drop-off from the previous one (Mixpanel's <c>analysis.worst</c>), or 0.</summary>
    public int WorstStep
    {
        get
        {
            var worst = 0;
            var lowest = double.MaxValue;
            for (var i = 1; i < Steps.Count; i++)
            {
                if (Steps[i].StepConversion < lowest)
                {
                    lowest = Steps[i].StepConversion;
                    worst = i;
                }
            }

            return worst;
        }
    }
}

/// <summary>The funnel of the users who entered in one bucket.</summary>
/// <param name="Date">The bucket's first day (<c>yyyy-mm-dd</c>).</param>
/// <param name="Overall">All users who entered in the bucket.</param>
/// <param name="Segments">Per segment of <see cref="FunnelQuery.On"/>, largest first; empty without it.</param>
public sealed record FunnelBucket(string Date, FunnelSteps Overall, IReadOnlyList<FunnelSteps> Segments);

/// <summary>The answer to a <see cref="FunnelQuery"/>.</summary>
/// <param name="Steps">The step events.</param>
/// <param name="FromDate">First entry day.</param>
/// <param name="ToDate">Last entry day.</param>
/// <param name="Overall">Every user who entered in the range (entered once, at their first step-1 event).</param>
/// <param name="Segments">The overall funnel per segment, largest first; empty without <c>on</c>.</param>
/// <param name="Buckets">Per entry bucket, when bucketing was asked for; otherwise one bucket equal to the overall funnel.</param>
/// <param name="SegmentLimitHit">True when more segments existed than the limit allowed.</param>
public sealed record FunnelResult(
    IReadOnlyList<string> Steps,
    DateOnly FromDate,
    DateOnly ToDate,
    FunnelSteps Overall,
    IReadOnlyList<FunnelSteps> Segments,
    IReadOnlyList<FunnelBucket> Buckets,
    bool SegmentLimitHit);
