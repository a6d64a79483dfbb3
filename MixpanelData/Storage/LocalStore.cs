using System.Collections.Concurrent;
using System.Text.Json;

namespace MixpanelData.Storage;

/// <summary>
/// The local analytical store: one DuckDB database per project holding fetched events and profiles,
/// queried with SQL.
/// <para>
/// Safety. The database is opened sandboxed (no file or URL access, no ATTACH, no extension
/// INSTALL/LOAD, configuration locked), so SQL given to <see cref="SqlAsync"/> cannot read the
/// credentials file or write anywhere but the store's private folder (mode 0700, where DuckDB spills past its
/// memory limit). The store's own bulk loads go through DuckDB.NET's appender (see
/// <see cref="IngestEventsAsync(string, Stream, IngestOptions?, IProgress{IngestProgress}?, CancellationToken)"/>).
/// Table names are validated and quoted, never spliced. Every query has a timeout that interrupts DuckDB.
/// With <see cref="LocalStoreOptions.ReadOnly"/>, user SQL may only read.
/// </para>
/// <para>
/// Concurrency. All members are safe to call concurrently: each call borrows its own DuckDB
/// connection from a small pool. DuckDB calls block, so they run on thread-pool threads; cancellation
/// and timeouts interrupt the running statement.
/// </para>
/// </summary>
public sealed partial class LocalStore : IAsyncDisposable
{
    private readonly StoreDatabase _database;
    private readonly LocalStoreOptions _options;
    private readonly ConcurrentBag<StoreConnection> _idle = [];
    private readonly ConcurrentDictionary<StoreConnection, byte> _busy = new();
    private readonly string? _ephemeralPath;
    private int _disposed;

    private LocalStore(StoreDatabase database, LocalStoreOptions options, string? ephemeralPath)
    {
        _database = database;
        _options = options;
        _ephemeralPath = ephemeralPath;
    }

    /// <summary>The database file, or <see langword="null"/> for an in-memory store.</summary>
    public string? DatabasePath => _database.Path;

    /// <summary>Whether user SQL is restricted to reading.</summary>
    public bool IsReadOnly => _options.ReadOnly;

    /// <summary>The version of the DuckDB library in use (e.g. <c>v1.5.1</c>).</summary>
    public static string DuckDbVersion => StoreDatabase.LibraryVersion;

    /// <summary>
    /// Opens (creating if needed) the store described by <paramref name="options"/>. A file already open
    /// in this process is shared, not opened twice.
    /// </summary>
    /// <exception cref="ConfigurationException">File mode without a path or project id.</exception>
    /// <exception cref="LocalStoreException">DuckDB could not open the database (e.g. locked by another process).</exception>
    public static LocalStore Open(LocalStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.StatementTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "StatementTimeout must be positive.");
        }
        string? path;
        string? ephemeral = null;
        switch (options.Mode)
        {
            case LocalStoreMode.InMemory:
                path = null;
                break;
            case LocalStoreMode.Ephemeral:
                ephemeral = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mixpanel-data", "ephemeral-" + Guid.NewGuid().ToString("N") + ".duckdb");
                path = ephemeral;
                break;
            default:
                path = options.Path
                    ?? (options.ProjectId is { } project ? LocalStoreOptions.DefaultPath(project)
                    : throw new ConfigurationException("A file-backed local store needs a path or a project id (or use LocalStoreMode.InMemory).", ["LocalStoreOptions.Path", "LocalStoreOptions.ProjectId"]));
                break;
        }
        var shared = options.ShareFileReadOnly && path is not null;
        var database = StoreDatabase.Acquire(path, options.MemoryLimit ?? (path is null ? null : LocalStoreOptions.DefaultFileMemoryLimit), shared);
        if (shared)
        {
            // A shared read-only file is a finished store: no metadata to create, no staging debris to drop.
            return new LocalStore(database, options with { ReadOnly = true }, ephemeralPath: null);
        }
        var store = new LocalStore(database, options, ephemeral);
        try
        {
            store.WithConnection(c =>
            {
                c.Execute(MetadataDdl);
                if (database.ClaimStartup())
                {
                    DropStagingDebris(c);
                }
            });
        }
        catch
        {
            database.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>
    /// Drops staging tables left by an ingestion whose process died before it could clean up (a failed or
    /// cancelled ingestion drops its own). Runs when the file is opened, before any ingestion can start.
    /// </summary>
    private static void DropStagingDebris(StoreConnection connection)
    {
        var debris = connection.Query(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' " +
            "AND starts_with(table_name, '" + StoreIdentifiers.ReservedPrefix + "stage_') AND NOT temporary").Rows;
        foreach (var row in debris)
        {
            connection.Execute("DROP TABLE IF EXISTS " + StoreIdentifiers.Quote((string)row[0]!));
        }
    }

    /// <summary>Opens a private in-memory store.</summary>
    public static LocalStore OpenInMemory(bool readOnly = false) => Open(new LocalStoreOptions { Mode = LocalStoreMode.InMemory, ReadOnly = readOnly });

    private const string MetadataDdl =
        "CREATE TABLE IF NOT EXISTS " + StoreIdentifiers.MetadataTable + " (" +
        "table_name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, source VARCHAR NOT NULL, from_date DATE, to_date DATE, " +
        "filters VARCHAR, row_count BIGINT NOT NULL, fetched_at TIMESTAMP NOT NULL)";

    /// <summary>
    /// Runs SQL (one or more statements; the last result set is returned, empty when no statement returns
    /// rows) under the sandbox and the statement timeout, in one transaction. In read-only mode anything but
    /// SELECT/EXPLAIN is refused before it runs. Transaction statements are refused: each call is its own
    /// transaction.
    /// </summary>
    /// <exception cref="LocalStoreException">DuckDB rejected the SQL (<see cref="LocalStoreException.ErrorType"/> says how), it was refused, or it timed out (<c>Timeout</c>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the query was interrupted.</exception>
    public Task<SqlResult> SqlAsync(string sql, SqlOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var maxRows = options?.MaxRows ?? _options.DefaultMaxRows;
        if (maxRows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxRows must not be negative.");
        }
        return RunAsync(
            connection => ToResult(RunUserSql(connection, sql, options?.Parameters, maxRows)),
            options?.Timeout ?? _options.StatementTimeout,
            cancellationToken);
    }

    /// <summary>Runs SQL and returns the first column of the first row (null when there is none).</summary>
    public async Task<object?> SqlScalarAsync(string sql, SqlOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await SqlAsync(sql, (options ?? new SqlOptions()) with { MaxRows = 1 }, cancellationToken).ConfigureAwait(false);
        return result.Rows.Count == 0 || result.Columns.Count == 0 ? null : result.Rows[0][0];
    }

    private const string TransactionRefusal = "Transaction statements are not allowed: each call runs in its own transaction.";

    /// <summary>
    /// Runs user SQL under the store's rules. In a read-only store DuckDB's own parser (<c>json_serialize_sql</c>,
    /// which serializes SELECT statements only — DESCRIBE, SUMMARIZE, SHOW, VALUES and FROM-first included) must
    /// accept every statement, or an EXPLAIN of such, before anything runs; the statements then run in a
    /// transaction that is rolled back. Otherwise they run in one transaction the store opens and commits, so a
    /// call is atomic: DuckDB refuses a nested BEGIN, and a COMMIT or ROLLBACK inside the SQL ends the store's
    /// transaction, which the store's COMMIT then reports (statements after it have run on their own). File,
    /// URL, ATTACH, INSTALL/LOAD and SET are refused by DuckDB's sandbox settings, whatever the SQL.
    /// </summary>
    private QueryData RunUserSql(StoreConnection connection, string sql, IReadOnlyList<object?>? parameters, long maxRows)
    {
        if (_options.ReadOnly && !ReadsOnly(connection, sql))
        {
            throw new LocalStoreException("The store is read-only: only SELECT (DESCRIBE, SUMMARIZE, SHOW and FROM-first included) and EXPLAIN statements may run.", "Permission");
        }
        connection.Execute("BEGIN TRANSACTION");
        QueryData data;
        try
        {
            data = connection.Query(sql, parameters, maxRows);
        }
        catch (LocalStoreException error)
        {
            TryRollback(connection);
            throw Refusal(error) ?? error;
        }
        if (_options.ReadOnly)
        {
            TryRollback(connection);
            return data;
        }
        try
        {
            connection.Execute("COMMIT");
        }
        catch (LocalStoreException error) when (error.ErrorType == "Transaction")
        {
            TryRollback(connection);
            throw new LocalStoreException(TransactionRefusal + " The SQL ended the call's transaction, so the statements after its COMMIT or ROLLBACK ran on their own.", "Permission", error);
        }
        return data;
    }

    /// <summary>DuckDB's refusals of sandboxed statements, reported as the store's refusals.</summary>
    private static LocalStoreException? Refusal(LocalStoreException error)
    {
        if (error.ErrorType == "Transaction" && error.Message.Contains("within a transaction", StringComparison.Ordinal))
        {
            return new LocalStoreException(TransactionRefusal, "Permission", error);
        }
        if (error.Message.Contains("the configuration has been locked", StringComparison.Ordinal))
        {
            return new LocalStoreException("Settings cannot be changed in the local store's sandbox (its configuration is locked). " + error.Message, "Permission", error);
        }
        return null;
    }

    /// <summary>
    /// Whether DuckDB's parser sees only SELECT statements in <paramref name="sql"/>, or a leading EXPLAIN followed
    /// by only SELECT statements. Text that does not parse passes: DuckDB then refuses it with its own syntax error
    /// before running any of it.
    /// </summary>
    private static bool ReadsOnly(StoreConnection connection, string sql)
    {
        var verdict = Parse(connection, sql);
        if (verdict != ParseVerdict.Other)
        {
            return true;
        }
        var trimmed = sql.TrimStart();
        const string explain = "EXPLAIN";
        return trimmed.Length > explain.Length
            && trimmed.StartsWith(explain, StringComparison.OrdinalIgnoreCase)
            && char.IsWhiteSpace(trimmed[explain.Length])
            && Parse(connection, trimmed[explain.Length..]) == ParseVerdict.OnlySelects;
    }

    private enum ParseVerdict
    {
        OnlySelects,
        Other,
        SyntaxError,
    }

    /// <summary>DuckDB's <c>json_serialize_sql</c> serializes SELECT statements only and reports anything else as an error.</summary>
    private static ParseVerdict Parse(StoreConnection connection, string sql)
    {
        var json = (string?)connection.Scalar("SELECT json_serialize_sql(?::VARCHAR)", sql);
        using var document = JsonDocument.Parse(json ?? "{}");
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error) && !error.GetBoolean())
        {
            return ParseVerdict.OnlySelects;
        }
        return root.TryGetProperty("error_type", out var type) && type.GetString() == "parser" ? ParseVerdict.SyntaxError : ParseVerdict.Other;
    }

    private static SqlResult ToResult(QueryData data) =>
        new(data.Columns, data.Types, data.Rows.Select(r => (IReadOnlyList<object?>)Array.AsReadOnly(r)).ToArray(), data.Truncated);

    /// <summary>
    /// Runs blocking DuckDB work on a pool thread with a borrowed connection. Cancellation and the
    /// timeout interrupt DuckDB (DuckDB.NET's connection interrupt); an interrupted connection is closed rather than reused, so a late
    /// interrupt can never hit the next caller's statement.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<StoreConnection, T> work, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        using var timeoutSource = timeout is { } limit ? new CancellationTokenSource(limit, _options.TimeProvider) : null;
        using var linked = timeoutSource is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var connection = Rent();
        var interrupted = false;
        try
        {
            await using (linked.Token.Register(() =>
            {
                interrupted = true;
                connection.Interrupt();
            }).ConfigureAwait(false))
            {
                return await Task.Run(() => work(connection), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (LocalStoreException error) when (linked.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The local store operation was cancelled.", error, cancellationToken);
            }
            throw new LocalStoreException($"The query ran longer than the {timeout!.Value.TotalSeconds:0.###} s statement timeout and was stopped.", "Timeout", error);
        }
        finally
        {
            Return(connection, discard: interrupted);
        }
    }

    private void WithConnection(Action<StoreConnection> work)
    {
        var connection = Rent();
        try
        {
            work(connection);
        }
        finally
        {
            Return(connection, discard: false);
        }
    }

    private StoreConnection Rent()
    {
        var connection = _idle.TryTake(out var idle) ? idle : _database.Connect();
        _busy[connection] = 0;
        return connection;
    }

    private void Return(StoreConnection connection, bool discard)
    {
        _busy.TryRemove(connection, out _);
        if (discard || Volatile.Read(ref _disposed) != 0 || _idle.Count >= Environment.ProcessorCount * 2)
        {
            connection.Dispose();
            return;
        }
        _idle.Add(connection);
    }

    /// <summary>
    /// Interrupts running statements, closes every connection and releases the database (the last
    /// user of a file closes it). An ephemeral store's file is deleted.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var busy in _busy.Keys)
        {
            busy.Interrupt();
        }
        var waited = 0;
        while (!_busy.IsEmpty && waited < 10_000)
        {
            await Task.Delay(10).ConfigureAwait(false);
            waited += 10;
        }
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
        _database.Dispose();
        if (_ephemeralPath is not null)
        {
            foreach (var file in new[] { _ephemeralPath, _ephemeralPath + ".wal" })
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Another store in this process may still hold it; the temp folder is the fallback.
                }
            }
        }
    }
}
