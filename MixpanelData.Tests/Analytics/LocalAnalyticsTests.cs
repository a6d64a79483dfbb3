using MixpanelData.Analytics;
using MixpanelData.Queries;
using MixpanelData.Storage;

namespace MixpanelData.Tests.Analytics;

/// <summary>
/// The analytics engine on a tiny hand-built table. Every expected number below was worked out by hand from
/// the rows in <see cref="Rows"/> (see the comments), not produced by the engine.
/// </summary>
public sealed class LocalAnalyticsTests
{
    // 2026-03-02 is a Monday.
    private const string Rows = """
        ('Sign Up',         '2026-03-02 09:00:00', 'u1', 'i01', '{"browser":"Chrome"}'),
        ('Create Project',  '2026-03-02 10:00:00', 'u1', 'i02', '{}'),
        ('Invite Teammate', '2026-03-03 08:00:00', 'u1', 'i03', '{}'),
        ('Login',           '2026-03-03 09:00:00', 'u1', 'i04', '{}'),
        ('Login',           '2026-03-05 12:00:00', 'u1', 'i05', '{}'),
        ('Sign Up',         '2026-03-02 11:00:00', 'u2', 'i06', '{"browser":"Safari"}'),
        ('Login',           '2026-03-02 10:00:00', 'u2', 'i07', '{}'),
        ('Create Project',  '2026-03-04 11:00:00', 'u2', 'i08', '{}'),
        ('Login',           '2026-03-04 10:00:00', 'u2', 'i09', '{}'),
        ('Invite Teammate', '2026-03-10 12:00:00', 'u2', 'i10', '{}'),
        ('Sign Up',         '2026-03-03 08:00:00', 'u3', 'i11', '{"browser":"Chrome"}'),
        ('Invite Teammate', '2026-03-03 09:00:00', 'u3', 'i12', '{}'),
        ('Create Project',  '2026-03-03 10:00:00', 'u3', 'i13', '{}'),
        ('Login',           '2026-03-10 10:00:00', 'u3', 'i14', '{}'),
        ('Sign Up',         '2026-03-03 23:30:00', 'u4', 'i15', '{"browser":"Firefox"}'),
        ('Sign Up',         '2026-03-04 01:00:00', 'u4', 'i16', '{"browser":"Firefox"}'),
        ('Create Project',  '2026-03-05 00:30:00', 'u4', 'i17', '{}'),
        ('Login',           '2026-03-04 15:00:00', 'u5', 'i18', '{}')
        """;

    private static readonly DateOnly Mar2 = new(2026, 3, 2);
    private static readonly DateOnly Mar3 = new(2026, 3, 3);
    private static readonly DateOnly Mar4 = new(2026, 3, 4);
    private static readonly DateOnly Mar5 = new(2026, 3, 5);
    private static readonly string[] SignupFunnel = ["Sign Up", "Create Project", "Invite Teammate"];

    private LocalStore _store = null!;
    private LocalAnalytics _analytics = null!;

    [OneTimeSetUp]
    public async Task CreateTable()
    {
        _store = LocalStore.OpenInMemory();
        await _store.SqlAsync($"""
            CREATE TABLE events AS
            SELECT event_name, CAST(event_time AS TIMESTAMP) AS event_time, distinct_id, insert_id, CAST(properties AS JSON) AS properties
            FROM (VALUES {Rows}) AS t(event_name, event_time, distinct_id, insert_id, properties)
            """);
        _analytics = new LocalAnalytics(_store);
    }

    [OneTimeTearDown]
    public async Task Close() => await _store.DisposeAsync();

    [Test]
    public async Task Segmentation_SignUpsPerDay_CountsEveryEvent()
    {
        var result = await _analytics.SegmentationAsync(new SegmentationQuery("Sign Up", Mar2, Mar4));

        // 03-02: u1, u2; 03-03: u3, u4 (23:30); 03-04: u4 again (01:00).
        Assert.That(result.Series, Is.EqualTo(new[] { "2026-03-02", "2026-03-03", "2026-03-04" }));
        Assert.That(result.Segments.Single().Name, Is.EqualTo("Sign Up"));
        Assert.That(result.Segments.Single().Values, Is.EqualTo(new[] { 2.0, 2, 1 }));
    }

    [Test]
    public async Task Segmentation_OnBrowser_LinesBySegmentLargestFirst()
    {
        var result = await _analytics.SegmentationAsync(new SegmentationQuery("Sign Up", Mar2, Mar4) { On = "properties[\"browser\"]" });

        // Chrome: u1 (03-02), u3 (03-03); Firefox: u4 twice (03-03, 03-04); Safari: u2 (03-02).
        Assert.That(result.Segments.Select(s => s.Name), Is.EqualTo(new[] { "Chrome", "Firefox", "Safari" }));
        Assert.That(result.Segments[0].Values, Is.EqualTo(new[] { 1.0, 1, 0 }));
        Assert.That(result.Segments[1].Values, Is.EqualTo(new[] { 0.0, 1, 1 }));
        Assert.That(result.Segments[2].Values, Is.EqualTo(new[] { 1.0, 0, 0 }));
        Assert.That(result.SegmentLimitHit, Is.False);
    }

    [Test]
    public async Task Segmentation_LimitOne_KeepsTheLargestAndSaysTheLimitWasHit()
    {
        var result = await _analytics.SegmentationAsync(new SegmentationQuery("Sign Up", Mar2, Mar4) { On = "properties[\"browser\"]", Limit = 1 });

        Assert.That(result.Segments.Select(s => s.Name), Is.EqualTo(new[] { "Chrome" }));
        Assert.That(result.SegmentLimitHit, Is.True);
    }

    [Test]
    public async Task Segmentation_UniqueByWeek_CountsDistinctUsers()
    {
        var result = await _analytics.SegmentationAsync(new SegmentationQuery("Sign Up", Mar2, Mar4) { Type = CountType.Unique, Unit = TimeUnit.Week });

        // Five sign-ups by four users, all in the week of Monday 03-02.
        Assert.That(result.Series, Is.EqualTo(new[] { "2026-03-02" }));
        Assert.That(result.Segments.Single().Values, Is.EqualTo(new[] { 4.0 }));
    }

    [Test]
    public async Task Segmentation_AveragePerDay_IsEventsPerUser()
    {
        var result = await _analytics.SegmentationAsync(new SegmentationQuery("Sign Up", Mar3, Mar4) { Type = CountType.Average });

        // 03-03: 2 events / 2 users; 03-04: 1 / 1.
        Assert.That(result.Segments.Single().Values, Is.EqualTo(new[] { 1.0, 1.0 }));
    }

    [Test]
    public async Task Segmentation_Where_FiltersEvents()
    {
        var result = await _analytics.SegmentationAsync(new SegmentationQuery("Sign Up", Mar2, Mar4) { Where = "properties[\"browser\"] != \"Chrome\"" });

        Assert.That(result.Segments.Single().Values, Is.EqualTo(new[] { 1.0, 1, 1 }));
    }

    [Test]
    public async Task Segmentation_HourBuckets_UseFullTimestamps()
    {
        var result = await _analytics.SegmentationAsync(new SegmentationQuery("Login", Mar2, Mar2) { Unit = TimeUnit.Hour });

        Assert.That(result.Series, Has.Count.EqualTo(24));
        Assert.That(result.Series[10], Is.EqualTo("2026-03-02 10:00:00"));
        Assert.That(result.Segments.Single().Values[10], Is.EqualTo(1.0));
        Assert.That(result.Segments.Single().Total, Is.EqualTo(1.0));
    }

    [Test]
    public async Task Segmentation_UnknownEvent_SuggestsTheClosestNames()
    {
        var ex = await Assert.ThrowsAsync<EventNotFoundException>(() => _analytics.SegmentationAsync(new SegmentationQuery("sign-up", Mar2, Mar4)));

        Assert.That(ex!.Suggestions.First(), Is.EqualTo("Sign Up"));
        Assert.That(ex.Message, Does.Contain("'Sign Up'"));
    }

    [Test]
    public async Task Segmentation_ReversedRange_SaysSo()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _analytics.SegmentationAsync(new SegmentationQuery("Sign Up", Mar4, Mar2)));

        Assert.That(ex!.Message, Does.Contain("reversed"));
    }

    [Test]
    public async Task EventCounts_TwoEvents_OneLineEach()
    {
        var result = await _analytics.EventCountsAsync(["Login", "Sign Up"], Mar2, Mar5);

        // Logins: 03-02 u2; 03-03 u1; 03-04 u2, u5; 03-05 u1.
        Assert.That(result.Segments.Single(s => s.Name == "Login").Values, Is.EqualTo(new[] { 1.0, 1, 2, 1 }));
        Assert.That(result.Segments.Single(s => s.Name == "Sign Up").Values, Is.EqualTo(new[] { 2.0, 2, 1, 0 }));
    }

    [Test]
    public async Task Funnel_SignupToInvite_CountsOrderedStepsWithinTheWindow()
    {
        var result = await _analytics.FunnelAsync(new FunnelQuery(SignupFunnel, Mar2, Mar4) { WindowLength = 7 });

        // u1 completes; u2's invite is 8 days later (outside 7 days); u3 invited before creating; u4 never invites.
        var steps = result.Overall.Steps;
        Assert.That(steps.Select(s => s.Count), Is.EqualTo(new long[] { 4, 4, 1 }));
        Assert.That(steps.Select(s => s.StepConversion), Is.EqualTo(new[] { 1, 1, 0.25 }));
        Assert.That(steps.Select(s => s.OverallConversion), Is.EqualTo(new[] { 1, 1, 0.25 }));

        // Create after sign-up: u1 1 h, u2 48 h, u3 2 h, u4 25 h → mean 19 h = 68,400 s.
        Assert.That(steps[0].AverageSecondsFromPrevious, Is.Null);
        Assert.That(steps[1].AverageSecondsFromPrevious, Is.EqualTo(68_400).Within(0.001));
        Assert.That(steps[2].AverageSecondsFromPrevious, Is.EqualTo(79_200).Within(0.001));
        Assert.That(steps[2].AverageSecondsFromStart, Is.EqualTo(82_800).Within(0.001));
        Assert.That(result.Overall.WorstStep, Is.EqualTo(2));
        Assert.That(result.Overall.ConversionRate, Is.EqualTo(0.25));
    }

    [Test]
    public async Task Funnel_WiderWindow_LetsTheLateInviteConvert()
    {
        var result = await _analytics.FunnelAsync(new FunnelQuery(SignupFunnel, Mar2, Mar4) { WindowLength = 30 });

        Assert.That(result.Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 4, 4, 2 }));
    }

    [Test]
    public async Task Funnel_OnBrowser_KeepsEverySegment()
    {
        var result = await _analytics.FunnelAsync(new FunnelQuery(SignupFunnel, Mar2, Mar4) { WindowLength = 7, On = "properties[\"browser\"]" });

        var bySegment = result.Segments.ToDictionary(s => s.Segment, s => s.Steps.Select(x => x.Count).ToArray());
        Assert.That(bySegment["Chrome"], Is.EqualTo(new long[] { 2, 2, 1 }));
        Assert.That(bySegment["Safari"], Is.EqualTo(new long[] { 1, 1, 0 }));
        Assert.That(bySegment["Firefox"], Is.EqualTo(new long[] { 1, 1, 0 }));
        Assert.That(result.Segments[0].Segment, Is.EqualTo("Chrome"));
        Assert.That(result.Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 4, 4, 1 }));
    }

    [Test]
    public async Task Funnel_DailyBuckets_EntersOncePerBucket()
    {
        var result = await _analytics.FunnelAsync(new FunnelQuery(SignupFunnel, Mar2, Mar4) { WindowLength = 7, BucketUnit = TimeUnit.Day });

        // u4 signs up on 03-03 and again on 03-04, so enters both buckets.
        Assert.That(result.Buckets.Select(b => b.Date), Is.EqualTo(new[] { "2026-03-02", "2026-03-03", "2026-03-04" }));
        Assert.That(result.Buckets[0].Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 2, 2, 1 }));
        Assert.That(result.Buckets[1].Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 2, 2, 0 }));
        Assert.That(result.Buckets[2].Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 1, 1, 0 }));
    }

    [Test]
    public async Task Funnel_RepeatedStep_NeedsASecondEvent()
    {
        var result = await _analytics.FunnelAsync(new FunnelQuery(["Sign Up", "Sign Up"], Mar2, Mar4));

        // Only u4 signs up twice.
        Assert.That(result.Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 4, 1 }));
    }

    [Test]
    public async Task Retention_BirthDaily_CountsReturnsAfterTheBornEvent()
    {
        var result = await _analytics.RetentionAsync(new RetentionQuery(Mar2, Mar4) { BornEvent = "Sign Up", Event = "Login", IntervalCount = 3 });

        // Cohort 03-02: u1 (logins on day 1 and day 3), u2 (login before sign-up doesn't count; day 2).
        // Cohort 03-03: u3 (login on day 7, beyond the 3 buckets), u4 (no logins).
        var cohorts = result.Overall.Cohorts;
        Assert.That(cohorts.Select(c => c.Date), Is.EqualTo(new[] { "2026-03-02", "2026-03-03" }));
        Assert.That(cohorts[0].First, Is.EqualTo(2));
        Assert.That(cohorts[0].Counts, Is.EqualTo(new long[] { 0, 1, 1, 1 }));
        Assert.That(cohorts[1].First, Is.EqualTo(2));
        Assert.That(cohorts[1].Counts, Is.EqualTo(new long[] { 0, 0, 0, 0 }));
        Assert.That(cohorts[0].Rates, Is.EqualTo(new[] { 0, 0.5, 0.5, 0.5 }));
    }

    [Test]
    public async Task Retention_Unbounded_CountsUsersWhoCameBackThenOrLater()
    {
        var result = await _analytics.RetentionAsync(new RetentionQuery(Mar2, Mar2) { BornEvent = "Sign Up", Event = "Login", IntervalCount = 3, Unbounded = true });

        // u1's last return is day 3, u2's day 2.
        Assert.That(result.Overall.Cohorts.Single().Counts, Is.EqualTo(new long[] { 2, 2, 2, 1 }));
    }

    [Test]
    public async Task Retention_Compounded_EveryActiveDayIsACohort()
    {
        var result = await _analytics.RetentionAsync(new RetentionQuery(Mar2, Mar5) { Type = RetentionType.Compounded, Event = "Login", IntervalCount = 2 });

        var cohorts = result.Overall.Cohorts.ToDictionary(c => c.Date);
        Assert.That(cohorts["2026-03-02"], Is.EqualTo(new RetentionCohort("2026-03-02", 1, [1, 0, 1])).Using<RetentionCohort>(SameCohort));
        Assert.That(cohorts["2026-03-03"].Counts, Is.EqualTo(new long[] { 1, 0, 1 }));
        Assert.That(cohorts["2026-03-04"].First, Is.EqualTo(2));
        Assert.That(cohorts["2026-03-04"].Counts, Is.EqualTo(new long[] { 2, 0, 0 }));
        Assert.That(cohorts["2026-03-05"].Counts, Is.EqualTo(new long[] { 1, 0, 0 }));
    }

    [Test]
    public async Task Retention_OnBrowser_SegmentsByTheBornEvent()
    {
        var result = await _analytics.RetentionAsync(new RetentionQuery(Mar2, Mar4) { BornEvent = "Sign Up", Event = "Login", IntervalCount = 3, On = "properties[\"browser\"]" });

        var chrome = result.Segments.Single(s => s.Segment == "Chrome");
        Assert.That(chrome.Cohorts.Select(c => (c.Date, c.First)), Is.EqualTo(new[] { ("2026-03-02", 1L), ("2026-03-03", 1L) }));
        Assert.That(chrome.Cohorts[0].Counts, Is.EqualTo(new long[] { 0, 1, 0, 1 }));
        Assert.That(result.Segments.Single(s => s.Segment == "Safari").Cohorts.Single().Counts, Is.EqualTo(new long[] { 0, 0, 1, 0 }));
    }

    [Test]
    public async Task Frequency_WeeklyByDay_AtLeastNDays()
    {
        var result = await _analytics.FrequencyAsync(new FrequencyQuery(Mar2, new DateOnly(2026, 3, 8)) { Event = "Login", Unit = TimeUnit.Week, AddictionUnit = TimeUnit.Day });

        // u1 on 2 days, u2 on 2 days, u5 on 1 day.
        Assert.That(result.Periods.Single().Date, Is.EqualTo("2026-03-02"));
        Assert.That(result.Periods.Single().Counts, Is.EqualTo(new long[] { 3, 2, 0, 0, 0, 0, 0 }));
    }

    private static bool SameCohort(RetentionCohort a, RetentionCohort b) => a.Date == b.Date && a.First == b.First && a.Counts.SequenceEqual(b.Counts);
}
