using System.Diagnostics;
using MixpanelData.Storage;

namespace MixpanelData.Tests.Storage;

public sealed class HandleLeakTests
{
    [Test]
    public async Task OpenQueryClose_1000Cycles_NoFileDescriptorOrMemoryGrowth()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("Counts /proc/self/fd, which only Linux has.");
        }
        var path = Path.Combine(Path.GetTempPath(), "mixpanel-data-tests", "leak-" + Guid.NewGuid().ToString("N") + ".duckdb");
        try
        {
            await Cycle(path, 50); // warm-up: JIT, DuckDB's allocator arenas, thread pool
            await Cycle(null, 50);
            var fdsBefore = Directory.GetFiles("/proc/self/fd").Length;
            var rssBefore = Rss();

            // Most cycles in memory (fast); a tenth against a file, which also opens and closes file descriptors.
            await Cycle(null, 900);
            await Cycle(path, 100);

            var fdsAfter = Directory.GetFiles("/proc/self/fd").Length;
            var rssAfter = Rss();
            TestContext.Out.WriteLine($"fds {fdsBefore} → {fdsAfter}; RSS {rssBefore / 1048576} MB → {rssAfter / 1048576} MB");
            Assert.That(fdsAfter, Is.LessThanOrEqualTo(fdsBefore + 2));
            Assert.That(rssAfter - rssBefore, Is.LessThan(64L * 1024 * 1024));
            Assert.That(StoreDatabase.OpenFileCount, Is.EqualTo(0));
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".wal");
        }
    }

    private static async Task Cycle(string? path, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await using var store = path is null ? LocalStore.OpenInMemory() : LocalStore.Open(new LocalStoreOptions { Path = path });
            var result = await store.SqlAsync("SELECT i, i::VARCHAR || 'x' AS s, [i, i + 1] AS l FROM range(100) t(i)");
            if (result.Rows.Count != 100)
            {
                Assert.Fail("unexpected row count");
            }
            try
            {
                await store.SqlAsync("SELECT * FROM missing_table");
            }
            catch (LocalStoreException)
            {
                // error results must be freed too
            }
        }
    }

    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
