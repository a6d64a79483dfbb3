namespace MixpanelData.Queries;

/// <summary>Cohort retention (Mixpanel's <c>/retention</c>).</summary>
/// <param name="FromDate">First cohort day, inclusive.</param>
/// <param name="ToDate">Last cohort day, inclusive.</param>
public sealed record RetentionQuery(DateOnly FromDate, DateOnly ToDate)
{
    /// <summary>First-time (birth) or recurring (compounded). Default birth.</summary>
    public RetentionType Type { get; init; } = RetentionType.Birth;

    /// <summary>The event that puts a user in a cohort (required for birth; ignored for compounded).</summary>
    public string? BornEvent { get; init; }

    /// <summary>The returning event; <see langword="null"/> for any event.</summary>
    public string? Event { get; init; }

    /// <summary>A filter on the born event.</summary>
    public string? BornWhere { get; init; }

    /// <summary>A filter on the returning event.</summary>
    public string? Where { get; init; }

    /// <summary>Units per bucket. Default 1.</summary>
    public int Interval { get; init; } = 1;

    /// <summary>Buckets after the first (the result has this many plus one). Default 1.</summary>
    public int IntervalCount { get; init; } = 1;

    /// <summary>Day, week or month. Default day.</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Day;

    /// <summary>Count a user in every bucket up to the last one they returned in (right-to-left accumulation).</summary>
    public bool Unbounded { get; init; }

    /// <summary>A breakdown expression, evaluated on the user's born event (birth) or cohort-day event (compounded).</summary>
    public string? On { get; init; }

    /// <summary>The most segments with <see cref="On"/>. Default 60.</summary>
    public int Limit { get; init; } = 60;
}

/// <summary>One cohort: the users born in one bucket and how many came back in each later bucket.</summary>
/// <param name="Date">The cohort's first day (<c>yyyy-mm-dd</c>).</param>
/// <param name="First">The cohort's size.</param>
/// <param name="Counts">Members who did the returning event in bucket i (index 0 = the birth bucket, after the born event).</param>
public sealed record RetentionCohort(string Date, long First, IReadOnlyList<long> Counts)
{
    /// <summary><see cref="Counts"/> over <see cref="First"/> (0 for an empty cohort).</summary>
    public IReadOnlyList<double> Rates => [.. Counts.Select(c => First == 0 ? 0 : (double)c / First)];
}

/// <summary>The cohorts of one segment.</summary>
/// <param name="Segment">The segment value, or <c>$overall</c>.</param>
/// <param name="Cohorts">Cohorts in date order.</param>
public sealed record RetentionSegment(string Segment, IReadOnlyList<RetentionCohort> Cohorts)
{
    /// <summary>The size-weighted retention rate per bucket over all cohorts that could reach that bucket.</summary>
    public IReadOnlyList<double> WeightedRates(int bucketCount)
    {
        var rates = new double[bucketCount];
        for (var i = 0; i < bucketCount; i++)
        {
            long first = 0, returned = 0;
            foreach (var cohort in Cohorts.Where(c => c.Counts.Count > i))
            {
                first += cohort.First;
                returned += cohort.Counts[i];
            }

            rates[i] = first == 0 ? 0 : (double)returned / first;
        }

        return rates;
    }
}

/// <summary>The answer to a <see cref="RetentionQuery"/>.</summary>
/// <param name="Query">The query answered.</param>
/// <param name="Overall">Every cohort, all users.</param>
/// <param name="Segments">Per segment, largest first; empty without <c>on</c>.</param>
public sealed record RetentionResult(RetentionQuery Query, RetentionSegment Overall, IReadOnlyList<RetentionSegment> Segments);
