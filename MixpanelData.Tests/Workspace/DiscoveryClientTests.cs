using MixpanelData.Discovery;
using MixpanelData.Emulation;
using MixpanelData.Queries;
using MixpanelData.Tests.Emulation;

namespace MixpanelData.Tests.Workspaces;

/// <summary>
/// <c>ws.Discovery</c> against the emulator's fixture project. Expected values come from the rows in
/// <see cref="EmulatorFixture.Rows"/>: Login ×7, Sign Up ×5 (browsers Chrome u1/u3, Safari u2, Firefox u4 twice;
/// revenue on three), Create Project ×4, Invite Teammate ×3.
/// </summary>
public sealed class DiscoveryClientTests
{
    [Test]
    public async Task EventsAsync_FixtureProject_ListsEveryEventAlphabetically()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var events = await live.Workspace.Discovery.EventsAsync();

        Assert.That(events, Is.EqualTo(new[] { "Create Project", "Invite Teammate", "Login", "Sign Up" }));
    }

    [Test]
    public async Task EventsAsync_HistoryWindowShorterThanAllTime_RetriesWithinTheWindow()
    {
        // The emulator refuses ranges reaching more than 60 days back, as Mixpanel does past a plan's history.
        await using var live = await LiveWorkspace.CreateAsync(emulatorOptions: new EmulatorOptions { EnforceRateLimits = false, MaxHistoryDays = 60 }, clock: new Support.ManualTimeProvider(EmulatorFixture.Now));

        var events = await live.Workspace.Discovery.EventsAsync();

        Assert.That(events, Has.Count.EqualTo(4));
        Assert.That(live.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task EventsAsync_SecondCall_MakesNoRequest()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        await live.Workspace.Discovery.EventsAsync();
        var before = live.Requests;

        var again = await live.Workspace.Discovery.EventsAsync();

        Assert.That(again, Has.Count.EqualTo(4));
        Assert.That(live.Requests, Is.EqualTo(before));
    }

    [Test]
    public async Task EventsAsync_AfterTheCacheDuration_AsksAgain()
    {
        var clock = new Support.ManualTimeProvider(EmulatorFixture.Now);
        await using var live = await LiveWorkspace.CreateAsync(clock: clock);
        await live.Workspace.Discovery.EventsAsync();

        clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));
        await live.Workspace.Discovery.EventsAsync();
        var withinDuration = live.Requests;
        clock.Advance(TimeSpan.FromSeconds(1));
        await live.Workspace.Discovery.EventsAsync();

        Assert.That(withinDuration, Is.EqualTo(1));
        Assert.That(live.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task EventsAsync_ConfiguredDuration_IsHonoured()
    {
        var clock = new Support.ManualTimeProvider(EmulatorFixture.Now);
        await using var live = await LiveWorkspace.CreateAsync(clock: clock, configure: o => o with { DiscoveryCacheDuration = TimeSpan.FromSeconds(10) });
        await live.Workspace.Discovery.EventsAsync();

        clock.Advance(TimeSpan.FromSeconds(10));
        await live.Workspace.Discovery.EventsAsync();

        Assert.That(live.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task ClearCache_AfterCalls_NextCallsAskAgain()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        await live.Workspace.Discovery.EventsAsync();
        await live.Workspace.Discovery.FunnelsAsync();

        live.Workspace.Discovery.ClearCache();
        await live.Workspace.Discovery.EventsAsync();
        await live.Workspace.Discovery.FunnelsAsync();

        Assert.That(live.Requests, Is.EqualTo(4));
    }

    [Test]
    public async Task PropertiesAsync_DifferentArguments_AreCachedSeparately()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        await live.Workspace.Discovery.PropertiesAsync("Sign Up");
        await live.Workspace.Discovery.PropertiesAsync("Login");
        await live.Workspace.Discovery.PropertiesAsync("Sign Up", limit: 1);
        await live.Workspace.Discovery.PropertiesAsync("Sign Up");

        Assert.That(live.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task EventsAsync_ConcurrentCallers_ShareOneRequest()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { Delay = TimeSpan.FromMilliseconds(200) });

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => live.Workspace.Discovery.EventsAsync()));

        Assert.That(live.Requests, Is.EqualTo(1));
        Assert.That(answers.Select(a => a.Count), Is.All.EqualTo(4));
    }

    [Test]
    public async Task EventsAsync_OneOfTwoCallersCancels_TheOtherStillGetsTheAnswer()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { Delay = TimeSpan.FromMilliseconds(300) });
        using var cancel = new CancellationTokenSource();

        var patient = live.Workspace.Discovery.EventsAsync();
        var impatient = live.Workspace.Discovery.EventsAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.CatchAsync<OperationCanceledException>(() => impatient);
        Assert.That(await patient, Has.Count.EqualTo(4));
        Assert.That(live.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task EventsAsync_LoneCallerCancels_StopsAndCachesNothing()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { Delay = TimeSpan.FromSeconds(30) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var started = DateTime.UtcNow;

        await Assert.CatchAsync<OperationCanceledException>(() => live.Workspace.Discovery.EventsAsync(cancel.Token));
        var events = await live.Workspace.Discovery.EventsAsync();

        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(events, Has.Count.EqualTo(4));
        Assert.That(live.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task EventsAsync_ServerFailsEveryAttempt_ThrowsAndIsNotCached()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.ServerError) { Times = 3 });

        await Assert.ThrowsAsync<ServerException>(() => live.Workspace.Discovery.EventsAsync());
        var events = await live.Workspace.Discovery.EventsAsync();

        Assert.That(events, Has.Count.EqualTo(4));
        Assert.That(live.Requests, Is.EqualTo(4));
    }

    [Test]
    public async Task EventsAsync_RateLimitedOnce_RetriesAndAnswers()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        live.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.RateLimited) { RetryAfter = TimeSpan.Zero });

        var events = await live.Workspace.Discovery.EventsAsync();

        Assert.That(events, Has.Count.EqualTo(4));
        Assert.That(live.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task PropertiesAsync_SignUp_CountsEachPropertyMostFrequentFirst()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var properties = await live.Workspace.Discovery.PropertiesAsync("Sign Up");

        Assert.That(properties, Is.EqualTo(new[] { new EventProperty("browser", 5), new EventProperty("revenue", 3) }));
    }

    [Test]
    public async Task PropertyValuesAsync_Browser_MostCommonFirst()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var values = await live.Workspace.Discovery.PropertyValuesAsync("Sign Up", "browser");

        Assert.That(values, Is.EqualTo(new[] { "Chrome", "Firefox", "Safari" }));
    }

    [Test]
    public async Task PropertyValuesAsync_Limit_KeepsTheTopValues()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var values = await live.Workspace.Discovery.PropertyValuesAsync("Sign Up", "browser", limit: 1);

        Assert.That(values, Is.EqualTo(new[] { "Chrome" }));
    }

    [Test]
    public async Task FunnelsAsync_FixtureProject_ListsTheSavedFunnel()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var funnels = await live.Workspace.Discovery.FunnelsAsync();

        Assert.That(funnels.Select(f => (f.FunnelId, f.Name)), Is.EqualTo(new[] { (7L, "Activation") }));
    }

    [Test]
    public async Task CohortsAsync_FixtureProject_ReadsEveryField()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var cohort = (await live.Workspace.Discovery.CohortsAsync()).Single();

        Assert.That(cohort.Id, Is.EqualTo(1000));
        Assert.That(cohort.Name, Is.EqualTo("Pro users"));
        Assert.That(cohort.Description, Is.EqualTo("Profiles on the pro plan"));
        Assert.That(cohort.Count, Is.EqualTo(2), "u1 and u3 are on the pro plan");
        Assert.That(cohort.IsVisible, Is.True);
        Assert.That(cohort.Created, Is.EqualTo(new DateTime(2026, 1, 5, 10, 0, 0)));
        Assert.That(cohort.ProjectId, Is.EqualTo(1));
    }

    [Test]
    public async Task BookmarksAsync_PageSizeTwo_PagesTheListWithTotal()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var first = await live.Workspace.Discovery.BookmarksAsync(pageSize: 2);
        var second = await live.Workspace.Discovery.BookmarksAsync(page: 1, pageSize: 2);

        Assert.That(first.Items.Select(b => b.Id), Is.EqualTo(new[] { 500L, 501L }));
        Assert.That(first.Total, Is.EqualTo(3));
        Assert.That(first.HasMore, Is.True);
        Assert.That(second.Items.Select(b => b.Id), Is.EqualTo(new[] { 502L }));
        Assert.That(second.HasMore, Is.False);
        Assert.That(live.Requests, Is.EqualTo(1), "pages come from the one cached list");
    }

    [Test]
    public async Task BookmarksAsync_TypeFunnels_ListsOnlyFunnelsWithTheirParams()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var page = await live.Workspace.Discovery.BookmarksAsync(BookmarkType.Funnels);

        var report = page.Items.Single();
        Assert.That((report.Id, report.Name, report.Type), Is.EqualTo((501L, "Activation funnel", "funnels")));
        Assert.That(report.Params!.Value.GetProperty("funnel_id").GetInt64(), Is.EqualTo(7));
        Assert.That(report.Created, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(report.CreatorName, Is.EqualTo("Demo Analyst"));
        Assert.That(report.Extra.Keys, Does.Contain("can_view"));
    }

    [Test]
    public async Task TopEventsAsync_LatestDay_IsLoginOnce()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var top = await live.Workspace.Discovery.TopEventsAsync(CountType.General, limit: 10);

        // The newest day with data is 03-20: u5's one Login; nothing the day before.
        Assert.That(top.Type, Is.EqualTo(CountType.General));
        Assert.That(top.Events, Is.EqualTo(new[] { new TopEvent("Login", 1, 0) }));
    }

    [Test]
    public async Task LexiconSchemasAsync_Events_DescribeEachEventsProperties()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var schemas = await live.Workspace.Discovery.LexiconSchemasAsync(LexiconEntityType.Event);

        // Only Sign Up carries properties beyond the bookkeeping ones, so only it has a schema.
        var signUp = schemas.Single();
        Assert.That(signUp.Name, Is.EqualTo("Sign Up"));
        Assert.That(signUp.EntityType, Is.EqualTo("event"));
        Assert.That(signUp.Properties.Select(p => (p.Name, p.Type)), Is.EqualTo(new[] { ("browser", "string"), ("revenue", "integer") }));
        Assert.That(signUp.Raw.GetProperty("properties").GetProperty("browser").GetProperty("type").GetString(), Is.EqualTo("string"));
    }

    [Test]
    public async Task LexiconSchemasAsync_Profiles_AreEmptyInTheFixture()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var schemas = await live.Workspace.Discovery.LexiconSchemasAsync(LexiconEntityType.Profile);

        Assert.That(schemas, Is.Empty);
    }

    [Test]
    public async Task LexiconSchemaAsync_NameWithASpace_IsFound()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        var schema = await live.Workspace.Discovery.LexiconSchemaAsync(LexiconEntityType.Event, "Sign Up");

        Assert.That(schema.Name, Is.EqualTo("Sign Up"));
        Assert.That(schema.Properties.Select(p => p.Name), Is.EqualTo(new[] { "browser", "revenue" }));
    }

    [Test]
    public async Task LexiconSchemaAsync_UnknownName_IsNotFound()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => live.Workspace.Discovery.LexiconSchemaAsync(LexiconEntityType.Event, "Nope"));
    }

    [Test]
    public async Task PropertiesAsync_BadArguments_FailBeforeAnyRequest()
    {
        await using var live = await LiveWorkspace.CreateAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => live.Workspace.Discovery.PropertiesAsync(" "));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => live.Workspace.Discovery.PropertiesAsync("Login", limit: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => live.Workspace.Discovery.BookmarksAsync(page: -1));
        Assert.That(live.Requests, Is.Zero);
    }
}
