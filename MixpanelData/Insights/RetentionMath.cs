using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>Retention at one bucket (e.g. D7), pooled over every cohort old enough to have reached it.</summary>
/// <param name="Bucket">The bucket after the born event (1 = D1 with daily units).</param>
/// <param name="Returned">Members of those cohorts who came back in that bucket.</param>
/// <param name="Users">Members of those cohorts (the denominator).</param>
public sealed record BucketRate(int Bucket, long Returned, long Users)
{
    /// <summary>Returned over users; null with no users.</summary>
    public double? Rate => Users == 0 ? null : (double)Returned / Users;

    /// <summary>e.g. "D7 21.3% (n=1,204)".</summary>
    public string Describe(string unit = "D") => Rate is { } r ? $"{unit}{Bucket} {r:P1} (n={Users:N0})" : $"{unit}{Bucket} n/a (no cohort old enough)";
}

/// <summary>Pooled retention rates from a retention result; cohorts that cannot have reached a bucket yet are left out of it.</summary>
internal static class RetentionMath
{
    public static readonly int[] Milestones = [1, 7, 30];

    public static BucketRate At(RetentionSegment segment, int bucket)
    {
        long users = 0, returned = 0;
        foreach (var cohort in segment.Cohorts.Where(c => c.Counts.Count > bucket))
        {
            users += cohort.First;
            returned += cohort.Counts[bucket];
        }

        return new BucketRate(bucket, returned, users);
    }

    /// <summary>D1, D7 and D30 (or the units' equivalents) that the result's interval count covers.</summary>
    public static IReadOnlyList<BucketRate> Milestone(RetentionSegment segment, int intervalCount) =>
        [.. Milestones.Where(m => m <= intervalCount).Select(m => At(segment, m))];

    /// <summary>Users who entered any cohort.</summary>
    public static long CohortUsers(RetentionSegment segment) => segment.Cohorts.Sum(c => c.First);
}
