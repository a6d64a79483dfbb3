using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;

namespace MixpanelData.Storage;

/// <summary>
/// A multi-part events load that survives failures and process restarts: the fetch of a date range,
/// loaded one day at a time into a committed staging table and published (swapped or appended) at the end.
/// </summary>
/// <param name="Table">The target table.</param>
/// <param name="StageTable">The staging table (<c>_mp_fetch_…</c>, hidden from table listings).</param>
/// <param name="Request">The canonical text of the request; a resume must match it exactly.</param>
/// <param name="From">First day of the range.</param>
/// <param name="To">Last day of the range.</param>
/// <param name="LastDay">The last day fully loaded, or <see langword="null"/> when none is.</param>
/// <param name="Rows">Rows staged so far.</param>
/// <param name="Bytes">Export bytes read for the staged days.</param>
/// <param name="Malformed">Malformed lines counted for the staged days.</param>
/// <param name="Resumed">Whether this picks up an earlier, unfinished fetch.</param>
internal sealed record StagedFetch(string Table, string StageTable, string Request, DateOnly From, DateOnly To, DateOnly? LastDay, long Rows, long Bytes, long Malformed, bool Resumed)
{
    /// <summary>The first day still to load.</summary>
    public DateOnly NextDay => LastDay is { } last ? last.AddDays(1) : From;
}

/// <summary>What loading one day added to a staged fetch.</summary>
internal sealed record StagedDay(DateOnly Day, long Rows, long Bytes, long Malformed, IReadOnlyList<MalformedLine> Samples);

public sealed partial class LocalStore
{
    /// <summary>
    /// Bookkeeping of unfinished fetches, one row per target table. A day is recorded here (as
    /// <c>last_day</c>) in the same transaction that adds its rows to the staging table, so the record and
    /// the staged rows can never disagree; publishing deletes the row in the transaction that swaps the table.
    /// </summary>
    internal const string FetchesTable = "_mp_fetches";

    private const string FetchesDdl =
        "CREATE TABLE IF NOT EXISTS " + FetchesTable + " (" +
        "table_name VARCHAR PRIMARY KEY, stage_table VARCHAR NOT NULL, request VARCHAR NOT NULL, from_date DATE NOT NULL, to_date DATE NOT NULL, " +
        "last_day DATE, row_count BIGINT NOT NULL, bytes BIGINT NOT NULL, malformed BIGINT NOT NULL, started_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)";

    private readonly ConcurrentDictionary<string, byte> _fetching = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Claims <paramref name="table"/> for one fetch at a time in this store: a second concurrent fetch into
    /// the same table would discard or interleave the first one's staged days.
    /// </summary>
    /// <exception cref="LocalStoreException">Another fetch into the table is running (<c>Conflict</c>).</exception>
    internal IDisposable ClaimFetch(string table)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        if (!_fetching.TryAdd(name, 0))
        {
            throw new LocalStoreException($"A fetch into table {name} is already running; wait for it or fetch into another table.", "Conflict");
        }
        return new Claim(() => _fetching.TryRemove(name, out _));
    }

    /// <summary>
    /// Starts a staged events fetch, or picks up the unfinished one recorded for <paramref name="table"/> when
    /// <paramref name="resume"/> is set and it was started with the same <paramref name="request"/>. Without
    /// <paramref name="resume"/> an unfinished fetch of the table is discarded. The target table is not touched.
    /// </summary>
    /// <exception cref="LocalStoreException">Resume was asked but the unfinished fetch was for a different request (<c>Conflict</c>).</exception>
    internal Task<StagedFetch> BeginStagedEventsAsync(string table, string request, DateOnly from, DateOnly to, bool resume, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        ThrowIfReadOnly();
        var now = _options.TimeProvider.GetUtcNow().UtcDateTime;
        return RunAsync(connection =>
        {
            connection.Execute(FetchesDdl);
            var rows = connection.Query(
                $"SELECT stage_table, request, last_day, row_count, bytes, malformed FROM {FetchesTable} WHERE table_name = ?", [name]).Rows;
            if (rows.Count == 1)
            {
                var row = rows[0];
                var stage = (string)row[0]!;
                var sameRequest = string.Equals((string)row[1]!, request, StringComparison.Ordinal);
                if (resume && sameRequest && TableExists(connection, stage))
                {
                    return new StagedFetch(name, stage, request, from, to, (DateOnly?)row[2], (long)row[3]!, (long)row[4]!, (long)row[5]!, Resumed: true);
                }
                if (resume && !sameRequest)
                {
                    throw new LocalStoreException(
                        $"The unfinished fetch into table {name} was started with different parameters ({row[1]}); resume it with the same range, events, where, limit and append, or fetch without resume to start over.",
                        "Conflict");
                }
                InTransaction(connection, () =>
                {
                    connection.Execute("DROP TABLE IF EXISTS " + StoreIdentifiers.Quote(stage));
                    connection.Query($"DELETE FROM {FetchesTable} WHERE table_name = ?", [name]);
                });
            }
            var newStage = StoreIdentifiers.ReservedPrefix + "fetch_" + Guid.NewGuid().ToString("N");
            InTransaction(connection, () =>
            {
                connection.Execute($"CREATE TABLE {newStage} ({EventsColumns})");
                connection.Query(
                    $"INSERT INTO {FetchesTable} VALUES (?, ?, ?, ?, ?, NULL, 0, 0, 0, ?, ?)",
                    [name, newStage, request, from, to, now, now]);
            });
            return new StagedFetch(name, newStage, request, from, to, null, 0, 0, 0, Resumed: false);
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>
    /// DuckDB's rows per row group. A transaction that appends at least this many rows has its row groups written
    /// straight to the file (compressed once, as they fill); a smaller one goes through the WAL and is written again,
    /// compressed, by the next checkpoint, which also rewrites the table's last, partly filled row group.
    /// </summary>
    internal const long RowGroupRows = 122_880;

    /// <summary>
    /// Loads one day of export JSONL into the staging table and records the day as done, in one transaction:
    /// when reading, checking or loading fails or is cancelled, none of the day's lines stay staged and the
    /// day is not recorded, so it can be loaded again from the start without duplicates.
    /// </summary>
    /// <exception cref="LocalStoreException">The stream ended with <c>terminated early</c> (<see cref="TerminatedEarlyError"/>) or DuckDB failed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the day was rolled back.</exception>
    internal async Task<StagedDay> LoadStagedDayAsync(StagedFetch fetch, DateOnly day, PipeReader jsonl, int sampleLimit, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jsonl);
        StagedBatch batch;
        try
        {
            batch = await BeginStagedBatchAsync(fetch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await jsonl.CompleteAsync().ConfigureAwait(false);
            throw;
        }
        await using (batch.ConfigureAwait(false))
        {
            var loaded = await batch.LoadAsync(day, jsonl, sampleLimit, progress).ConfigureAwait(false);
            await batch.CommitAsync().ConfigureAwait(false);
            return loaded;
        }
    }

    /// <summary>
    /// Opens one transaction in which consecutive days (windows) of a staged fetch are loaded and recorded, then committed
    /// together: so that windows smaller than a row group can share one direct write (<see cref="RowGroupRows"/>).
    /// Disposing without <see cref="StagedBatch.CommitAsync"/> rolls every day of the batch back.
    /// </summary>
    internal async Task<StagedBatch> BeginStagedBatchAsync(StagedFetch fetch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ThrowIfReadOnly();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new StagedBatch(this, fetch, Rent(), cancellationToken);
        try
        {
            await Task.Run(() => batch.Connection.Execute("BEGIN TRANSACTION"), CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await batch.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        batch.Open = true;
        return batch;
    }

    /// <summary>Consecutive days of a staged fetch loaded in one open transaction (<see cref="BeginStagedBatchAsync"/>).</summary>
    internal sealed class StagedBatch : IAsyncDisposable
    {
        private readonly LocalStore _store;
        private readonly StagedFetch _fetch;
        private readonly CancellationToken _cancellationToken;
        private readonly CancellationTokenRegistration _interrupt;
        private bool _interrupted;

        internal StagedBatch(LocalStore store, StagedFetch fetch, StoreConnection connection, CancellationToken cancellationToken)
        {
            _store = store;
            _fetch = fetch;
            Connection = connection;
            _cancellationToken = cancellationToken;
            _interrupt = cancellationToken.Register(() =>
            {
                _interrupted = true;
                connection.Interrupt();
            });
        }

        internal StoreConnection Connection { get; }

        internal bool Open { get; set; }

        /// <summary>Rows appended in this batch so far.</summary>
        public long Rows { get; private set; }

        /// <summary>
        /// Appends one day's JSONL and records the day as the fetch's last, inside the batch's transaction. When this
        /// throws, the batch is spoiled: dispose it (every day of it rolls back).
        /// </summary>
        /// <exception cref="LocalStoreException">The stream ended with <c>terminated early</c> (<see cref="TerminatedEarlyError"/>) or DuckDB failed.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<StagedDay> LoadAsync(DateOnly day, PipeReader jsonl, int sampleLimit, IProgress<IngestProgress>? progress)
        {
            ArgumentNullException.ThrowIfNull(jsonl);
            var state = new LineState(sampleLimit);
            try
            {
                await _store.LoadLinesAsync(Connection, _fetch.StageTable, jsonl, state, progress, _cancellationToken).ConfigureAwait(false);
                _cancellationToken.ThrowIfCancellationRequested();
                var now = _store._options.TimeProvider.GetUtcNow().UtcDateTime;
                await Task.Run(() => Connection.Query(
                    $"UPDATE {FetchesTable} SET last_day = ?, row_count = row_count + ?, bytes = bytes + ?, malformed = malformed + ?, updated_at = ? WHERE table_name = ? AND stage_table = ?",
                    [day, state.Rows, state.Bytes, state.Malformed, now, _fetch.Table, _fetch.StageTable]), CancellationToken.None).ConfigureAwait(false);
            }
            catch (LocalStoreException error) when (_cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The fetch was cancelled; the day being loaded was rolled back.", error, _cancellationToken);
            }
            finally
            {
                await jsonl.CompleteAsync().ConfigureAwait(false);
            }
            Rows += state.Rows;
            return new StagedDay(day, state.Rows, state.Bytes, state.Malformed, state.Samples);
        }

        /// <summary>Commits every day loaded in the batch.</summary>
        public async Task CommitAsync()
        {
            try
            {
                await Task.Run(() => Connection.Execute("COMMIT"), CancellationToken.None).ConfigureAwait(false);
            }
            catch (LocalStoreException error) when (_cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The fetch was cancelled; the days being loaded were rolled back.", error, _cancellationToken);
            }
            Open = false;
        }

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            await _interrupt.DisposeAsync().ConfigureAwait(false);
            if (Open)
            {
                Open = false;
                Abandon(Connection, ref _interrupted);
            }
            _store.Return(Connection, discard: _interrupted);
        }
    }

    /// <summary>
    /// Publishes a staged fetch in one transaction: replaces the target with the staging table (or appends
    /// to it, skipping <c>$insert_id</c>s already present), writes its metadata row and forgets the bookkeeping.
    /// </summary>
    internal Task<IngestResult> PublishStagedAsync(StagedFetch fetch, IngestOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfReadOnly();
        var started = _options.TimeProvider.GetTimestamp();
        return RunAsync(connection =>
        {
            var rows = connection.Query($"SELECT row_count, bytes, malformed FROM {FetchesTable} WHERE table_name = ? AND stage_table = ?", [fetch.Table, fetch.StageTable]).Rows;
            if (rows.Count != 1 || !TableExists(connection, fetch.StageTable))
            {
                throw new LocalStoreException($"The staged fetch into table {fetch.Table} is gone (another fetch replaced it); fetch again.", "Conflict");
            }
            var (staged, bytes, malformed) = ((long)rows[0][0]!, (long)rows[0][1]!, (long)rows[0][2]!);
            var fetchedAt = _options.TimeProvider.GetUtcNow().UtcDateTime;
            connection.Execute("BEGIN TRANSACTION");
            var (inserted, total) = Publish(connection, StoreIdentifiers.Quote(fetch.StageTable), fetch.Table, "events", EventsColumns, options, fetchedAt, staged,
                c => c.Query($"DELETE FROM {FetchesTable} WHERE table_name = ?", [fetch.Table]));
            return new IngestResult(fetch.Table, staged, inserted, staged - inserted, malformed, [], bytes, total, _options.TimeProvider.GetElapsedTime(started));
        }, timeout: null, cancellationToken);
    }

    /// <summary>The unfinished fetch recorded for <paramref name="table"/>, if any (for reporting; nothing is changed).</summary>
    internal Task<StagedFetch?> FindStagedAsync(string table, CancellationToken cancellationToken = default)
    {
        var name = StoreIdentifiers.ValidateTable(table);
        return RunAsync(connection =>
        {
            connection.Execute(FetchesDdl);
            var rows = connection.Query(
                $"SELECT stage_table, request, from_date, to_date, last_day, row_count, bytes, malformed FROM {FetchesTable} WHERE table_name = ?", [name]).Rows;
            if (rows.Count == 0)
            {
                return null;
            }
            var row = rows[0];
            return new StagedFetch(name, (string)row[0]!, (string)row[1]!, (DateOnly)row[2]!, (DateOnly)row[3]!, (DateOnly?)row[4],
                Convert.ToInt64(row[5], CultureInfo.InvariantCulture), Convert.ToInt64(row[6], CultureInfo.InvariantCulture), Convert.ToInt64(row[7], CultureInfo.InvariantCulture), Resumed: false);
        }, _options.StatementTimeout, cancellationToken);
    }

    /// <summary>
    /// A fresh file path in the store's private spool folder (mode 0700, removed when the store closes), for a window
    /// downloaded ahead of its load. The caller creates and deletes the file.
    /// </summary>
    internal string NewSpoolFile(string prefix)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Path.Combine(_database.SpoolDirectory, prefix + "-" + Guid.NewGuid().ToString("N") + ".jsonl");
    }

    private sealed class Claim(Action release) : IDisposable
    {
        private Action? _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
