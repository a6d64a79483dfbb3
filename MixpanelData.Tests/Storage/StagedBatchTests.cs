using System.IO.Pipelines;
using MixpanelData.Storage;

namespace MixpanelData.Tests.Storage;

/// <summary>
/// Several windows of a staged fetch loaded in one transaction (<see cref="LocalStore.BeginStagedBatchAsync"/>): they are
/// committed and recorded together, or not at all.
/// </summary>
public sealed class StagedBatchTests
{
    private static readonly DateOnly From = new(2024, 1, 1);
    private static readonly DateOnly To = new(2024, 1, 4);
    private string _path = null!;

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), "mixpanel-data-tests", Guid.NewGuid().ToString("N") + ".duckdb");

    [TearDown]
    public void TearDown()
    {
        foreach (var file in new[] { _path, _path + ".wal" })
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Batch_TwoDaysCommitted_BothStagedAndTheLastRecorded()
    {
        await using var store = Open();
        var fetch = await store.BeginStagedEventsAsync("events", "request", From, To, resume: false);
        var batch = await store.BeginStagedBatchAsync(fetch, CancellationToken.None);
        await using (batch)
        {
            var first = await batch.LoadAsync(From, Reader(TestEvents.Stream(0, 300)), 20, null);
            var second = await batch.LoadAsync(From.AddDays(1), Reader(TestEvents.Stream(300, 200, "{not json")), 20, null);
            Assert.That((first.Rows, second.Rows, second.Malformed, batch.Rows), Is.EqualTo((300L, 200L, 1L, 500L)));
            await batch.CommitAsync();
        }

        var staged = await store.FindStagedAsync("events");
        Assert.That((staged!.LastDay, staged.Rows, staged.Malformed), Is.EqualTo(((DateOnly?)From.AddDays(1), 500L, 1L)));
        var published = await store.PublishStagedAsync(fetch, new IngestOptions { Source = "export", FromDate = From, ToDate = To });
        Assert.That(published.TableRowCount, Is.EqualTo(500));
        Assert.That(await store.SqlScalarAsync("SELECT count(DISTINCT insert_id) FROM events"), Is.EqualTo(500L));
    }

    [Test]
    public async Task Batch_SecondDayTerminatedEarly_NeitherDayStagedNorRecorded_ThenResumeStartsAtTheFirst()
    {
        await using (var store = Open())
        {
            var fetch = await store.BeginStagedEventsAsync("events", "request", From, To, resume: false);
            var committed = await store.LoadStagedDayAsync(fetch, From, Reader(TestEvents.Stream(0, 100)), 20, null, CancellationToken.None);
            Assert.That(committed.Rows, Is.EqualTo(100));

            var batch = await store.BeginStagedBatchAsync(fetch, CancellationToken.None);
            await using (batch)
            {
                await batch.LoadAsync(From.AddDays(1), Reader(TestEvents.Stream(100, 300)), 20, null);
                var error = await Assert.ThrowsAsync<LocalStoreException>(() =>
                    batch.LoadAsync(From.AddDays(2), Reader(TestEvents.Stream(400, 50, "terminated early", TestEvents.Line(450))), 20, null));
                Assert.That(error!.ErrorType, Is.EqualTo(LocalStore.TerminatedEarlyError));
            }

            Assert.That(await store.SqlScalarAsync($"SELECT count(*) FROM {fetch.StageTable}"), Is.EqualTo(100L));
        }

        // Reopened, as after a restart: only the day committed on its own is staged and recorded.
        await using var reopened = Open();
        var resumed = await reopened.BeginStagedEventsAsync("events", "request", From, To, resume: true);
        Assert.That((resumed.Resumed, resumed.LastDay, resumed.NextDay, resumed.Rows), Is.EqualTo((true, (DateOnly?)From, From.AddDays(1), 100L)));
    }

    private LocalStore Open() => LocalStore.Open(new LocalStoreOptions { Mode = LocalStoreMode.File, Path = _path });

    private static PipeReader Reader(Stream stream) => PipeReader.Create(stream);
}
