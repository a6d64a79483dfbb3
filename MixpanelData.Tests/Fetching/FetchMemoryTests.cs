using System.Diagnostics;
using System.Net;
using MixpanelData.Mcp.Emulation;
using MixpanelData.Fetching;

namespace MixpanelData.Tests.Fetching;

/// <summary>Fetching many events keeps the managed heap flat: the data set never passes through it whole.</summary>
public sealed class FetchMemoryTests
{
    [Test]
    public async Task EventsAsync_200kEvents_ManagedHeapStaysBounded()
    {
        // 5 days of 40,000..40,004 events: 200,010 events, ~36 MB of JSONL.
        await using var fixture = await FetchFixture.CreateAsync(perDay: 40_000, days: 5);
        var ws = fixture.Workspace();
        await ws.Fetch.EventsAsync(new FetchEventsRequest(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1)) { Table = "warmup" });

        // The emulator shares the process and materialises each day it serves; with windows downloading side by side
        // up to three of its days are live at once. The one-day/five-day comparison therefore runs window after window;
        // the side-by-side fetch is held to the absolute bound (its windows wait on disk, not in the heap).
        ws.Fetch.ConcurrentWindows = 1;
        var oneDay = await PeakHeapAsync(ws, new DateOnly(2026, 3, 1), "one_day");
        var fiveDays = await PeakHeapAsync(ws, new DateOnly(2026, 3, 5), "five_days");
        ws.Fetch.ConcurrentWindows = 3;
        var sideBySide = await PeakHeapAsync(ws, new DateOnly(2026, 3, 5), "side_by_side");

        Assert.That(await FetchFixture.CountAsync(ws, "SELECT count(*) FROM five_days"), Is.EqualTo(200_010));
        using var process = Process.GetCurrentProcess();
        TestContext.Out.WriteLine(
            $"1 day: {oneDay.Events:N0} events, live heap +{oneDay.PeakDelta / 1048576.0:0.0} MB peak, {oneDay.Rate:N0} events/s; " +
            $"5 days: {fiveDays.Events:N0} events, live heap +{fiveDays.PeakDelta / 1048576.0:0.0} MB peak, +{fiveDays.AfterDelta / 1048576.0:0.0} MB after, {fiveDays.Rate:N0} events/s; " +
            $"process peak working set {process.PeakWorkingSet64 / 1048576.0:0} MB");
        // Five times the events may not need more heap than one day plus slack. The slack (16 MB) covers one of the
        // in-process emulator's materialised days being live at a sample; holding the extra four days (~29 MB) would fail.
        Assert.That(fiveDays.PeakDelta, Is.LessThan(oneDay.PeakDelta + (16L << 20)));
        Assert.That(fiveDays.PeakDelta, Is.LessThan(48L << 20));
        Assert.That(fiveDays.AfterDelta, Is.LessThan(16L << 20));
        Assert.That(sideBySide.Events, Is.EqualTo(200_010));
        Assert.That(sideBySide.PeakDelta, Is.LessThan(48L << 20), $"side by side: +{sideBySide.PeakDelta / 1048576.0:0.0} MB");
        Assert.That(sideBySide.AfterDelta, Is.LessThan(16L << 20));
    }

    /// <summary>The figure for docs/performance.md: 1M events over a real loopback socket (gzip), run on demand.</summary>
    [Test, Explicit("Benchmark: about a minute")]
    public async Task EventsAsync_1MEventsOverLoopback_Throughput()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 99_998, days: 10);
        await using var server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
        using var sockets = new SocketsHttpHandler();
        var ws = fixture.Workspace(handler: sockets, account: FetchFixture.Account() with
        {
            QueryUrl = new Uri(server.BaseUri, "api/query"),
            ExportUrl = new Uri(server.BaseUri, "api/2.0"),
            AppUrl = new Uri(server.BaseUri, "api/app"),
        });
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var peak = before;
        var reports = 0;
        var progress = new SyncProgress<FetchProgress>(_ =>
        {
            if (++reports % 10 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            }
        });

        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 10)), progress);

        using var process = Process.GetCurrentProcess();
        TestContext.Out.WriteLine(
            $"{result.RowsInserted:N0} events, {result.Bytes / 1048576.0:0} MB JSONL in {result.Elapsed.TotalSeconds:0.0} s = {result.RowsInserted / result.Elapsed.TotalSeconds:N0} events/s; " +
            $"live heap +{(peak - before) / 1048576.0:0.0} MB peak; process peak working set {process.PeakWorkingSet64 / 1048576.0:0} MB");
        Assert.That(result.RowsInserted, Is.EqualTo(1_000_025));
    }

    private static async Task<(long Events, long PeakDelta, long AfterDelta, double Rate)> PeakHeapAsync(Workspace ws, DateOnly to, string table)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var peak = before;
        // A full collection at each report measures what is live mid-fetch (garbage awaiting collection is not held data).
        var progress = new SyncProgress<FetchProgress>(_ => peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true)));
        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(new DateOnly(2026, 3, 1), to) { Table = table }, progress);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        return (result.RowsInserted, peak - before, after - before, result.RowsInserted / result.Elapsed.TotalSeconds);
    }
}
