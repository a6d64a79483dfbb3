using MixpanelData.Api;

namespace MixpanelData.Fetching;

/// <summary>A validated Engage query, turned into the form of each page's request.</summary>
internal sealed record ProfileQuery(string? Where, long? CohortId, IReadOnlyList<string>? OutputProperties, IReadOnlyList<string>? DistinctIds)
{
    /// <exception cref="ArgumentException">The message says what is wrong.</exception>
    public static ProfileQuery Create(string? where, long? cohortId, IReadOnlyList<string>? outputProperties, IReadOnlyList<string>? distinctIds)
    {
        if (where is not null && string.IsNullOrWhiteSpace(where))
        {
            throw new ArgumentException("The where expression is blank; pass null for no filter.", nameof(where));
        }

        if (cohortId is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cohortId), cohortId, "A cohort id is a positive number (list the cohorts to find it).");
        }

        if (outputProperties is not null && (outputProperties.Count == 0 || outputProperties.Any(string.IsNullOrWhiteSpace)))
        {
            throw new ArgumentException("The output property list is empty or has an empty name; pass null for all properties.", nameof(outputProperties));
        }

        if (distinctIds is not null && (distinctIds.Count == 0 || distinctIds.Any(string.IsNullOrEmpty)))
        {
            throw new ArgumentException("The distinct id list is empty or has an empty id; pass null for all profiles.", nameof(distinctIds));
        }

        return new ProfileQuery(where, cohortId, outputProperties?.ToArray(), distinctIds?.ToArray());
    }

    /// <summary>The form of one page: the same query each time, plus <c>page</c> and (after the first) <c>session_id</c>.</summary>
    public EngageForm Form(int page, string? sessionId) => new()
    {
        Where = Where,
        FilterByCohort = CohortId is { } id ? EngageForm.Cohort(id) : null,
        OutputProperties = JsonStringArray.From(OutputProperties),
        DistinctIds = JsonStringArray.From(DistinctIds),
        Page = page,
        SessionId = sessionId,
    };
}
