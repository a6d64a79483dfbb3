using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Storage;

public sealed partial class LocalStore
{
    private const string EventsColumns = "event_name VARCHAR, event_time TIMESTAMP, distinct_id VARCHAR, insert_id VARCHAR, properties JSON";
    private const string ProfilesColumns = "distinct_id VARCHAR, properties JSON, last_seen TIMESTAMP";

    /// <summary>The <see cref="LocalStoreException.ErrorType"/> of a load refused because the export ended with <c>terminated early</c>.</summary>
    public const string TerminatedEarlyError = "TerminatedEarly";

    /// <summary>
    /// Input bytes after which the appender is closed and reopened: its rows are then flushed into the staging
    /// table (committed, unless the caller holds a transaction), so DuckDB can write and evict them.
    /// </summary>
    internal long FlushBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Loads Mixpanel export JSONL (already decompressed; one <c>{"event":…,"properties":{"time":…,…}}</c> per line)
    /// into an events table (<c>event_name, event_time (UTC), distinct_id, insert_id, properties JSON</c>).
    /// <para>
    /// How: each line is checked and its columns read in one parse (<see cref="EventLineValidator"/>), and
    /// DuckDB.NET's appender writes them into a staging table, flushed every <see cref="FlushBytes"/> of input.
    /// Each flush commits on its own, so DuckDB writes finished row groups to the file and can evict them: with a file-backed store
    /// (and its <see cref="LocalStoreOptions.MemoryLimit"/>), memory does not grow with the number of events;
    /// an in-memory store holds the whole table in memory by definition. The staging table then replaces (or
    /// is appended to) the target in one short transaction together with its metadata row. A failure or
    /// cancellation at any point leaves the previous table exactly as it was and drops the staging table;
    /// one left by a process that died mid-load is dropped the next time the file is opened.
    /// Appending skips events whose <c>$insert_id</c> is already in the table (or
    /// earlier in the same input). Malformed lines are counted and sampled in the result; a line reading
    /// <c>terminated early</c> (Mixpanel's mark of a cut-off export) fails the load.
    /// </para>
    /// </summary>
    /// <exception cref="LocalStoreException">Invalid table name, read-only store, a <c>terminated early</c> stream, or a DuckDB failure.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing was changed.</exception>
    public async Task<IngestResult> IngestEventsAsync(string table, Stream jsonl, IngestOptions? options = null, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonl);
        var reader = PipeReader.Create(jsonl, new StreamPipeReaderOptions(bufferSize: 1 << 20, minimumReadSize: 256 * 1024, leaveOpen: true));
        return await IngestEventsAsync(table, reader, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="IngestEventsAsync(string, Stream, IngestOptions?, IProgress{IngestProgress}?, CancellationToken)"/>
    public async Task<IngestResult> IngestEventsAsync(string table, PipeReader jsonl, IngestOptions? options = null, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonl);
        var name = StoreIdentifiers.ValidateTable(table);
        ThrowIfReadOnly();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new IngestOptions();
        var started = _options.TimeProvider.GetTimestamp();
        var stage = StoreIdentifiers.ReservedPrefix + "stage_" + Guid.NewGuid().ToString("N");
        var state = new LineState(options.MalformedSampleLimit);
        var connection = Rent();
        var interrupted = false;
        var staged = false;
        try
        {
            await using (cancellationToken.Register(() =>
            {
                interrupted = true;
                connection.Interrupt();
            }).ConfigureAwait(false))
            {
                // The staging table is committed and every segment load is its own short transaction, so DuckDB
                // can write finished row groups out and evict them: memory stays flat however many events come.
                // Nobody reads _mp_* tables; Publish is the one transaction that makes the data visible.
                staged = true;
                await Task.Run(() => connection.Execute($"CREATE TABLE {stage} ({EventsColumns})"), CancellationToken.None).ConfigureAwait(false);
                await LoadLinesAsync(connection, stage, jsonl, state, progress, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                var fetchedAt = _options.TimeProvider.GetUtcNow().UtcDateTime;
                var (inserted, total) = await Task.Run(() =>
                {
                    connection.Execute("BEGIN TRANSACTION");
                    return Publish(connection, stage, name, "events", EventsColumns, options, fetchedAt, state.Rows);
                }, CancellationToken.None).ConfigureAwait(false);
                staged = false;
                progress?.Report(new IngestProgress(state.Rows, state.Bytes, state.Malformed));
                return new IngestResult(name, state.Rows, inserted, state.Rows - inserted, state.Malformed, state.Samples, state.Bytes, total,
                    _options.TimeProvider.GetElapsedTime(started));
            }
        }
        catch (LocalStoreException error) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The ingestion was cancelled; the table was left unchanged.", error, cancellationToken);
        }
        finally
        {
            await jsonl.CompleteAsync().ConfigureAwait(false);
            Return(connection, discard: interrupted);
            if (staged)
            {
                await Task.Run(() => DropStage(stage), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads export JSONL to its end, checking each line and appending its columns to <paramref name="stage"/>
    /// (an unquoted staging table name) through DuckDB.NET's appender. The appender is closed and reopened every
    /// <see cref="FlushBytes"/> of input; each close flushes its rows, in their own transaction unless the caller
    /// opened one (then the caller commits or rolls back).
    /// </summary>
    private async Task LoadLinesAsync(StoreConnection connection, string stage, PipeReader jsonl, LineState state, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        var appender = connection.CreateAppender(stage);
        try
        {
            long lastReport = 0;
            long lastFlush = 0;
            while (true)
            {
                var read = await jsonl.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                StoreConnection.Guard(() =>
                {
                    while (JsonLines.TryTakeLine(ref buffer, out var line))
                    {
                        AcceptLine(line, state, appender);
                    }
                    if (read.IsCompleted && !buffer.IsEmpty)
                    {
                        AcceptLine(buffer, state, appender);
                    }
                    return 0;
                });
                if (read.IsCompleted)
                {
                    state.Bytes += read.Buffer.Length;
                    jsonl.AdvanceTo(read.Buffer.End);
                    break;
                }
                if (buffer.Length > JsonLines.MaxLineBytes)
                {
                    throw new LocalStoreException($"Line {state.LineNumber + 1} is longer than {JsonLines.MaxLineBytes / (1024 * 1024)} MB; the input is not export JSONL.", "InvalidInput");
                }
                state.Bytes += read.Buffer.Length - buffer.Length;
                jsonl.AdvanceTo(buffer.Start, buffer.End);
                if (state.Bytes - lastFlush >= FlushBytes)
                {
                    lastFlush = state.Bytes;
                    var full = appender;
                    appender = null;
                    await Task.Run(() => StoreConnection.Guard(() =>
                    {
                        full.Close();
                        return 0;
                    }), CancellationToken.None).ConfigureAwait(false);
                    appender = connection.CreateAppender(stage);
                }
                if (progress is not null && state.Bytes - lastReport >= 4 * 1024 * 1024)
                {
                    lastReport = state.Bytes;
                    progress.Report(new IngestProgress(state.Rows, state.Bytes, state.Malformed));
                }
            }
            var last = appender;
            appender = null;
            await Task.Run(() => StoreConnection.Guard(() =>
            {
                last.Close();
                return 0;
            }), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // A load that failed part-way abandons its unflushed rows (the staging table is dropped or rolled back).
            try
            {
                appender?.Dispose();
            }
            catch (Exception error) when (error is DuckDB.NET.Data.DuckDBException or InvalidOperationException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// Loads Engage profile pages into a profiles table (<c>distinct_id, properties JSON, last_seen</c>) through
    /// DuckDB's appender, staged and swapped like events. Each element is an Engage page (an object with
    /// <c>results</c>) or an array of profiles (<c>{"$distinct_id":…,"$properties":{…}}</c>); only one page is
    /// held at a time. Appending replaces profiles whose <c>distinct_id</c> is already present.
    /// </summary>
    public async Task<IngestResult> IngestProfilesAsync(string table, IAsyncEnumerable<JsonElement> pages, IngestOptions? options = null, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var name = StoreIdentifiers.ValidateTable(table);
        ThrowIfReadOnly();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new IngestOptions { Source = "engage" };
        var started = _options.TimeProvider.GetTimestamp();
        var stage = StoreIdentifiers.ReservedPrefix + "stage_" + Guid.NewGuid().ToString("N");
        var state = new LineState(options.MalformedSampleLimit);
        var connection = Rent();
        var interrupted = false;
        var staged = false;
        try
        {
            await using (cancellationToken.Register(() =>
            {
                interrupted = true;
                connection.Interrupt();
            }).ConfigureAwait(false))
            {
                staged = true;
                await Task.Run(() => connection.Execute($"CREATE TABLE {stage} ({ProfilesColumns})"), CancellationToken.None).ConfigureAwait(false);
                using (var appender = connection.CreateAppender(stage))
                {
                    await foreach (var page in pages.WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        var profiles = page.ValueKind == JsonValueKind.Array ? page
                            : page.ValueKind == JsonValueKind.Object && page.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array ? results
                            : throw new LocalStoreException("A profile page is neither an array nor an object with a \"results\" array.", "InvalidInput");
                        StoreConnection.Guard(() =>
                        {
                            foreach (var profile in profiles.EnumerateArray())
                            {
                                AppendProfile(appender, profile, state);
                            }
                            return 0;
                        });
                        progress?.Report(new IngestProgress(state.Rows, state.Bytes, state.Malformed));
                    }
                    StoreConnection.Guard(() =>
                    {
                        appender.Close();
                        return 0;
                    });
                }
                var fetchedAt = _options.TimeProvider.GetUtcNow().UtcDateTime;
                var (inserted, total) = await Task.Run(() =>
                {
                    connection.Execute("BEGIN TRANSACTION");
                    return Publish(connection, stage, name, "profiles", ProfilesColumns, options, fetchedAt, state.Rows);
                }, CancellationToken.None).ConfigureAwait(false);
                staged = false;
                return new IngestResult(name, state.Rows, inserted, state.Rows - inserted, state.Malformed, state.Samples, state.Bytes, total,
                    _options.TimeProvider.GetElapsedTime(started));
            }
        }
        catch (LocalStoreException error) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The ingestion was cancelled; the table was left unchanged.", error, cancellationToken);
        }
        finally
        {
            Return(connection, discard: interrupted);
            if (staged)
            {
                await Task.Run(() => DropStage(stage), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static void AppendProfile(DuckDB.NET.Data.DuckDBAppender appender, JsonElement profile, LineState state)
    {
        state.LineNumber++;
        var raw = profile.GetRawText();
        state.Bytes += raw.Length;
        if (profile.ValueKind != JsonValueKind.Object
            || !profile.TryGetProperty("$distinct_id", out var id)
            || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            state.AddMalformed("missing \"$distinct_id\"", raw);
            return;
        }
        var properties = profile.TryGetProperty("$properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        DateTime? lastSeen = null;
        if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("$last_seen", out var seen) && seen.ValueKind == JsonValueKind.String
            && DateTime.TryParse(seen.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            lastSeen = parsed;
        }
        appender.CreateRow()
            .AppendValue(id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText())
            .AppendValue(properties.ValueKind == JsonValueKind.Object ? properties.GetRawText() : "{}")
            .AppendValue(lastSeen)
            .EndRow();
        state.Rows++;
    }

    private static void AcceptLine(ReadOnlySequence<byte> sequence, LineState state, DuckDB.NET.Data.DuckDBAppender appender)
    {
        state.LineNumber++;
        if (sequence.IsSingleSegment)
        {
            AcceptLine(sequence.FirstSpan, state, appender);
            return;
        }
        var length = checked((int)sequence.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            sequence.CopyTo(rented);
            AcceptLine(rented.AsSpan(0, length), state, appender);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void AcceptLine(ReadOnlySpan<byte> line, LineState state, DuckDB.NET.Data.DuckDBAppender appender)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (line.Trim((byte)' ').IsEmpty)
        {
            return;
        }
        var reason = EventLineValidator.Read(line, out var columns);
        if (reason is null)
        {
            var row = appender.CreateRow()
                .AppendValue(Writable(columns.EventName))
                .AppendValue(columns.Time);
            row = columns.DistinctId.HasValue ? row.AppendValue(Writable(columns.DistinctId.Value)) : row.AppendNullValue();
            row = columns.InsertId.HasValue ? row.AppendValue(Writable(columns.InsertId.Value)) : row.AppendNullValue();
            row.AppendValue(Writable(columns.Properties)).EndRow();
            state.Rows++;
            return;
        }
        if (line.IndexOf("terminated early"u8) >= 0)
        {
            throw new LocalStoreException(
                $"The export stream ended with \"terminated early\" at line {state.LineNumber}: Mixpanel stopped before the end, so the data is incomplete. The table was left unchanged; fetch again (a shorter range helps).",
                TerminatedEarlyError);
        }
        state.AddMalformed(reason, Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]));
    }

    // DuckDB.NET's appender takes UTF-8 text as a Span<byte> (it only reads it, into DuckDB's own string heap).
    private static Span<byte> Writable(ReadOnlySpan<byte> utf8) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(utf8), utf8.Length);

    /// <summary>
    /// Replaces or extends the target with the committed staging table and writes the metadata row, then
    /// commits the transaction the caller opened just before: until this commit nobody sees any of it, and a
    /// failure rolls it back (the caller then drops the staging table, or keeps it to resume). Replacing is
    /// a catalog change (drop the old table, rename the staging table); appending copies the new,
    /// de-duplicated rows.
    /// </summary>
    private static (long Inserted, long Total) Publish(StoreConnection connection, string stage, string name, string kind, string columns, IngestOptions options, DateTime fetchedAt, long rowsRead, Action<StoreConnection>? beforeCommit = null)
    {
        var target = StoreIdentifiers.Quote(name);
        long inserted = rowsRead;
        DateOnly? from = options.FromDate;
        DateOnly? to = options.ToDate;
        try
        {
            if (options.Append)
            {
                var previous = connection.Query($"SELECT from_date, to_date FROM {StoreIdentifiers.MetadataTable} WHERE table_name = ?", [name]).Rows;
                if (previous.Count == 1)
                {
                    from = Min(from, (DateOnly?)previous[0][0]);
                    to = Max(to, (DateOnly?)previous[0][1]);
                }
                connection.Execute($"CREATE TABLE IF NOT EXISTS {target} ({columns})");
                if (kind == "events")
                {
                    // Skip $insert_ids already in the table and repeats within this load; rows without one are kept.
                    inserted = connection.Execute(
                        $"INSERT INTO {target} SELECT s.* FROM (SELECT * FROM {stage} QUALIFY insert_id IS NULL OR row_number() OVER (PARTITION BY insert_id) = 1) s " +
                        $"WHERE s.insert_id IS NULL OR NOT EXISTS (SELECT 1 FROM {target} t WHERE t.insert_id = s.insert_id)");
                }
                else
                {
                    connection.Execute($"DELETE FROM {target} WHERE distinct_id IN (SELECT distinct_id FROM {stage})");
                    inserted = connection.Execute($"INSERT INTO {target} SELECT * FROM {stage}");
                }
                connection.Execute($"DROP TABLE {stage}");
            }
            else
            {
                connection.Execute($"DROP TABLE IF EXISTS {target}");
                connection.Execute($"ALTER TABLE {stage} RENAME TO {target}");
            }
            var total = Convert.ToInt64(connection.Scalar($"SELECT count(*) FROM {target}"), CultureInfo.InvariantCulture);
            connection.Query(
                $"INSERT OR REPLACE INTO {StoreIdentifiers.MetadataTable} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [name, kind, options.Source, from, to, options.Filters, total, fetchedAt]);
            beforeCommit?.Invoke(connection);
            connection.Execute("COMMIT");
            return (inserted, total);
        }
        catch
        {
            TryRollback(connection);
            throw;
        }
    }

    /// <summary>
    /// Drops an abandoned staging table. It runs on a fresh connection, never the ingestion's own: that one
    /// may have been interrupted (cancellation) or be inside a failed transaction. A failure here is not the
    /// caller's problem: the debris is invisible (<c>_mp_*</c>) and the next open of the file drops it.
    /// </summary>
    private void DropStage(string stage)
    {
        StoreConnection? cleaner = null;
        try
        {
            cleaner = _database.Connect();
            cleaner.Execute($"DROP TABLE IF EXISTS {stage}");
        }
        catch (LocalStoreException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The store was disposed meanwhile; the next open cleans up.
        }
        finally
        {
            cleaner?.Dispose();
        }
    }

    /// <summary>Rolls the caller's transaction back (a staged fetch's day being loaded).</summary>
    private static void Abandon(StoreConnection connection, ref bool discard)
    {
        try
        {
            connection.Execute("ROLLBACK");
        }
        catch (LocalStoreException)
        {
            // A connection that cannot roll back is closed instead, and closing rolls back.
            discard = true;
        }
    }

    private static DateOnly? Min(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateOnly? Max(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>Counters shared by the line loop.</summary>
    private sealed class LineState(int sampleLimit)
    {
        private readonly List<MalformedLine> _samples = [];

        public long LineNumber { get; set; }
        public long Rows { get; set; }
        public long Bytes { get; set; }
        public long Malformed { get; private set; }
        public IReadOnlyList<MalformedLine> Samples => _samples;

        public void AddMalformed(string reason, string excerpt)
        {
            Malformed++;
            if (_samples.Count < sampleLimit)
            {
                _samples.Add(new MalformedLine(LineNumber, reason, excerpt.Length > 200 ? excerpt[..200] : excerpt));
            }
        }
    }
}
