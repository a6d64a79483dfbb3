using System.Text.Json.Nodes;
using MixpanelData.Emulation;
using MixpanelData.Queries;
using MixpanelData.Tests.Emulation;

namespace MixpanelData.Tests.Workspaces;

/// <summary>
/// <c>ws.Query</c> against the emulator's fixture project (rows in <see cref="EmulatorFixture.Rows"/>; 2026-03-02 is a
/// Monday). Every expected number is worked out by hand from those rows in the comments.
/// </summary>
public sealed class QueryClientTests
{
    private static readonly DateOnly Mar02 = new(2026, 3, 2);
    private static readonly DateOnly Mar03 = new(2026, 3, 3);
    private static readonly DateOnly Mar04 = new(2026, 3, 4);
    private static readonly DateOnly Mar05 = new(2026, 3, 5);

    [Test]
    public async Task SegmentationAsync_SignUpPerDay_CountsEachDayIncludingEmptyOnes()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", new(2026, 3, 1), Mar05));

        // 03-02: u1, u2; 03-03: u3, u4 (23:30); 03-04: u4 again; none on 03-01 and 03-05.
        Assert.That(result.Series, Is.EqualTo(new[] { "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05" }));
        Assert.That(result.Segments.Single().Name, Is.EqualTo("Sign Up"));
        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 0, 2, 2, 1, 0 }));
        Assert.That(result.SegmentLimitHit, Is.False);
    }

    [Test]
    public async Task SegmentationAsync_OnBrowserUnique_KeepsEverySegmentLargestFirst()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", Mar02, Mar04) { On = "properties[\"browser\"]", Type = CountType.Unique });

        // Chrome: u1 03-02, u3 03-03; Firefox: u4 03-03 and 03-04; Safari: u2 03-02.
        Assert.That(result.Segments.Select(s => (s.Name, s.Values)), Is.EqualTo(new[]
        {
            ("Chrome", (IReadOnlyList<double>)[1, 1, 0]),
            ("Firefox", (IReadOnlyList<double>)[0, 1, 1]),
            ("Safari", (IReadOnlyList<double>)[1, 0, 0]),
        }));
        Assert.That(result.On, Is.EqualTo("properties[\"browser\"]"));
        Assert.That(result.SegmentLimitHit, Is.False);
    }

    [Test]
    public async Task SegmentationAsync_LimitBelowTheSegments_ReportsTheLimitHit()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", Mar02, Mar04) { On = "properties[\"browser\"]", Limit = 2 });

        // Chrome 2 and Firefox 2 events beat Safari's 1.
        Assert.That(result.Segments.Select(s => s.Name), Is.EqualTo(new[] { "Chrome", "Firefox" }));
        Assert.That(result.SegmentLimitHit, Is.True);
    }

    [Test]
    public async Task SegmentationAsync_WhereFilter_IsSentToMixpanel()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", Mar02, Mar04) { Where = "properties[\"browser\"] == \"Chrome\"" });

        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 1, 1, 0 }));
    }

    [Test]
    public async Task SegmentationAsync_WeekUnit_OneBucketPerMonday()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Login", Mar02, new(2026, 3, 15)) { Unit = TimeUnit.Week });

        // Week of 03-02: logins on 03-02, 03-03, 03-04 ×2, 03-05 = 5; week of 03-09: u3 on 03-10 = 1.
        Assert.That(result.Series, Is.EqualTo(new[] { "2026-03-02", "2026-03-09" }));
        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 5, 1 }));
    }

    [Test]
    public async Task SegmentationNumericAsync_Revenue_RangesLowestFirst()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationNumericAsync(new NumericSegmentationQuery("Sign Up", Mar02, Mar03, "properties[\"revenue\"]"));

        // Revenue 10 and 25 on 03-02, 5 on 03-03.
        Assert.That(result.Ranges.Select(r => r.Name), Is.EqualTo(new[] { "4 - 6", "10 - 12", "24 - 26" }));
        Assert.That(result.Ranges.Select(r => r.Values), Is.EqualTo(new IReadOnlyList<double>[] { [0, 1], [1, 0], [1, 0] }));
    }

    [Test]
    public async Task SegmentationSumAsync_Revenue_SumsPerDay()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationSumAsync(new NumericAggregateQuery("Sign Up", Mar02, Mar04, "properties[\"revenue\"]"));

        Assert.That(result.Aggregate, Is.EqualTo(NumericAggregate.Sum));
        Assert.That(result.Series, Is.EqualTo(new[] { "2026-03-02", "2026-03-03", "2026-03-04" }));
        Assert.That(result.Values, Is.EqualTo(new double[] { 35, 5, 0 }));
        Assert.That(result.ComputedAt, Is.EqualTo(EmulatorFixture.Now));
    }

    [Test]
    public async Task SegmentationAverageAsync_Revenue_AveragesPerDay()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SegmentationAverageAsync(new NumericAggregateQuery("Sign Up", Mar02, Mar02, "properties[\"revenue\"]"));

        // (10 + 25) / 2.
        Assert.That(result.Aggregate, Is.EqualTo(NumericAggregate.Average));
        Assert.That(result.Values, Is.EqualTo(new double[] { 17.5 }));
        Assert.That(result.ComputedAt, Is.Null);
    }

    [Test]
    public async Task EventCountsAsync_TwoEvents_OneLinePerEvent()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.EventCountsAsync(new EventCountsQuery(["Sign Up", "Login"], Mar02, Mar05));

        // Login: 03-02 u2, 03-03 u1, 03-04 u2 and u5, 03-05 u1. Sign Up: 2, 2, 1, 0. Equal totals go by name.
        Assert.That(result.Segments.Select(s => (s.Name, s.Values)), Is.EqualTo(new[]
        {
            ("Login", (IReadOnlyList<double>)[1, 1, 2, 1]),
            ("Sign Up", (IReadOnlyList<double>)[2, 2, 1, 0]),
        }));
    }

    [Test]
    public async Task EventCountsAsync_EventWithoutDataInRange_GetsAZeroLine()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.EventCountsAsync(new EventCountsQuery(["Login", "Invite Teammate"], Mar04, Mar05));

        Assert.That(result.Segments.Single(s => s.Name == "Invite Teammate").Values, Is.EqualTo(new double[] { 0, 0 }));
    }

    [Test]
    public async Task PropertyCountsAsync_Browser_CountsPerValue()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.PropertyCountsAsync(new PropertyCountsQuery("Sign Up", "browser", Mar02, Mar04));

        Assert.That(result.On, Is.EqualTo("properties[\"browser\"]"));
        Assert.That(result.Segments.Select(s => (s.Name, s.Values)), Is.EqualTo(new[]
        {
            ("Chrome", (IReadOnlyList<double>)[1, 1, 0]),
            ("Firefox", (IReadOnlyList<double>)[0, 1, 1]),
            ("Safari", (IReadOnlyList<double>)[1, 0, 0]),
        }));
    }

    [Test]
    public async Task PropertyCountsAsync_Values_KeepsOnlyThoseValues()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.PropertyCountsAsync(new PropertyCountsQuery("Sign Up", "browser", Mar02, Mar04) { Values = ["Safari"] });

        Assert.That(result.Segments.Select(s => s.Name), Is.EqualTo(new[] { "Safari" }));
    }

    [Test]
    public async Task FunnelAsync_OneBucket_CountsStepsAndCarriesTheName()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar04) { Interval = 3 });

        // All four sign up and create a project within 7 days; only u1 invites after creating in time.
        Assert.That(result.FunnelId, Is.EqualTo(7));
        Assert.That(result.Name, Is.EqualTo("Activation"));
        Assert.That(result.Funnel.Steps, Is.EqualTo(new[] { "Sign Up", "Create Project", "Invite Teammate" }));
        Assert.That(result.Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 4, 4, 1 }));
        Assert.That(result.Overall.ConversionRate, Is.EqualTo(0.25));
        Assert.That(result.Overall.Steps[1].AverageSecondsFromPrevious, Is.EqualTo(68_400), "u1 1 h, u2 48 h, u3 2 h, u4 25 h");
        Assert.That(result.Buckets.Select(b => b.Date), Is.EqualTo(new[] { "2026-03-02" }));
    }

    [Test]
    public async Task FunnelAsync_On_KeepsEverySegmentPerDateAndOverTheRange()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar03) { On = "properties[\"browser\"]" });

        // 03-02: u1 (Chrome) completes; u2 (Safari) creates on 03-04 but invites 8 days after signing up.
        // 03-03: u3 (Chrome) invites before creating; u4 (Firefox) creates on 03-05 and never invites.
        Assert.That(result.Buckets.Select(b => b.Date), Is.EqualTo(new[] { "2026-03-02", "2026-03-03" }));
        var first = result.Buckets[0];
        Assert.That(first.Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 2, 2, 1 }));
        Assert.That(first.Segments.Select(s => (s.Segment, Counts(s))), Is.EqualTo(new[] { ("Chrome", "1,1,1"), ("Safari", "1,1,0") }));
        Assert.That(result.Buckets[1].Segments.Select(s => (s.Segment, Counts(s))), Is.EqualTo(new[] { ("Chrome", "1,1,0"), ("Firefox", "1,1,0") }));
        Assert.That(result.Segments.Select(s => (s.Segment, Counts(s))), Is.EqualTo(new[] { ("Chrome", "2,2,1"), ("Firefox", "1,1,0"), ("Safari", "1,1,0") }));
        Assert.That(Counts(result.Overall), Is.EqualTo("4,4,1"));
        Assert.That(result.Funnel.SegmentLimitHit, Is.False);
    }

    [Test]
    public async Task FunnelAsync_OnWithLimitOne_KeepsTheLargestAndReportsTheHit()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar03) { On = "properties[\"browser\"]", Limit = 1 });

        Assert.That(result.Segments.Select(s => s.Segment), Is.EqualTo(new[] { "Chrome" }));
        Assert.That(result.Funnel.SegmentLimitHit, Is.True);
    }

    [Test]
    public async Task FunnelAsync_FunnelListCached_AsksOnlyForTheFunnel()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        await live.Workspace.Discovery.FunnelsAsync();

        var result = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar02));

        Assert.That(result.Name, Is.EqualTo("Activation"));
        Assert.That(live.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task FunnelAsync_UnknownFunnel_IsAQueryException()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var ex = await Assert.ThrowsAsync<QueryException>(() => live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(999, Mar02, Mar02)));

        Assert.That(ex!.MixpanelError, Does.Contain("999"));
    }

    [Test]
    public async Task FunnelAsync_WindowInWeeks_IsSentAsDays()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        // One-day window: u2 (48 h) and u4 (25 h) no longer create a project in time.
        var oneDay = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar04) { Interval = 3, WindowLength = 1 });
        var oneWeek = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar04) { Interval = 3, WindowLength = 1, WindowUnit = WindowUnit.Week });

        Assert.That(Counts(oneDay.Overall), Is.EqualTo("4,2,1"));
        Assert.That(Counts(oneWeek.Overall), Is.EqualTo("4,4,1"));
    }

    [Test]
    public async Task RetentionAsync_BirthSignUpThenLogin_CountsReturnsPerDay()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.RetentionAsync(new RetentionQuery(Mar02, Mar03) { BornEvent = "Sign Up", Event = "Login", IntervalCount = 3 });

        // Cohort 03-02: u1 logs in on days 1 and 3, u2 on day 2 (its earlier login doesn't count).
        // Cohort 03-03: u3 logs in on day 7 (beyond 3 buckets), u4 never.
        Assert.That(result.Overall.Cohorts, Has.Count.EqualTo(2));
        Assert.That((result.Overall.Cohorts[0].Date, result.Overall.Cohorts[0].First, result.Overall.Cohorts[0].Counts), Is.EqualTo(("2026-03-02", 2L, (IReadOnlyList<long>)[0, 1, 1, 1])));
        Assert.That((result.Overall.Cohorts[1].Date, result.Overall.Cohorts[1].First, result.Overall.Cohorts[1].Counts), Is.EqualTo(("2026-03-03", 2L, (IReadOnlyList<long>)[0, 0, 0, 0])));
        Assert.That(result.Segments, Is.Empty);
    }

    [Test]
    public async Task RetentionAsync_On_KeepsEachSegmentsCohorts()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.RetentionAsync(new RetentionQuery(Mar02, Mar02) { BornEvent = "Sign Up", Event = "Login", IntervalCount = 3, On = "properties[\"browser\"]" });

        // u1 (Chrome) returns on days 1 and 3; u2 (Safari) on day 2.
        Assert.That(result.Segments.Select(s => s.Segment), Is.EqualTo(new[] { "Chrome", "Safari" }));
        Assert.That(result.Segments[0].Cohorts.Single().Counts, Is.EqualTo(new long[] { 0, 1, 0, 1 }));
        Assert.That(result.Segments[1].Cohorts.Single().Counts, Is.EqualTo(new long[] { 0, 0, 1, 0 }));
        Assert.That(result.Overall.Cohorts.Single().First, Is.EqualTo(2));
    }

    [Test]
    public async Task RetentionAsync_TwoWeekBuckets_SendsIntervalInDaysWithoutUnit()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        // The emulator answers 400 when both interval and unit arrive, as Mixpanel's client avoids.
        var result = await live.Workspace.Query.RetentionAsync(new RetentionQuery(Mar02, Mar03) { BornEvent = "Sign Up", Event = "Login", Interval = 2, Unit = TimeUnit.Week });

        // Cohorts stay daily; each return bucket spans 14 days. 03-02: u1 (03-03) and u2 (03-04) return; 03-03: u3 (03-10) does, u4 never.
        Assert.That(result.Overall.Cohorts.Select(c => (c.Date, c.First, c.Counts[0])), Is.EqualTo(new[] { ("2026-03-02", 2L, 2L), ("2026-03-03", 2L, 1L) }));
    }

    [Test]
    public async Task RetentionAsync_Compounded_NeedsNoBornEvent()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.RetentionAsync(new RetentionQuery(Mar04, Mar04) { Type = RetentionType.Compounded, Event = "Login", IntervalCount = 1 });

        // Logins on 03-04: u2 and u5 (bucket 0 is the cohort day itself, so counts[0] = first); on 03-05 only u1, who is not in it.
        Assert.That(result.Overall.Cohorts.Single().First, Is.EqualTo(2));
        Assert.That(result.Overall.Cohorts.Single().Counts, Is.EqualTo(new long[] { 2, 0 }));
    }

    [Test]
    public async Task FrequencyAsync_WeeklyByDay_CountsUsersPerNumberOfActiveDays()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.FrequencyAsync(new FrequencyQuery(Mar02, new(2026, 3, 8)) { Event = "Login", Unit = TimeUnit.Week, AddictionUnit = TimeUnit.Day });

        // u1 logs in on 2 days, u2 on 2 days, u5 on 1 day: 3 users on ≥1 day, 2 on ≥2 days.
        var period = result.Periods.Single();
        Assert.That(period.Date, Is.EqualTo("2026-03-02"));
        Assert.That(period.Counts, Is.EqualTo(new long[] { 3, 2, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public async Task ActivityFeedAsync_UnderTheLimit_ReturnsEveryEventInOrder()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.ActivityFeedAsync(new ActivityFeedQuery(["u1"], Mar02, Mar03));

        Assert.That(result.Events.Select(e => e.Event), Is.EqualTo(new[] { "Sign Up", "Create Project", "Invite Teammate", "Login" }));
        Assert.That(result.Events[0].Time, Is.EqualTo(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)));
        Assert.That(result.Events[0].DistinctId, Is.EqualTo("u1"));
        Assert.That(result.Events[0].Properties["browser"].GetString(), Is.EqualTo("Chrome"));
        Assert.That((result.Total, result.Truncated), Is.EqualTo((4, false)));
    }

    [Test]
    public async Task ActivityFeedAsync_OverTheLimit_KeepsTheLatestAndSaysSo()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.ActivityFeedAsync(new ActivityFeedQuery(["u1", "u2"], Mar02, Mar03) { Limit = 2 });

        // u1 and u2 on 03-02..03-03: u1 Sign Up 09:00, u2 Login 10:00, u1 Create 10:00, u2 Sign Up 11:00, u1 Invite 08:00 (03-03), u1 Login 09:00 (03-03).
        Assert.That(result.Events.Select(e => e.Event), Is.EqualTo(new[] { "Invite Teammate", "Login" }));
        Assert.That((result.Total, result.Truncated), Is.EqualTo((6, true)));
    }

    [Test]
    public async Task SavedReportAsync_InsightsReport_KeepsHeadersSeriesRangeAndMeta()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SavedReportAsync(new SavedReportQuery(500));

        // The report covers the 30 days up to the emulator's yesterday (03-20): 02-19..03-20.
        Assert.That(result.Headers, Is.EqualTo(new[] { "$metric" }));
        Assert.That(result.FromDate, Is.EqualTo(new DateTimeOffset(2026, 2, 19, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(result.ToDate!.Value.Date, Is.EqualTo(new DateTime(2026, 3, 20)));
        Assert.That(result.Values.Single(v => v.Path[1] == "2026-03-02T00:00:00+00:00").Value, Is.EqualTo(2));
        Assert.That(result.Values.Where(v => v.Path[0] == "Sign Up [Total Events]").Sum(v => v.Value), Is.EqualTo(5));
        Assert.That(result.Series.GetProperty("Sign Up [Total Events]").GetProperty("2026-03-03T00:00:00+00:00").GetDouble(), Is.EqualTo(2));
        Assert.That(result.SegmentLimitHit, Is.False);
        Assert.That(result.Meta, Is.Not.Null);
        Assert.That(result.ComputedAt, Is.EqualTo(EmulatorFixture.Now));
    }

    [Test]
    public async Task SavedReportAsync_RetentionReport_FlattensCountsWithTheirIndex()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var result = await live.Workspace.Query.SavedReportAsync(new SavedReportQuery(502));

        Assert.That(result.Headers, Is.EqualTo(new[] { "$retention", "segment" }));
        Assert.That(result.Values.Single(v => v.Path.SequenceEqual(new[] { "$overall", "2026-03-02T00:00:00", "first" })).Value, Is.EqualTo(2));
        Assert.That(result.Values.Single(v => v.Path.SequenceEqual(new[] { "$overall", "2026-03-02T00:00:00", "counts", "1" })).Value, Is.EqualTo(1));
    }

    [Test]
    public async Task SavedReportAsync_UnknownBookmark_IsNotFound()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => live.Workspace.Query.SavedReportAsync(new SavedReportQuery(12345)));
    }

    [Test]
    public async Task JqlAsync_AnyScript_IsAJqlExceptionSayingJqlIsInMaintenance()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var ex = await Assert.ThrowsAsync<JqlException>(() => live.Workspace.Query.JqlAsync(new JqlQuery("function main() { return Events(params); }") { Params = new JsonObject { ["from_date"] = "2026-03-02" } }));

        Assert.That(ex!.Message, Does.Contain("maintenance mode"));
        Assert.That(ex.MixpanelError, Does.Contain("does not execute JavaScript"));
        Assert.That(ex.Code, Is.EqualTo(MixpanelErrorCodes.JqlError));
    }

    private static string Counts(Queries.FunnelSteps steps) => string.Join(",", steps.Steps.Select(s => s.Count));
}
