namespace MixpanelData.Queries;

/// <summary>How often users do an event within a period (Mixpanel's <c>/retention/addiction</c>).</summary>
/// <param name="FromDate">First day, inclusive.</param>
/// <param name="ToDate">Last day, inclusive.</param>
public sealed record FrequencyQuery(DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>The event; <see langword="null"/> for any event.</summary>
    public string? Event { get; init; }

    /// <summary>The period: day, week or month. Default day.</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Day;

    /// <summary>What is counted within a period: hour or day. Default hour.</summary>
    public TimeUnit AddictionUnit { get; init; } = TimeUnit.Hour;

    /// <summary>A filter expression.</summary>
    public string? Where { get; init; }
}

/// <summary>One period of a frequency report.</summary>
/// <param name="Date">The period's first day.</param>
/// <param name="Counts">Element i: users who did the event in at least i+1 distinct hours (or days) of the period.</param>
public sealed record FrequencyPeriod(string Date, IReadOnlyList<long> Counts);

/// <summary>The answer to a <see cref="FrequencyQuery"/>.</summary>
/// <param name="Query">The query answered.</param>
/// <param name="Periods">Periods in date order.</param>
public sealed record FrequencyResult(FrequencyQuery Query, IReadOnlyList<FrequencyPeriod> Periods);
