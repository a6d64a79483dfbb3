using System.Net;
using MixpanelData.Emulation;
using MixpanelData.Http;
using MixpanelData.Queries;

namespace MixpanelData.Tests.Workspaces;

/// <summary><c>ws.Query</c>: event-name checks and their cost, argument checks, injected faults, cancellation, and a real socket.</summary>
public sealed class QueryClientBehaviourTests
{
    private static readonly DateOnly Mar02 = new(2026, 3, 2);
    private static readonly DateOnly Mar04 = new(2026, 3, 4);

    [Test]
    public async Task SegmentationAsync_MisspeltEventListNotCached_FailsWithSuggestionsAfterOneExtraCall()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var ex = await Assert.ThrowsAsync<EventNotFoundException>(() => live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Upp", Mar02, Mar04)));

        Assert.That(ex!.EventName, Is.EqualTo("Sign Upp"));
        Assert.That(ex.Suggestions[0], Is.EqualTo("Sign Up"));
        Assert.That(ex.Message, Does.Contain("Did you mean: 'Sign Up'"));
        Assert.That(live.Requests, Is.EqualTo(2), "the segmentation, then the event list");
    }

    [Test]
    public async Task SegmentationAsync_MisspeltEventListCached_FailsWithoutAnyRequest()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        await live.Workspace.Discovery.EventsAsync();

        var ex = await Assert.ThrowsAsync<EventNotFoundException>(() => live.Workspace.Query.SegmentationAsync(new SegmentationQuery("login", Mar02, Mar04)));

        Assert.That(ex!.Suggestions, Does.Contain("Login"));
        Assert.That(live.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task SegmentationAsync_KnownEventWithoutDataInRange_AnswersZerosAndCachesTheList()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var first = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Login", new(2026, 1, 1), new(2026, 1, 2)));
        var second = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Login", new(2026, 1, 1), new(2026, 1, 2)));

        Assert.That(first.Series, Is.EqualTo(new[] { "2026-01-01", "2026-01-02" }));
        Assert.That(first.Segments.SelectMany(s => s.Values), Is.All.EqualTo(0));
        Assert.That(second.Segments.SelectMany(s => s.Values), Is.All.EqualTo(0));
        Assert.That(live.Requests, Is.EqualTo(3), "two segmentations and one event list");
    }

    [Test]
    public async Task SegmentationAsync_KnownEventWithData_SpendsNoExtraCall()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Login", Mar02, Mar04));

        Assert.That(live.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task RetentionAsync_UnknownBornEvent_FailsWithSuggestions()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var ex = await Assert.ThrowsAsync<EventNotFoundException>(() => live.Workspace.Query.RetentionAsync(new RetentionQuery(Mar02, Mar04) { BornEvent = "Signup", Event = "Login" }));

        Assert.That(ex!.Suggestions, Does.Contain("Sign Up"));
    }

    [Test]
    public async Task EventCountsAsync_OneUnknownEvent_NamesIt()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var ex = await Assert.ThrowsAsync<EventNotFoundException>(() => live.Workspace.Query.EventCountsAsync(new EventCountsQuery(["Login", "Create Projcet"], Mar02, Mar04)));

        Assert.That(ex!.EventName, Is.EqualTo("Create Projcet"));
        Assert.That(ex.Suggestions[0], Is.EqualTo("Create Project"));
    }

    [Test]
    public async Task FrequencyAsync_UnknownEvent_FailsWithSuggestions()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        await live.Workspace.Discovery.EventsAsync();

        await Assert.ThrowsAsync<EventNotFoundException>(() => live.Workspace.Query.FrequencyAsync(new FrequencyQuery(Mar02, Mar04) { Event = "Logins" }));
        Assert.That(live.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task Queries_BadArguments_FailBeforeAnyRequest()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var query = live.Workspace.Query;

        await Assert.ThrowsAsync<ArgumentException>(() => query.SegmentationAsync(new SegmentationQuery("Login", Mar04, Mar02)));
        await Assert.ThrowsAsync<ArgumentException>(() => query.SegmentationAsync(new SegmentationQuery("", Mar02, Mar04)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => query.SegmentationAsync(new SegmentationQuery("Login", Mar02, Mar04) { On = "properties[\"x\"]", Limit = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.SegmentationAsync(new SegmentationQuery("Login", new(1999, 12, 31), Mar04)));
        await Assert.ThrowsAsync<ArgumentException>(() => query.SegmentationSumAsync(new NumericAggregateQuery("Login", Mar02, Mar04, "properties[\"x\"]") { Unit = TimeUnit.Week }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar04) { Unit = TimeUnit.Week, Interval = 2 }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar04) { WindowLength = 91 }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.RetentionAsync(new RetentionQuery(Mar02, Mar04)));
        await Assert.ThrowsAsync<ArgumentException>(() => query.RetentionAsync(new RetentionQuery(Mar02, Mar04) { BornEvent = "Sign Up", Interval = 2, Unit = TimeUnit.Month }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.RetentionAsync(new RetentionQuery(Mar02, Mar04) { BornEvent = "Sign Up", Interval = 13, Unit = TimeUnit.Week }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.FrequencyAsync(new FrequencyQuery(Mar02, Mar04) { AddictionUnit = TimeUnit.Week }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.EventCountsAsync(new EventCountsQuery([], Mar02, Mar04)));
        await Assert.ThrowsAsync<ArgumentException>(() => query.ActivityFeedAsync(new ActivityFeedQuery([], Mar02, Mar04)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => query.ActivityFeedAsync(new ActivityFeedQuery(["u1"], Mar02, Mar04) { Limit = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => query.JqlAsync(new JqlQuery(" ")));
        Assert.That(live.Requests, Is.Zero);
    }

    [Test]
    public async Task SegmentationAsync_RateLimitedOnce_RetriesAfterRetryAfterAndAnswers()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.RateLimited) { RetryAfter = TimeSpan.Zero, PathContains = "/segmentation" });

        var result = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", Mar02, Mar04));

        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 2, 2, 1 }));
        Assert.That(live.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task FunnelAsync_ServerErrorOnce_RetriesAndAnswers()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "/funnels", Status = HttpStatusCode.BadGateway });

        var result = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar04) { Interval = 3 });

        Assert.That(result.Overall.Steps.Select(s => s.Count), Is.EqualTo(new long[] { 4, 4, 1 }));
    }

    [Test]
    public async Task RetentionAsync_ServerErrorOnEveryAttempt_IsAServerException()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.ServerError) { Times = 3 });

        var ex = await Assert.ThrowsAsync<ServerException>(() => live.Workspace.Query.RetentionAsync(new RetentionQuery(Mar02, Mar04) { BornEvent = "Sign Up" }));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(live.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task SegmentationAsync_RetryAfterLongerThanAllowed_IsRateLimitedWithTheWait()
    {
        await using var live = await LiveWorkspace.CreateAsync(configure: o => o with { MaxRateLimitWait = TimeSpan.FromSeconds(1) });
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.RateLimited) { RetryAfter = TimeSpan.FromSeconds(30) });

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", Mar02, Mar04)));

        Assert.That(ex!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public async Task SegmentationAsync_CancelledWhileMixpanelIsSlow_StopsPromptly()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { Delay = TimeSpan.FromSeconds(30) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var started = DateTime.UtcNow;

        await Assert.CatchAsync<OperationCanceledException>(() => live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", Mar02, Mar04), cancel.Token));

        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task FunnelAsync_AlreadyCancelled_MakesNoRequest()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        await Assert.CatchAsync<OperationCanceledException>(() => live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar04), new CancellationToken(canceled: true)));

        Assert.That(live.Requests, Is.Zero);
    }

    [Test]
    public async Task SegmentationAsync_OverLoopback_AnswersLikeInProcess()
    {
        await using var live = await LiveWorkspace.CreateAsync(overSocket: true);

        var result = await live.Workspace.Query.SegmentationAsync(new SegmentationQuery("Sign Up", Mar02, Mar04) { On = "properties[\"browser\"]" });

        Assert.That(result.Segments.Select(s => (s.Name, s.Total)), Is.EqualTo(new[] { ("Chrome", 2.0), ("Firefox", 2.0), ("Safari", 1.0) }));
    }

    [Test]
    public async Task FunnelAsync_OverLoopback_KeepsTheOnBreakdown()
    {
        await using var live = await LiveWorkspace.CreateAsync(overSocket: true);

        var result = await live.Workspace.Query.FunnelAsync(new SavedFunnelQuery(7, Mar02, Mar02) { On = "properties[\"browser\"]" });

        Assert.That(result.Name, Is.EqualTo("Activation"));
        Assert.That(result.Segments.Select(s => (s.Segment, s.Completed)), Is.EqualTo(new[] { ("Chrome", 1L), ("Safari", 0L) }));
    }

    [Test]
    public async Task RetentionAsync_OverLoopbackWithAFault_RetriesAndAnswers()
    {
        await using var live = await LiveWorkspace.CreateAsync(overSocket: true);
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.RateLimited) { RetryAfter = TimeSpan.Zero });

        var result = await live.Workspace.Query.RetentionAsync(new RetentionQuery(Mar02, Mar02) { BornEvent = "Sign Up", Event = "Login", IntervalCount = 3 });

        Assert.That(result.Overall.Cohorts.Single().Counts, Is.EqualTo(new long[] { 0, 1, 1, 1 }));
    }

    [Test]
    public async Task DiscoveryEventsAsync_OverLoopback_ListsTheEvents()
    {
        await using var live = await LiveWorkspace.CreateAsync(overSocket: true);

        var events = await live.Workspace.Discovery.EventsAsync();

        Assert.That(events, Has.Count.EqualTo(4));
    }
}
