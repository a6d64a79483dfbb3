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

    [Test]
    public async Task Dispose_AfterTimeoutsCancellationsAndFailures_ReleasesEveryDuckDbConnection()
    {
        var path = Path.Combine(Path.GetTempPath(), "mixpanel-data-tests", "release-" + Guid.NewGuid().ToString("N") + ".duckdb");
        try
        {
            var store = LocalStore.Open(new LocalStoreOptions { Path = path });
            await store.IngestEventsAsync("events", TestEvents.Stream(0, 100));
            for (var i = 0; i < 20; i++)
            {
                // Interrupted connections are closed instead of pooled; each must really be released.
                var timeout = new SqlOptions { Timeout = TimeSpan.FromMilliseconds(20) };
                Assert.That(async () => await store.SqlAsync("SELECT count(*) FROM range(1000000000) a, range(1000000000) b", timeout), Throws.InstanceOf<LocalStoreException>());
                using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
                Assert.That(async () => await store.SqlAsync("SELECT count(*) FROM range(1000000000) a, range(1000000000) b", cancellationToken: cancelled.Token),
                    Throws.InstanceOf<OperationCanceledException>());
                Assert.That(async () => await store.SqlAsync("SELECT * FROM no_such_table"), Throws.InstanceOf<LocalStoreException>());
            }
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.SqlScalarAsync("SELECT count(*) FROM events")));
            await store.DisposeAsync();
            Assert.That(StoreDatabase.OpenFileCount, Is.EqualTo(0));

            // DuckDB.NET keeps a file's database open while any connection to it is open, and hands that same
            // database to the next connection string naming the file. A read-only open that really is read-only
            // therefore proves that the store released every connection it ever opened.
            using var probe = new DuckDB.NET.Data.DuckDBConnection($"DataSource={path};access_mode=READ_ONLY");
            probe.Open();
            using var command = probe.CreateCommand();
            command.CommandText = "SELECT current_setting('access_mode')";
            Assert.That(command.ExecuteScalar(), Is.EqualTo("read_only"));
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
