using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using MixpanelData.Emulation;
using MixpanelData.Fetching;
using MixpanelData.Http;
using MixpanelData.Mcp.Emulation;

namespace MixpanelData.Tests.Fetching;

/// <summary>
/// Fetches and streams split into multi-day windows, one export request each, against the emulator (over loopback
/// where the fault can be seen there): how many requests a range spends, which days each one asks for, and that every
/// event lands exactly once, counted against the emulator's own events table.
/// </summary>
public sealed class FetchWindowsTests
{
    private static readonly DateOnly Mar1 = new(2026, 3, 1);

    // 90 days from 03-01 end on 05-29; the clock stands a day later.
    private static readonly DateOnly May29 = new(2026, 5, 29);
    private static readonly DateTimeOffset June1 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task EventsAsync_NinetyDaysOverLoopback_TenRequestsStoreEveryEventOnce()
    {
        // The emulator refuses an 11th export request within the hour, so the fetch must fit in ten.
        await using var fixture = await FetchFixture.CreateAsync(perDay: 20, days: 90, now: June1,
            options: new EmulatorOptions { EnforceRateLimits = true, ExportPerHour = 10, ExportPerSecond = 1000 });
        await using var server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
        var log = new ExportLog(new SocketsHttpHandler());
        var ws = Loopback(fixture, server, log);

        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, May29));

        var source = await SourceCount(fixture, Mar1, May29);
        Assert.That(source, Is.EqualTo((90 * 20) + (89 * 90 / 2)), "the fixture's own figure: 20 + d events on day d");
        Assert.That(log.Ranges, Has.Count.EqualTo(10), "ten export requests for 90 days");
        Assert.That(log.Ranges.Order(), Is.EqualTo(Windows(Mar1, May29, 9)), "windows of 9 days covering the range once (they download side by side, so in any order)");
        Assert.That((result.Windows, result.WindowDays, result.Days), Is.EqualTo((10, 9, 90)));
        Assert.That(result.RowsInserted, Is.EqualTo(source));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(*) FROM events"), Is.EqualTo(source));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(DISTINCT insert_id) FROM events"), Is.EqualTo(source));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(DISTINCT CAST(event_time AS DATE)) FROM events"), Is.EqualTo(90));
        await ws.DisposeAsync();
    }

    [TestCase(30, 3, 10)]
    [TestCase(5, 1, 5)]
    [TestCase(10, 1, 10)]
    [TestCase(11, 2, 6)]
    [TestCase(1, 1, 1)]
    public async Task EventsAsync_DefaultWindows_AtMostTenRequests(int days, int windowDays, int requests)
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 3, days: days, now: June1);
        var log = new ExportLog(fixture.Emulator);
        var ws = fixture.Workspace(handler: log);
        var to = Mar1.AddDays(days - 1);

        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, to));

        Assert.That(log.Ranges.Order(), Is.EqualTo(Windows(Mar1, to, windowDays)));
        Assert.That(log.Ranges, Has.Count.EqualTo(requests));
        Assert.That((result.Windows, result.WindowDays), Is.EqualTo((requests, windowDays)));
        Assert.That(result.RowsInserted, Is.EqualTo(await SourceCount(fixture, Mar1, to)));
    }

    [Test]
    public async Task EventsAsync_WindowDaysOne_OneRequestPerDay_AndThirty_ThreeRequests()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 5, days: 90, now: June1);
        var log = new ExportLog(fixture.Emulator);
        var ws = fixture.Workspace(handler: log);
        var to = Mar1.AddDays(19);

        var daily = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, to) { WindowDays = 1 });
        var daysAsked = log.Ranges.Order().ToList();
        log.Ranges.Clear();
        var monthly = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, May29) { WindowDays = 30, Table = "quarter" });

        Assert.That(daysAsked, Is.EqualTo(Enumerable.Range(0, 20).Select(d => (Mar1.AddDays(d), Mar1.AddDays(d)))), "one request per day");
        Assert.That(daily.RowsInserted, Is.EqualTo(await SourceCount(fixture, Mar1, to)));
        Assert.That(log.Ranges.Order(), Is.EqualTo(new[] { (Mar1, new DateOnly(2026, 3, 30)), (new DateOnly(2026, 3, 31), new DateOnly(2026, 4, 29)), (new DateOnly(2026, 4, 30), May29) }));
        Assert.That(monthly.RowsInserted, Is.EqualTo(await SourceCount(fixture, Mar1, May29)));
    }

    [TestCase(0)]
    [TestCase(-3)]
    [TestCase(366)]
    public async Task EventsAndStream_BadWindowDays_FailWithTheAllowedRangeBeforeAnyRequest(int windowDays)
    {
        await using var fixture = await FetchFixture.CreateAsync();
        var ws = fixture.Workspace();

        var fetch = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, Mar1.AddDays(2)) { WindowDays = windowDays }));
        var stream = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, Mar1.AddDays(2)) { WindowDays = windowDays }))
            {
            }
        });

        Assert.That(fetch!.Message, Does.Contain("1 to 365 days").And.Contain("windowDays"));
        Assert.That(stream!.Message, Does.Contain("1 to 365 days"));
        Assert.That(fixture.Emulator.RequestCount, Is.Zero);
        Assert.That(await ws.Local.ListTablesAsync(), Is.Empty);
    }

    [Test]
    public async Task EventsAsync_WindowFailsEveryAttempt_ResumeRequestsThatWindowAndTheRestOnly()
    {
        // 30 days: ten windows of 3 days. The fourth (03-10..03-12) breaks on all three attempts.
        await using var fixture = await FetchFixture.CreateAsync(perDay: 10, days: 30, now: June1);
        var log = new ExportLog(fixture.Emulator);
        var ws = fixture.Workspace(handler: log, maxRetries: 2);
        var to = Mar1.AddDays(29);
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.DropConnection) { PathContains = "/export", QueryContains = "from_date=2026-03-10", AfterLines = 7, Times = 3 });

        var failure = await Assert.ThrowsAsync<TransportException>(() => ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, to)));
        var firstRun = log.Ranges.ToList();
        log.Ranges.Clear();
        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, to) { Resume = true });

        var failed = (new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 12));
        Assert.That(failure!.Message, Does.Contain("2026-03-10..2026-03-12").And.Contain("3 attempts"));
        // The first run may also have started the (at most two) windows after the failed one, downloading ahead.
        Assert.That(firstRun.Where(r => r.Item1 <= failed.Item1).Order(), Is.EqualTo(Windows(Mar1, to, 3).Take(3).Append(failed).Append(failed).Append(failed)), "the broken window alone was asked for again");
        Assert.That(firstRun.Where(r => r.Item1 > failed.Item1), Is.SubsetOf(Windows(Mar1, to, 3).Skip(4).Take(2)));
        Assert.That(log.Ranges.Order(), Is.EqualTo(Windows(Mar1, to, 3).Skip(3)), "the resume starts at the failed window and skips the three stored");
        Assert.That(result.ResumedFrom, Is.EqualTo(failed.Item1));
        var source = await SourceCount(fixture, Mar1, to);
        Assert.That(result.RowsInserted, Is.EqualTo(source));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(DISTINCT insert_id) FROM events"), Is.EqualTo(source));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(*) FROM _mp_fetches"), Is.Zero);
    }

    [Test]
    public async Task EventsAsync_WindowBreaksOnceOverLoopback_OnlyThatWindowIsRequestedAgain()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 200, days: 30, now: June1);
        await using var server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
        var log = new ExportLog(new SocketsHttpHandler());
        var ws = Loopback(fixture, server, log);
        var to = Mar1.AddDays(29);
        // The second window (03-04..03-06) ends with "terminated early" after 300 of its ~600 lines.
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.TerminatedEarly) { PathContains = "/export", QueryContains = "from_date=2026-03-04", AfterLines = 300 });

        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, to));

        var windows = Windows(Mar1, to, 3);
        Assert.That(log.Ranges.Order(), Is.EqualTo(windows.Take(2).Append(windows[1]).Concat(windows.Skip(2))));
        Assert.That(result.Retries, Is.EqualTo(1));
        var source = await SourceCount(fixture, Mar1, to);
        Assert.That(result.RowsInserted, Is.EqualTo(source));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(DISTINCT insert_id) FROM events"), Is.EqualTo(source));
        await ws.DisposeAsync();
    }

    [Test]
    public async Task StreamEventsAsync_NinetyDays_TenRequestsHandEveryEventOutOnce()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 4, days: 90, now: June1);
        var log = new ExportLog(fixture.Emulator);
        var ws = fixture.Workspace(handler: log);
        var ids = new HashSet<string>();
        var total = 0L;

        await foreach (var e in ws.Fetch.StreamEventsAsync(new StreamEventsRequest(Mar1, May29)))
        {
            total++;
            ids.Add(e.InsertId!);
        }

        Assert.That(log.Ranges, Is.EqualTo(Windows(Mar1, May29, 9)));
        var source = await SourceCount(fixture, Mar1, May29);
        Assert.That((total, (long)ids.Count), Is.EqualTo((source, source)));
    }

    [Test]
    public async Task EventsAsync_TenWindows_DownloadThreeAtOnceAndNoMore()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 20, days: 30, now: June1);
        var gauge = new InFlight(fixture.Emulator);
        var ws = fixture.Workspace(handler: gauge);
        var to = Mar1.AddDays(29);
        // Every export answer is held back 300 ms, so requests sent side by side overlap.
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { PathContains = "/export", Delay = TimeSpan.FromMilliseconds(300), Times = 10 });

        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, to));

        Assert.That(gauge.Max, Is.EqualTo(3), "the window being loaded and the two downloading ahead");
        Assert.That(gauge.Total, Is.EqualTo(10));
        var source = await SourceCount(fixture, Mar1, to);
        Assert.That(result.RowsInserted, Is.EqualTo(source));
        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(DISTINCT insert_id) FROM events"), Is.EqualTo(source));
    }

    [Test]
    public async Task EventsAsync_WithALimit_LoadsWindowAfterWindow()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 20, days: 30, now: June1);
        var gauge = new InFlight(fixture.Emulator);
        var ws = fixture.Workspace(handler: gauge);
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.Delay) { PathContains = "/export", Delay = TimeSpan.FromMilliseconds(100), Times = 10 });

        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(Mar1, Mar1.AddDays(29)) { Limit = 1_000 });

        Assert.That(gauge.Max, Is.EqualTo(1), "each window asks for what the earlier ones left of the limit");
        Assert.That(result.RowsInserted, Is.EqualTo(1_000));
    }

    [Test]
    public async Task ExportBudgetAsync_SaysWhatAFetchSpendsAndWhenItWouldWait_AndTheFetchCarriesItFromTheStart()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 3, days: 30, now: June1);
        var ws = fixture.Workspace(limits: new RateLimitOptions { ExportPerHour = 12, ExportPerSecond = 100 });
        var month = new FetchEventsRequest(Mar1, Mar1.AddDays(29));

        var fresh = await ws.Fetch.ExportBudgetAsync(month);
        var first = await ws.Fetch.EventsAsync(month);
        var spent = await ws.Fetch.ExportBudgetAsync(month with { Table = "again" });
        var daily = await ws.Fetch.ExportBudgetAsync(month with { WindowDays = 1 });
        var reports = new List<FetchProgress>();
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<FetchProgress>(p =>
        {
            reports.Add(p);
            cancel.Cancel();
        });
        await Assert.CatchAsync<OperationCanceledException>(() => ws.Fetch.EventsAsync(month with { Table = "again" }, progress, cancel.Token));

        Assert.That((fresh.Requests, fresh.HourlyQuota, fresh.Remaining, fresh.MustWait), Is.EqualTo((10, (int?)12, (int?)12, false)));
        Assert.That(fresh.Summary, Is.EqualTo("needs 10 export request(s), which fit in the 12 of 12 left this hour"));
        Assert.That(first.Budget, Is.EqualTo(fresh), "the fetch read the same figures before it started");
        Assert.That((spent.Requests, spent.Remaining, spent.MustWait), Is.EqualTo((10, (int?)2, true)));
        Assert.That(spent.Wait, Is.GreaterThan(TimeSpan.FromMinutes(55)).And.LessThanOrEqualTo(TimeSpan.FromHours(1)), "the 8th request waits for the oldest stamps to leave the hour");
        Assert.That(spent.Summary, Does.StartWith("needs 10 export request(s) but only 2 of 12 are left this hour, so the last would wait about").And.EndWith("min for the budget"));
        Assert.That(daily.Requests, Is.EqualTo(30));
        Assert.That(reports[0].Budget, Is.Not.Null.And.Property(nameof(FetchBudget.MustWait)).True, "the first progress report already says the fetch will wait");
        Assert.That(fixture.Emulator.RequestCount, Is.LessThanOrEqualTo(12), "nothing beyond the budget reached the server");
    }

    /// <summary>The windows a range should be asked for in, written out independently of the code under test.</summary>
    private static List<(DateOnly, DateOnly)> Windows(DateOnly from, DateOnly to, int size)
    {
        var list = new List<(DateOnly, DateOnly)>();
        for (var start = from; start <= to; start = start.AddDays(size))
        {
            var end = start.AddDays(size - 1);
            list.Add((start, end < to ? end : to));
        }

        return list;
    }

    /// <summary>Events the emulator's project holds in the range, read from its own table.</summary>
    private static async Task<long> SourceCount(FetchFixture fixture, DateOnly from, DateOnly to)
    {
        var sql = $"SELECT count(*) FROM events WHERE event_time >= DATE '{from:yyyy-MM-dd}' AND event_time < DATE '{to.AddDays(1):yyyy-MM-dd}'";
        var result = await fixture.Store.SqlAsync(sql);
        return Convert.ToInt64(result.Rows[0][0], CultureInfo.InvariantCulture);
    }

    private static Workspace Loopback(FetchFixture fixture, EmulatorHttpServer server, HttpMessageHandler handler) =>
        fixture.Workspace(handler: handler, account: FetchFixture.Account() with
        {
            QueryUrl = new Uri(server.BaseUri, "api/query"),
            ExportUrl = new Uri(server.BaseUri, "api/2.0"),
            AppUrl = new Uri(server.BaseUri, "api/app"),
        });

    /// <summary>Passes requests on unchanged and counts export requests waiting for their answer at the same time.</summary>
    private sealed class InFlight(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _now;
        private int _max;
        private int _total;

        public int Max => Volatile.Read(ref _max);

        public int Total => Volatile.Read(ref _total);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.RequestUri!.AbsolutePath.Contains("/export", StringComparison.Ordinal))
            {
                return await base.SendAsync(request, cancellationToken);
            }

            Interlocked.Increment(ref _total);
            var now = Interlocked.Increment(ref _now);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }

    /// <summary>Passes requests on unchanged and writes down the from_date..to_date of each export request sent.</summary>
    private sealed class ExportLog(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public ConcurrentQueue<(DateOnly, DateOnly)> Ranges { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (uri.AbsolutePath.Contains("/export", StringComparison.Ordinal))
            {
                var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
                Ranges.Enqueue((DateOnly.Parse(query["from_date"]!, CultureInfo.InvariantCulture), DateOnly.Parse(query["to_date"]!, CultureInfo.InvariantCulture)));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
