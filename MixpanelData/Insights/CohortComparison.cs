using System.Globalization;

namespace MixpanelData.Insights;

/// <summary>D1, D7 or D30 retention of two cohorts, with the test of their difference.</summary>
/// <param name="Day">1, 7 or 30.</param>
/// <param name="A">Cohort A's rate.</param>
/// <param name="B">Cohort B's rate.</param>
/// <param name="Test">The test of their difference.</param>
public sealed record RetentionContrast(int Day, BucketRate A, BucketRate B, ProportionTest Test);

/// <summary>Activity in one (complete) week: active members of each cohort out of its members, and days active per active member.</summary>
/// <param name="Week">The week's Monday.</param>
/// <param name="ActiveA">Members of A active that week.</param>
/// <param name="MembersA">Members of A.</param>
/// <param name="DaysA">Days active per active member of A.</param>
/// <param name="ActiveB">Members of B active that week.</param>
/// <param name="MembersB">Members of B.</param>
/// <param name="DaysB">Days active per active member of B.</param>
/// <param name="Test">The test of the active shares.</param>
public sealed record ActivityContrast(string Week, long ActiveA, long MembersA, double DaysA, long ActiveB, long MembersB, double DaysB, ProportionTest Test);

/// <summary>One event's volume per member in each cohort.</summary>
/// <param name="Event">The event.</param>
/// <param name="TotalA">Its count in A.</param>
/// <param name="PerMemberA">Per member of A.</param>
/// <param name="TotalB">Its count in B.</param>
/// <param name="PerMemberB">Per member of B.</param>
public sealed record EventContrast(string Event, double TotalA, double PerMemberA, double TotalB, double PerMemberB)
{
    /// <summary>A's volume per member over B's.</summary>
    public double? Ratio => PerMemberB == 0 ? null : PerMemberA / PerMemberB;
}

/// <summary>The comparisons of two cohorts, from the library's results. Pure, so every figure can be checked by hand.</summary>
internal static class CohortComparison
{
    public static EventContrast Events(string eventName, double totalA, long membersA, double totalB, long membersB) =>
        new(eventName, totalA, membersA == 0 ? 0 : totalA / membersA, totalB, membersB == 0 ? 0 : totalB / membersB);

    /// <summary>The findings in words, strongest evidence first; differences without a significant test are said to be so.</summary>
    public static IReadOnlyList<string> Findings(string nameA, string nameB, IReadOnlyList<RetentionContrast> retention, ActivityContrast? activity, IReadOnlyList<EventContrast> events)
    {
        var findings = new List<string>();
        foreach (var r in retention)
        {
            if (r.A.Rate is not { } ra || r.B.Rate is not { } rb)
            {
                findings.Add($"D{r.Day} retention cannot be compared: no cohort is old enough (n={r.A.Users:N0} and n={r.B.Users:N0}).");
                continue;
            }

            var verdict = !r.Test.Significant
                ? (r.Test.Z is null ? "cannot tell which retains better" : "no significant difference")
                : ra >= rb ? $"{nameA} retains better" : $"{nameB} retains better";
            findings.Add($"D{r.Day}: {verdict} — {ra:P1} (n={r.A.Users:N0}) vs {rb:P1} (n={r.B.Users:N0}); {r.Test.Describe()}.");
        }

        if (activity is not null)
        {
            findings.Add($"Week of {activity.Week}: {activity.Test.RateA:P1} of {activity.MembersA:N0} members active ({activity.DaysA:0.00} days each) vs {activity.Test.RateB:P1} of {activity.MembersB:N0} ({activity.DaysB:0.00} days each); {activity.Test.Describe()}.");
        }

        var compared = events.Where(e => e.Ratio is not null).ToList();
        if (compared.Count > 0)
        {
            findings.Add("Events per member (A vs B; not tested, per-user counts are heavy-tailed): "
                + string.Join(", ", compared.Select(e => $"{e.Event} {e.PerMemberA:0.00} vs {e.PerMemberB:0.00} ({e.Ratio:0.00}×)")) + ".");
        }

        return findings;
    }
}

/// <summary>
/// The events an exact comparison reads: rows of (event, UTC day, distinct id, how many such events), how many events
/// and users they hold, and where they came from (the export, or a fetched table of the local store).
/// </summary>
internal sealed record ExportedEvents(IReadOnlyList<(string Name, DateOnly Day, string User, long Count)> Rows, long Count, int Users, string Source);

/// <summary>
/// Two cohorts' members joined to exported events, counted exactly. Pure, so every figure can be checked by hand:
/// a member is born on the day of their first sign-up event inside the range; they are retained on day N when they sent
/// any event on the N-th day after it, counted only for members born at least N days before the last exported day;
/// weekly activity is the members with any event in the week and their distinct active days; events per member count
/// each event inside the range over the cohort's members.
/// </summary>
internal sealed class CohortActivity
{
    private readonly Dictionary<string, DateOnly> _born = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<DateOnly>> _days = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _events = new(StringComparer.Ordinal);

    private CohortActivity(long members) => Members = members;

    public long Members { get; }

    public static (CohortActivity A, CohortActivity B, Func<DateOnly, ActivityContrast> Activity, Func<int, IReadOnlyList<EventContrast>> TopEvents) Join(
        ExportedEvents events, IReadOnlySet<string> a, IReadOnlySet<string> b, string? signup, DateOnly from, DateOnly to)
    {
        var ca = new CohortActivity(a.Count);
        var cb = new CohortActivity(b.Count);
        foreach (var (name, day, user, count) in events.Rows)
        {
            if (a.Contains(user))
            {
                ca.Add(name, day, user, count, signup, from, to);
            }

            if (b.Contains(user))
            {
                cb.Add(name, day, user, count, signup, from, to);
            }
        }

        return (ca, cb, monday => Activity(ca, cb, monday), n => Top(ca, cb, n));
    }

    /// <summary>The latest Monday whose week (Monday to Sunday) lies wholly inside the range, or null.</summary>
    public static DateOnly? LastCompleteWeek(DateOnly from, DateOnly to)
    {
        var sunday = to.AddDays(-((int)to.DayOfWeek % 7));
        var monday = sunday.AddDays(-6);
        return monday >= from ? monday : null;
    }

    /// <summary>Day-N retention pooled over the members born early enough to have reached day N by <paramref name="lastDay"/>.</summary>
    public BucketRate Retention(int day, DateOnly lastDay)
    {
        long users = 0, returned = 0;
        foreach (var (user, born) in _born)
        {
            if (born.AddDays(day) > lastDay)
            {
                continue;
            }

            users++;
            if (_days[user].Contains(born.AddDays(day)))
            {
                returned++;
            }
        }

        return new BucketRate(day, returned, users);
    }

    private void Add(string name, DateOnly day, string user, long count, string? signup, DateOnly from, DateOnly to)
    {
        if (!_days.TryGetValue(user, out var days))
        {
            _days[user] = days = [];
        }

        days.Add(day);
        if (day < from || day > to)
        {
            return;
        }

        _events[name] = _events.GetValueOrDefault(name) + count;
        if (name == signup && (!_born.TryGetValue(user, out var born) || day < born))
        {
            _born[user] = day;
        }
    }

    private (long Active, long ActiveDays) Week(DateOnly monday)
    {
        long active = 0, activeDays = 0;
        foreach (var days in _days.Values)
        {
            var inWeek = days.Count(d => d >= monday && d <= monday.AddDays(6));
            if (inWeek > 0)
            {
                active++;
                activeDays += inWeek;
            }
        }

        return (active, activeDays);
    }

    private static ActivityContrast Activity(CohortActivity a, CohortActivity b, DateOnly monday)
    {
        var (activeA, daysA) = a.Week(monday);
        var (activeB, daysB) = b.Week(monday);
        return new ActivityContrast(
            monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            activeA,
            a.Members,
            activeA == 0 ? 0 : (double)daysA / activeA,
            activeB,
            b.Members,
            activeB == 0 ? 0 : (double)daysB / activeB,
            Statistics.TwoProportions(activeA, a.Members, activeB, b.Members));
    }

    private static IReadOnlyList<EventContrast> Top(CohortActivity a, CohortActivity b, int n) =>
        [.. a._events.Keys.Union(b._events.Keys)
            .OrderByDescending(e => a._events.GetValueOrDefault(e) + b._events.GetValueOrDefault(e))
            .ThenBy(e => e, StringComparer.Ordinal)
            .Take(n)
            .Select(e => CohortComparison.Events(e, a._events.GetValueOrDefault(e), a.Members, b._events.GetValueOrDefault(e), b.Members))];
}
