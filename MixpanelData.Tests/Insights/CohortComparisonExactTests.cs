using System.Globalization;
using MixpanelData.Fetching;
using MixpanelData.Insights;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Insights;

/// <summary>
/// Workspace.Insights.CompareCohortsAsync on the demo for every saved cohort, whatever its definition. Every figure is
/// recomputed by the test itself in SQL over the export (ws.Fetch.EventsAsync) and the Engage members
/// (ws.Fetch.ProfilesAsync with the cohort id) loaded into the local store, never taken from the comparer. Each case
/// runs twice: on a workspace whose store holds that fetch (the comparer reads the table) and on one whose store is empty
/// (the comparer reads the export).
/// </summary>
[NonParallelizable]
public sealed class CohortComparisonExactTests
{
    private static readonly DateOnly LastDay = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
    private static readonly DateOnly From = LastDay.AddDays(-27);
    private static readonly DateOnly To = LastDay.AddDays(-14);
    private Workspace _ws = null!;
    private Workspace _exportOnly = null!;

    [OneTimeSetUp]
    public async Task OpenAsync()
    {
        _ws = Workspace.OpenDemo(await SharedDemo.OptionsAsync());
        await _ws.Fetch.EventsAsync(new FetchEventsRequest(From, LastDay) { Table = "ev" });
        // A second workspace on the same demo whose store holds nothing, so its comparisons read the export.
        _exportOnly = Workspace.OpenDemo(await SharedDemo.OptionsAsync());
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        await _ws.DisposeAsync();
        await _exportOnly.DisposeAsync();
    }

    [TestCase("9104", "Large free accounts", 9104L, 9105L, false, TestName = "Android users (by id) vs Large free accounts (by name), from the export")]
    [TestCase("9104", "Large free accounts", 9104L, 9105L, true, TestName = "Android users (by id) vs Large free accounts (by name), from the local table")]
    [TestCase("paying customers", "9102", 9101L, 9102L, false, TestName = "Paying customers (by name, any case) vs Referral sign-ups (by id), from the export")]
    [TestCase("paying customers", "9102", 9101L, 9102L, true, TestName = "Paying customers (by name, any case) vs Referral sign-ups (by id), from the local table")]
    [TestCase("Paid social sign-ups", "Dormant for 30 days", 9103L, 9106L, false, TestName = "Paid social sign-ups vs Dormant for 30 days (by name), from the export")]
    [TestCase("Paid social sign-ups", "Dormant for 30 days", 9103L, 9106L, true, TestName = "Paid social sign-ups vs Dormant for 30 days (by name), from the local table")]
    public async Task SavedCohorts_EveryFigureMatchesSqlOverTheExportAndTheEngageMembers(string a, string b, long idA, long idB, bool fromStore)
    {
        var report = await (fromStore ? _ws : _exportOnly).Insights.CompareCohortsAsync(new CohortComparisonRequest(a, b, From, To));

        Assert.That(report.Unanswered, Is.Empty, report.Summary);
        Assert.That(report.EventSource, fromStore
            ? Does.StartWith($"local table ev (every event {Day(From)}..{Day(LastDay)}, fetched ")
            : Does.StartWith($"export of every event {Day(From)}..{Day(LastDay)} ("), "where the events came from");
        Assert.That((report.A.Id, report.B.Id), Is.EqualTo(((long?)idA, (long?)idB)));
        Assert.That(report.BornEvent, Is.EqualTo("Sign Up"));
        Assert.That(report.Spend.Spent, Is.LessThanOrEqualTo(4), "cohort list, one Engage read per cohort, the event list (unless cached)");
        await LoadMembersAsync(idA);
        await LoadMembersAsync(idB);
        Assert.That(report.A.Members, Is.EqualTo(await ScalarAsync($"SELECT count(DISTINCT distinct_id) FROM c{idA}")).And.GreaterThan(0));
        Assert.That(report.B.Members, Is.EqualTo(await ScalarAsync($"SELECT count(DISTINCT distinct_id) FROM c{idB}")).And.GreaterThan(0));

        foreach (var r in report.Retention)
        {
            Assert.That((r.A.Users, r.A.Returned), Is.EqualTo(await RetentionAsync(idA, r.Day)), $"D{r.Day} of A");
            Assert.That((r.B.Users, r.B.Returned), Is.EqualTo(await RetentionAsync(idB, r.Day)), $"D{r.Day} of B");
        }

        Assert.That(report.Retention.Select(r => r.Day), Is.EqualTo(new[] { 1, 7, 30 }));
        Assert.That(report.Retention[0].A.Users, Is.GreaterThan(0), "members signed up in the range");

        var sunday = To.AddDays(-((int)To.DayOfWeek % 7));
        var monday = sunday.AddDays(-6);
        Assert.That(report.Activity!.Week, Is.EqualTo(Day(monday)), "the last Monday-to-Sunday week inside the range");
        var (activeA, daysA) = await WeekAsync(idA, monday);
        var (activeB, daysB) = await WeekAsync(idB, monday);
        Assert.That((report.Activity.ActiveA, report.Activity.ActiveB), Is.EqualTo((activeA, activeB)));
        Assert.That(report.Activity.DaysA, Is.EqualTo((double)daysA / activeA).Within(1e-9));
        Assert.That(report.Activity.DaysB, Is.EqualTo((double)daysB / activeB).Within(1e-9));

        var top = await _ws.Local.SqlAsync($"SELECT event_name FROM ev WHERE {InRange} AND (distinct_id IN (SELECT distinct_id FROM c{idA}) OR distinct_id IN (SELECT distinct_id FROM c{idB})) GROUP BY 1 ORDER BY count(*) FILTER (WHERE distinct_id IN (SELECT distinct_id FROM c{idA})) + count(*) FILTER (WHERE distinct_id IN (SELECT distinct_id FROM c{idB})) DESC, 1 LIMIT 5");
        Assert.That(report.EventsPerMember.Select(e => e.Event), Is.EqualTo(top.Rows.Select(r => (string)r[0]!)));
        foreach (var e in report.EventsPerMember)
        {
            var quoted = e.Event.Replace("'", "''", StringComparison.Ordinal);
            Assert.That(e.TotalA, Is.EqualTo(await ScalarAsync($"SELECT count(*) FROM ev WHERE {InRange} AND event_name = '{quoted}' AND distinct_id IN (SELECT distinct_id FROM c{idA})")), e.Event);
            Assert.That(e.TotalB, Is.EqualTo(await ScalarAsync($"SELECT count(*) FROM ev WHERE {InRange} AND event_name = '{quoted}' AND distinct_id IN (SELECT distinct_id FROM c{idB})")), e.Event);
            Assert.That(e.PerMemberA, Is.EqualTo(e.TotalA / report.A.Members).Within(1e-9));
        }

        Assert.That(report.Summary, Does.Contain(report.A.Label).And.Contain("Query API calls:"));
    }

    [Test]
    public async Task UnknownCohortName_SaysWhichSavedCohortsAreClosest()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _ws.Insights.CompareCohortsAsync(new CohortComparisonRequest("andriod user", "9102", From, To)))!;

        Assert.That(error!.Message, Does.Contain("no saved cohort is named 'andriod user'").And.Contain("Did you mean 'Android users'"));
    }

    private static string InRange => $"event_time::DATE BETWEEN DATE '{Day(From)}' AND DATE '{Day(To)}'";

    private async Task LoadMembersAsync(long id) => await _ws.Fetch.ProfilesAsync(new FetchProfilesRequest { CohortId = id, Table = $"c{id}" });

    /// <summary>Members born (first Sign Up in the range) at least <paramref name="day"/> days before the last exported day, and those with any event exactly that many days later.</summary>
    private async Task<(long Users, long Returned)> RetentionAsync(long id, int day)
    {
        var born = $"SELECT distinct_id, min(event_time::DATE) AS born FROM ev WHERE event_name = 'Sign Up' AND {InRange} AND distinct_id IN (SELECT distinct_id FROM c{id}) GROUP BY 1";
        var users = await ScalarAsync($"SELECT count(*) FROM ({born}) b WHERE b.born + {day} <= DATE '{Day(LastDay)}'");
        var returned = await ScalarAsync($"SELECT count(*) FROM ({born}) b WHERE b.born + {day} <= DATE '{Day(LastDay)}' AND EXISTS (SELECT 1 FROM ev WHERE ev.distinct_id = b.distinct_id AND ev.event_time::DATE = b.born + {day})");
        return (users, returned);
    }

    private async Task<(long Active, long Days)> WeekAsync(long id, DateOnly monday)
    {
        var days = $"SELECT distinct_id, count(DISTINCT event_time::DATE) AS d FROM ev WHERE event_time::DATE BETWEEN DATE '{Day(monday)}' AND DATE '{Day(monday.AddDays(6))}' AND distinct_id IN (SELECT distinct_id FROM c{id}) GROUP BY 1";
        return (await ScalarAsync($"SELECT count(*) FROM ({days})"), await ScalarAsync($"SELECT coalesce(sum(d), 0)::BIGINT FROM ({days})"));
    }

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await _ws.Local.SqlScalarAsync(sql), CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
