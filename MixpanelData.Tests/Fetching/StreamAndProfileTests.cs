using System.Diagnostics;
using MixpanelData.Emulation;
using MixpanelData.Fetching;

namespace MixpanelData.Tests.Fetching;

/// <summary>Fetch.StreamEventsAsync, Fetch.StreamProfilesAsync and Fetch.ProfilesAsync against the emulator.</summary>
public sealed class StreamAndProfileTests
{
    private static readonly DateOnly Mar1 = new(2026, 3, 1);
    private static readonly DateOnly Mar3 = new(2026, 3, 3);

    private static async Task<List<ExportEvent>> Collect(IAsyncEnumerable<ExportEvent> events)
    {
        var list = new List<ExportEvent>();
        await foreach (var e in events)
        {
            list.Add(e);
        }

        return list;
    }

    [Test]
    public async Task StreamEventsAsync_Range_YieldsEveryEventWithItsFields()
    {
        await using var fixture = await FetchFixture.CreateAsync();
        var ws = fixture.Workspace();

        var events = await Collect(ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3)));

        Assert.That(events, Has.Count.EqualTo(33));
        var first = events[0];
        Assert.That(first.Name, Is.EqualTo("Sign Up"));
        Assert.That(first.Time, Is.EqualTo(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(first.DistinctId, Is.EqualTo("u0"));
        Assert.That(first.InsertId, Is.EqualTo("e0-0"));
        Assert.That(first.Properties.GetProperty("plan").GetString(), Is.EqualTo("pro"));
        Assert.That(events.Select(e => e.InsertId).Distinct().Count(), Is.EqualTo(33));
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(3));
    }

    [TestCase(EmulatorFaultKind.DropConnection)]
    [TestCase(EmulatorFaultKind.TerminatedEarly)]
    public async Task StreamEventsAsync_StreamBreaksOnce_ResumesTheDayWithoutDuplicates(EmulatorFaultKind kind)
    {
        await using var fixture = await FetchFixture.CreateAsync();
        var ws = fixture.Workspace();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { PathContains = "/export", Delay = TimeSpan.Zero });
        fixture.Emulator.Faults.Add(new EmulatorFault(kind) { PathContains = "/export", AfterLines = 5 });
        StreamProgress last = default;

        var events = await Collect(ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3), new SyncProgress<StreamProgress>(p => last = p)));

        Assert.That(events, Has.Count.EqualTo(33));
        Assert.That(events.Select(e => e.InsertId).Distinct().Count(), Is.EqualTo(33));
        Assert.That(last.Retries, Is.EqualTo(1));
        Assert.That(last.DaysDone, Is.EqualTo(3));
    }

    [Test]
    public async Task StreamEventsAsync_TerminatedEarlyEveryTime_ThrowsInvalidResponseAfterTheGoodLines()
    {
        await using var fixture = await FetchFixture.CreateAsync();
        var ws = fixture.Workspace();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.TerminatedEarly) { PathContains = "/export", AfterLines = 4, Times = 100 });
        var received = new List<ExportEvent>();

        var error = await Assert.ThrowsAsync<InvalidResponseException>(async () =>
        {
            await foreach (var e in ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3)))
            {
                received.Add(e);
            }
        });

        Assert.That(error!.Message, Does.Contain("terminated early"));
        Assert.That(received, Has.Count.EqualTo(4), "the lines before the cut, once each");
    }

    [Test]
    public async Task StreamEventsAsync_MalformedLine_FailsByDefaultOrIsSkippedAndCounted()
    {
        await using var fixture = await FetchFixture.CreateAsync();
        var ws = fixture.Workspace();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.MalformedLine) { PathContains = "/export", AfterLines = 3 });
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { PathContains = "/export", Delay = TimeSpan.Zero, Times = 2 });
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.MalformedLine) { PathContains = "/export", AfterLines = 3 });
        StreamProgress last = default;

        var error = await Assert.ThrowsAsync<InvalidResponseException>(() => Collect(ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3))));
        var skipped = await Collect(ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3) { SkipMalformedLines = true }, new SyncProgress<StreamProgress>(p => last = p)));

        Assert.That(error!.Message, Does.Contain("Line 4").And.Contain("SkipMalformedLines"));
        Assert.That(error.ResponseExcerpt, Does.Contain("Broken"));
        Assert.That(skipped, Has.Count.EqualTo(33));
        Assert.That(last.MalformedLines, Is.EqualTo(1));
    }

    [Test]
    public async Task StreamEventsAsync_LimitAndEvents_AreApplied()
    {
        await using var fixture = await FetchFixture.CreateAsync();
        var ws = fixture.Workspace();

        var limited = await Collect(ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3) { Limit = 12 }));
        var logins = await Collect(ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3) { Events = ["Login"] }));

        Assert.That(limited, Has.Count.EqualTo(12));
        Assert.That(logins.Select(e => e.Name).Distinct(), Is.EqualTo(new[] { "Login" }));
        Assert.That(logins, Has.Count.EqualTo(11));
    }

    [Test]
    public async Task StreamEventsAsync_ConsumerCancels_StopsWithinASecond()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 20_000, days: 3);
        var ws = fixture.Workspace();
        using var cancel = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var cancelledAt = TimeSpan.Zero;
        var count = 0;

        await Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar3), null, cancel.Token))
            {
                if (++count == 1_000)
                {
                    cancelledAt = clock.Elapsed;
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.That(clock.Elapsed - cancelledAt, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(count, Is.LessThan(60_000));
    }

    [Test]
    public async Task StreamEventsAsync_BadRange_ThrowsBeforeAnyRequest()
    {
        await using var fixture = await FetchFixture.CreateAsync();
        var ws = fixture.Workspace();

        await Assert.ThrowsAsync<ArgumentException>(() => Collect(ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar3, Mar1))));

        Assert.That(fixture.Emulator.RequestCount, Is.Zero);
    }

    [Test]
    public async Task ProfilesAsync_2500Profiles_PagesWithSessionIdUntilAShortPage()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_500);
        var ws = fixture.Workspace();
        var reports = new List<ProfileFetchProgress>();

        var result = await ws.Fetch.ProfilesAsync(new FetchProfilesRequest(), new SyncProgress<ProfileFetchProgress>(reports.Add));

        Assert.That(result.Pages, Is.EqualTo(3));
        Assert.That(result.ProfilesRead, Is.EqualTo(2_500));
        Assert.That(result.TableRowCount, Is.EqualTo(2_500));
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(3));
        Assert.That(reports, Is.EqualTo(new[] { new ProfileFetchProgress(1, 1_000, 2_500), new ProfileFetchProgress(2, 2_000, 2_500), new ProfileFetchProgress(3, 2_500, 2_500) }));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(DISTINCT distinct_id) FROM profiles"), Is.EqualTo(2_500));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(*) FROM profiles WHERE last_seen = TIMESTAMP '2026-03-10 08:00:00'"), Is.EqualTo(2_500));
    }

    [Test]
    public async Task ProfilesAsync_NextPageIsAskedForBeforeThisOneIsLoaded()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_500);
        var engage = new EngageLog(fixture.Emulator);
        var ws = fixture.Workspace(handler: engage);
        var askedWhileLoading = new List<bool>();

        // Progress comes once the store has taken a page. Loading page after page, the next request could only be sent
        // after this callback returns; overlapped, it is already on its way (it is waited for here, up to 5 s).
        var result = await ws.Fetch.ProfilesAsync(new FetchProfilesRequest(), new SyncProgress<ProfileFetchProgress>(p =>
        {
            if (p.Pages < 3)
            {
                askedWhileLoading.Add(SpinWait.SpinUntil(() => engage.Requests > p.Pages, TimeSpan.FromSeconds(5)));
            }
        }));

        Assert.That(askedWhileLoading, Is.EqualTo(new[] { true, true }));
        Assert.That(result.TableRowCount, Is.EqualTo(2_500));
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(3), "no page beyond the short last one");
    }

    [Test]
    public async Task StreamProfilesAsync_StoppedAfterAPage_AsksForNoFurtherPage()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_500);
        var ws = fixture.Workspace();
        var taken = 0;

        await foreach (var _ in ws.Fetch.StreamProfilesAsync(new StreamProfilesRequest()))
        {
            if (++taken == 10)
            {
                break;
            }
        }

        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(1));
    }

    /// <summary>Counts Engage requests as they are sent.</summary>
    private sealed class EngageLog(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.Contains("engage", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _requests);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Test]
    public async Task ProfilesAsync_ExactlyTwoFullPages_StopsAtTheEmptyThirdPage()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_000);
        var ws = fixture.Workspace();

        var result = await ws.Fetch.ProfilesAsync(new FetchProfilesRequest());

        Assert.That(result.Pages, Is.EqualTo(3));
        Assert.That(result.TableRowCount, Is.EqualTo(2_000));
    }

    [Test]
    public async Task ProfilesAsync_CohortWhereAndOutputProperties_AreSent()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_500);
        var ws = fixture.Workspace();

        var cohort = await ws.Fetch.ProfilesAsync(new FetchProfilesRequest { CohortId = 2000, Table = "pro" });
        var free = await ws.Fetch.ProfilesAsync(new FetchProfilesRequest { Where = "properties[\"plan\"] == \"free\"", OutputProperties = ["plan"], Table = "free" });
        var two = await ws.Fetch.ProfilesAsync(new FetchProfilesRequest { DistinctIds = ["p00001", "p00002"], Table = "two" });

        Assert.That(cohort.TableRowCount, Is.EqualTo(625));
        Assert.That(free.TableRowCount, Is.EqualTo(1_875));
        Assert.That(free.Pages, Is.EqualTo(2));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(*) FROM free WHERE json_extract_string(properties, '$.\"$email\"') IS NOT NULL"), Is.Zero);
        Assert.That(two.TableRowCount, Is.EqualTo(2));
    }

    [Test]
    public async Task CountProfilesAsync_CohortAndWhere_ReadEngageTotalFromOnePage()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_500);
        var ws = fixture.Workspace();

        var all = await ws.Fetch.CountProfilesAsync(new StreamProfilesRequest());
        var cohort = await ws.Fetch.CountProfilesAsync(new StreamProfilesRequest { CohortId = 2000 });
        var free = await ws.Fetch.CountProfilesAsync(new StreamProfilesRequest { Where = "user[\"plan\"] == \"free\"" });

        Assert.That(all, Is.EqualTo(2_500));
        Assert.That(cohort, Is.EqualTo(625), "every 4th profile is pro");
        Assert.That(free, Is.EqualTo(1_875));
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(3), "one request each, however many pages the profiles fill");
    }

    [Test]
    public async Task ProfilesAsync_FailureOnALaterPage_LeavesTheOldTable()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_500);
        var ws = fixture.Workspace();
        await ws.Fetch.ProfilesAsync(new FetchProfilesRequest { DistinctIds = ["p00001"] });
        var progress = new SyncProgress<ProfileFetchProgress>(p =>
        {
            if (p.Pages == 1)
            {
                fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "/engage", Times = 100 });
            }
        });

        await Assert.ThrowsAsync<ServerException>(() => ws.Fetch.ProfilesAsync(new FetchProfilesRequest(), progress));

        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(*) FROM profiles"), Is.EqualTo(1));
    }

    [Test]
    public async Task ProfilesAsync_BadInput_FailsBeforeAnyRequest()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 10);
        var ws = fixture.Workspace();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ws.Fetch.ProfilesAsync(new FetchProfilesRequest { CohortId = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => ws.Fetch.ProfilesAsync(new FetchProfilesRequest { DistinctIds = [] }));
        await Assert.ThrowsAsync<LocalStoreException>(() => ws.Fetch.ProfilesAsync(new FetchProfilesRequest { Table = "p\"; DROP" }));

        Assert.That(fixture.Emulator.RequestCount, Is.Zero);
    }

    [Test]
    public async Task StreamProfilesAsync_2500Profiles_YieldsEachOnce()
    {
        await using var fixture = await FetchFixture.CreateAsync(profiles: 2_500);
        var ws = fixture.Workspace();
        var profiles = new List<UserProfile>();

        await foreach (var profile in ws.Fetch.StreamProfilesAsync(new StreamProfilesRequest()))
        {
            profiles.Add(profile);
        }

        Assert.That(profiles, Has.Count.EqualTo(2_500));
        Assert.That(profiles.Select(p => p.DistinctId).Distinct().Count(), Is.EqualTo(2_500));
        Assert.That(profiles[0].DistinctId, Is.EqualTo("p00000"));
        Assert.That(profiles[0].LastSeen, Is.EqualTo(new DateTimeOffset(2026, 3, 10, 8, 0, 0, TimeSpan.Zero)));
        Assert.That(profiles[0].Properties.GetProperty("plan").GetString(), Is.EqualTo("pro"));
    }
}
