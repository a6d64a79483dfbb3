using System.Text;
using System.Text.Json;
using MixpanelData.Storage;

namespace MixpanelData.Tests.Storage;

public sealed class LocalStoreIngestTests
{
    private LocalStore _store = null!;

    [SetUp]
    public void SetUp() => _store = LocalStore.OpenInMemory();

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    [Test]
    public async Task IngestEventsAsync_200kEvents_ExactCountsAndDistinctInsertIds()
    {
        _store.FlushBytes = 8 * 1024 * 1024; // several appender flushes
        var progress = new List<IngestProgress>();
        var result = await _store.IngestEventsAsync(
            "events",
            TestEvents.Stream(0, 200_000),
            new IngestOptions { FromDate = new DateOnly(2024, 1, 1), ToDate = new DateOnly(2024, 1, 3), Filters = "{\"event\":[\"Login\"]}" },
            new SynchronousProgress(progress.Add));

        Assert.That(result.RowsRead, Is.EqualTo(200_000));
        Assert.That(result.RowsInserted, Is.EqualTo(200_000));
        Assert.That(result.MalformedLines, Is.EqualTo(0));
        Assert.That(result.TableRowCount, Is.EqualTo(200_000));
        var counts = await _store.SqlAsync(
            "SELECT count(*), count(DISTINCT insert_id), count(DISTINCT distinct_id), min(event_time), max(event_time), " +
            "count(*) FILTER (WHERE event_name = 'Sign Up'), count(*) FILTER (WHERE event_name = 'Login'), count(*) FILTER (WHERE event_name = 'Purchase') FROM events");
        Assert.That(counts.Rows[0], Is.EqualTo(new object[]
        {
            200_000L, 200_000L, 1000L,
            new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2024, 1, 3, 7, 33, 19, DateTimeKind.Utc), // 199,999 s after the start
            66_667L, 66_667L, 66_666L,
        }));
        var one = await _store.SqlAsync("SELECT event_name, distinct_id, insert_id, properties->>'$.\"$browser\"', properties->>'plan' FROM events WHERE insert_id = 'id-12345'");
        Assert.That(one.Rows[0], Is.EqualTo(new object[] { "Sign Up", "u345", "id-12345", "Firefox", "p0" }));
        Assert.That(progress, Is.Not.Empty);
        Assert.That(progress[^1], Is.EqualTo(new IngestProgress(200_000, result.Bytes, 0)));

        var metadata = (await _store.ListTablesAsync()).Single().Metadata!;
        Assert.That(metadata, Is.EqualTo(metadata with
        {
            Kind = "events", Source = "export", FromDate = new DateOnly(2024, 1, 1), ToDate = new DateOnly(2024, 1, 3),
            Filters = "{\"event\":[\"Login\"]}", RowCount = 200_000,
        }));
    }

    [Test]
    public async Task IngestEventsAsync_TextColumns_UnescapedEmptyNumericMissingAndNonAscii()
    {
        // The columns are written to DuckDB as UTF-8 bytes: escaped strings must arrive unescaped, "" must stay an
        // empty string (not NULL), numeric ids become their text, absent ids NULL, and properties stay byte for byte.
        var lines = string.Join('\n',
            "{\"event\":\"Caf\\u00e9 \\\"open\\\"\",\"properties\":{\"time\":1704067200,\"distinct_id\":\"\",\"$insert_id\":\"a\\/b\"}}",
            "{\"event\":\"São Paulo 東京\",\"properties\":{\"time\":1704067201.5,\"distinct_id\":42,\"$insert_id\":-7.5e3,\"x\":\"\\u00e9\"}}",
            "{\"event\":\"\",\"properties\":{\"time\":1704067202}}");
        var result = await _store.IngestEventsAsync("events", new MemoryStream(Encoding.UTF8.GetBytes(lines)));

        Assert.That(result.RowsInserted, Is.EqualTo(3));
        var rows = await _store.SqlAsync(
            "SELECT event_name, distinct_id, distinct_id IS NULL, insert_id, insert_id IS NULL, CAST(properties AS VARCHAR), event_time FROM events ORDER BY event_time");
        Assert.That(rows.Rows[0], Is.EqualTo(new object?[]
        {
            "Café \"open\"", "", false, "a/b", false,
            "{\"time\":1704067200,\"distinct_id\":\"\",\"$insert_id\":\"a\\/b\"}", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        }));
        Assert.That(rows.Rows[1], Is.EqualTo(new object?[]
        {
            "São Paulo 東京", "42", false, "-7.5e3", false,
            "{\"time\":1704067201.5,\"distinct_id\":42,\"$insert_id\":-7.5e3,\"x\":\"\\u00e9\"}", new DateTime(2024, 1, 1, 0, 0, 1, 500, DateTimeKind.Utc),
        }));
        Assert.That(rows.Rows[2], Is.EqualTo(new object?[]
        {
            "", null, true, null, true, "{\"time\":1704067202}", new DateTime(2024, 1, 1, 0, 0, 2, DateTimeKind.Utc),
        }));
    }

    [Test]
    public async Task IngestEventsAsync_MalformedLines_CountedWithReasonsAndSkipped()
    {
        var input = TestEvents.Stream(0, 3,
            "{not json",
            "[1,2,3]",
            "{\"event\":\"NoProps\"}",
            "{\"event\":\"NoTime\",\"properties\":{\"distinct_id\":\"u\"}}",
            "{\"event\":\"Bad time\",\"properties\":{\"time\":\"yesterday\"}}",
            "",
            TestEvents.Line(3));
        var result = await _store.IngestEventsAsync("events", input);
        Assert.That(result.RowsRead, Is.EqualTo(4));
        Assert.That(result.MalformedLines, Is.EqualTo(5));
        Assert.That(result.MalformedSamples.Select(m => m.LineNumber), Is.EqualTo(new[] { 4L, 5L, 6L, 7L, 8L }));
        Assert.That(result.MalformedSamples[0].Reason, Does.StartWith("not valid JSON"));
        Assert.That(result.MalformedSamples[0].Reason, Does.Match(@"^not valid JSON \(at byte \d+ of the line\)$"), "the reason is ours, not the JSON library's message");
        Assert.That(result.MalformedSamples[1].Reason, Is.EqualTo("not a JSON object"));
        Assert.That(result.MalformedSamples[2].Reason, Is.EqualTo("missing \"properties\" object"));
        Assert.That(result.MalformedSamples[3].Reason, Is.EqualTo("missing numeric \"properties.time\""));
        Assert.That(result.MalformedSamples[4].Reason, Is.EqualTo("missing numeric \"properties.time\""));
        Assert.That(result.MalformedSamples[0].Excerpt, Is.EqualTo("{not json"));
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM events"), Is.EqualTo(4L));
    }

    [Test]
    public async Task IngestEventsAsync_TrailingLineWithoutNewline_IsIngested()
    {
        var bytes = Encoding.UTF8.GetBytes(TestEvents.Line(0) + "\n" + TestEvents.Line(1));
        var result = await _store.IngestEventsAsync("events", new MemoryStream(bytes));
        Assert.That(result.RowsRead, Is.EqualTo(2));
        Assert.That(result.Bytes, Is.EqualTo(bytes.Length));
    }

    [Test]
    public async Task IngestEventsAsync_TerminatedEarly_ThrowsAndKeepsThePreviousTable()
    {
        await _store.IngestEventsAsync("events", TestEvents.Stream(0, 10));
        var error = (await Assert.ThrowsAsync<LocalStoreException>(async () =>
            await _store.IngestEventsAsync("events", TestEvents.Stream(100, 50, "terminated early"))))!;
        Assert.That(error.Message, Does.Contain("terminated early"));
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM events"), Is.EqualTo(10L));
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_mp_stage%'"), Is.EqualTo(0L));
    }

    [Test]
    public async Task IngestEventsAsync_StreamFailsHalfway_PreviousTableUntouched()
    {
        await _store.IngestEventsAsync("events", TestEvents.Stream(0, 1000));
        _store.FlushBytes = 256 * 1024; // rows are already flushed into staging when the failure hits
        var source = TestEvents.Stream(5000, 50_000);
        var failing = new FailingStream(source, source.Length / 2, new IOException("connection reset"));
        Assert.That(async () => await _store.IngestEventsAsync("events", failing), Throws.InstanceOf<IOException>());
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM events"), Is.EqualTo(1000L));
        Assert.That(await _store.SqlScalarAsync("SELECT max(insert_id) FROM events"), Is.EqualTo("id-999"));
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_mp_stage%'"), Is.EqualTo(0L));
        Assert.That((await _store.ListTablesAsync()).Single().Metadata!.RowCount, Is.EqualTo(1000));
    }

    [Test]
    public async Task IngestEventsAsync_CancelledHalfway_PreviousTableUntouchedWithinOneSecond()
    {
        await _store.IngestEventsAsync("events", TestEvents.Stream(0, 1000));
        _store.FlushBytes = 256 * 1024;
        var source = TestEvents.Stream(5000, 50_000);
        var stalled = new FailingStream(source, source.Length / 2); // stops sending half way
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(async () => await _store.IngestEventsAsync("events", stalled, cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1.5)));
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM events"), Is.EqualTo(1000L));
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_mp_stage%'"), Is.EqualTo(0L));
    }

    [Test]
    public async Task IngestEventsAsync_Append_SkipsInsertIdsAlreadyPresent()
    {
        await _store.IngestEventsAsync("events", TestEvents.Stream(0, 100), new IngestOptions { FromDate = new DateOnly(2024, 1, 1), ToDate = new DateOnly(2024, 1, 1) });
        // 50..149 overlaps 50 events; line 120 appears twice in the new input.
        var result = await _store.IngestEventsAsync("events", TestEvents.Stream(50, 100, TestEvents.Line(120)),
            new IngestOptions { Append = true, FromDate = new DateOnly(2024, 1, 2), ToDate = new DateOnly(2024, 1, 2) });
        Assert.That(result.RowsRead, Is.EqualTo(101));
        Assert.That(result.RowsInserted, Is.EqualTo(50));
        Assert.That(result.DuplicatesSkipped, Is.EqualTo(51));
        Assert.That(result.TableRowCount, Is.EqualTo(150));
        Assert.That(await _store.SqlScalarAsync("SELECT count(DISTINCT insert_id) FROM events"), Is.EqualTo(150L));
        var metadata = (await _store.ListTablesAsync()).Single().Metadata!;
        Assert.That((metadata.FromDate, metadata.ToDate, metadata.RowCount), Is.EqualTo((new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 2), 150L)));
    }

    [Test]
    public async Task IngestEventsAsync_AppendToMissingTable_CreatesIt()
    {
        var result = await _store.IngestEventsAsync("fresh", TestEvents.Stream(0, 10), new IngestOptions { Append = true });
        Assert.That(result.RowsInserted, Is.EqualTo(10));
        Assert.That(await _store.SqlScalarAsync("SELECT count(*) FROM fresh"), Is.EqualTo(10L));
    }

    [Test]
    public async Task IngestEventsAsync_Replace_ReplacesTheWholeTable()
    {
        await _store.IngestEventsAsync("events", TestEvents.Stream(0, 100));
        var result = await _store.IngestEventsAsync("events", TestEvents.Stream(500, 7));
        Assert.That(result.TableRowCount, Is.EqualTo(7));
        Assert.That(await _store.SqlScalarAsync("SELECT min(insert_id) FROM events"), Is.EqualTo("id-500"));
    }

    [Test]
    public async Task IngestProfilesAsync_PagesAndAppend_LoadsAndReplacesProfiles()
    {
        var first = await _store.IngestProfilesAsync("profiles", Pages(
            "{\"page\":0,\"results\":[{\"$distinct_id\":\"a\",\"$properties\":{\"$name\":\"Ann\",\"$last_seen\":\"2024-03-01T10:00:00\"}},{\"$distinct_id\":\"b\",\"$properties\":{\"$name\":\"Bob\"}}]}",
            "[{\"$distinct_id\":\"c\",\"$properties\":{}},{\"no_id\":true}]"));
        Assert.That(first.RowsRead, Is.EqualTo(3));
        Assert.That(first.MalformedLines, Is.EqualTo(1));
        var ann = await _store.SqlAsync("SELECT distinct_id, properties->>'$.\"$name\"', last_seen FROM profiles WHERE distinct_id = 'a'");
        Assert.That(ann.Rows[0], Is.EqualTo(new object[] { "a", "Ann", new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc) }));

        var second = await _store.IngestProfilesAsync("profiles", Pages("[{\"$distinct_id\":\"a\",\"$properties\":{\"$name\":\"Anna\"}}]"), new IngestOptions { Append = true, Source = "engage" });
        Assert.That(second.TableRowCount, Is.EqualTo(3));
        Assert.That(await _store.SqlScalarAsync("SELECT properties->>'$.\"$name\"' FROM profiles WHERE distinct_id = 'a'"), Is.EqualTo("Anna"));
        Assert.That((await _store.ListTablesAsync()).Single().Metadata!.Kind, Is.EqualTo("profiles"));
    }

    [Test]
    public async Task IngestEventsAsync_FileStoreFailureAndCancellation_LeaveNoStagingTable()
    {
        var path = NewDatabasePath();
        try
        {
            await using var store = LocalStore.Open(new LocalStoreOptions { Path = path });
            store.FlushBytes = 256 * 1024; // several committed flushes before the failure
            await store.IngestEventsAsync("events", TestEvents.Stream(0, 1000));
            var source = TestEvents.Stream(5000, 50_000);
            Assert.That(async () => await store.IngestEventsAsync("events", new FailingStream(source, source.Length / 2, new IOException("reset"))),
                Throws.InstanceOf<IOException>());
            var stalled = TestEvents.Stream(5000, 50_000);
            using (var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                Assert.That(async () => await store.IngestEventsAsync("events", new FailingStream(stalled, stalled.Length / 2), cancellationToken: cancellation.Token),
                    Throws.InstanceOf<OperationCanceledException>());
            }
            Assert.That(await store.SqlScalarAsync(StagingTablesSql), Is.EqualTo(0L));
            Assert.That(await store.SqlScalarAsync("SELECT count(*) FROM events"), Is.EqualTo(1000L));
        }
        finally
        {
            DeleteDatabase(path);
        }
    }

    [Test]
    public async Task Open_StagingTableLeftByACrashedProcess_IsDroppedWhenTheFileIsOpened()
    {
        var path = NewDatabasePath();
        try
        {
            await using (var crashed = LocalStore.Open(new LocalStoreOptions { Path = path }))
            {
                await crashed.IngestEventsAsync("events", TestEvents.Stream(0, 10));
                // What a process killed between two segment loads leaves: a committed staging table.
                await crashed.SqlAsync("CREATE TABLE _mp_stage_0123456789abcdef0123456789abcdef AS SELECT * FROM events");
            }
            await using var first = LocalStore.Open(new LocalStoreOptions { Path = path });
            Assert.That(await first.SqlScalarAsync(StagingTablesSql), Is.EqualTo(0L));
            Assert.That(await first.SqlScalarAsync("SELECT count(*) FROM events"), Is.EqualTo(10L));

            // A second store sharing the open file must not touch a staging table a running ingestion may own.
            await first.SqlAsync("CREATE TABLE _mp_stage_fedcba9876543210fedcba9876543210 (x INTEGER)");
            await using var second = LocalStore.Open(new LocalStoreOptions { Path = path });
            Assert.That(await second.SqlScalarAsync(StagingTablesSql), Is.EqualTo(1L));
        }
        finally
        {
            DeleteDatabase(path);
        }
    }

    private const string StagingTablesSql = "SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '_mp_stage')";

    private static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), "mixpanel-data-tests", Guid.NewGuid().ToString("N") + ".duckdb");

    private static void DeleteDatabase(string path)
    {
        File.Delete(path);
        File.Delete(path + ".wal");
    }

    private static async IAsyncEnumerable<JsonElement> Pages(params string[] pages)
    {
        foreach (var page in pages)
        {
            await Task.Yield();
            yield return JsonDocument.Parse(page).RootElement;
        }
    }

    private sealed class SynchronousProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
