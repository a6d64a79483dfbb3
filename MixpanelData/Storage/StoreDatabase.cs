using DuckDB.NET.Data;

namespace MixpanelData.Storage;

/// <summary>
/// One open DuckDB database (through DuckDB.NET). A file is opened once per process: <see cref="Acquire"/> hands
/// out the same instance (reference counted) for the same full path and the last <see cref="Dispose"/> closes
/// it; in-memory databases are private to their caller. This registry is the only static mutable state in the
/// library.
/// <para>
/// The database stays open through a root <see cref="DuckDBConnection"/> held for the instance's lifetime;
/// <see cref="Connect"/> adds connections to the same database (DuckDB.NET shares the file's database between
/// connections with the same connection string; in-memory connections are duplicates of the root).
/// </para>
/// <para>
/// Every database is opened sandboxed: extension auto-install/auto-load off (start-up options), then, on the
/// root connection before any other exists, external access off (no files, URLs, ATTACH, INSTALL/LOAD) except a
/// private folder (<see cref="SpoolDirectory"/>, mode 0700) where DuckDB spills past its memory limit, and the
/// configuration locked so SQL cannot undo any of it. These settings are database-wide, which is why every user
/// of a file shares them.
/// </para>
/// </summary>
internal sealed class StoreDatabase : IDisposable
{
    private static readonly Lock RegistryGate = new();
    private static readonly Dictionary<string, StoreDatabase> Registry = new(StringComparer.Ordinal);

    private readonly string? _key;
    private readonly string _connectionString;
    private readonly DuckDBConnection _root;
    private int _references;
    private int _claimed;
    private int _closed;

    private StoreDatabase(string? key, string connectionString, DuckDBConnection root, string spoolDirectory, bool readOnlyAccess)
    {
        _key = key;
        _connectionString = connectionString;
        _root = root;
        SpoolDirectory = spoolDirectory;
        IsReadOnlyAccess = readOnlyAccess;
        _references = 1;
    }

    /// <summary>A private folder (inside the system temp folder) that the database may read and write despite the sandbox.</summary>
    public string SpoolDirectory { get; }

    /// <summary>
    /// True exactly once per open database: for the first caller after the file was opened (not for callers
    /// that share an already open file). Start-up housekeeping, such as dropping staging tables a crashed
    /// process left behind, runs only then, when no ingestion in this process can be using them.
    /// </summary>
    public bool ClaimStartup() => Interlocked.Exchange(ref _claimed, 1) == 0;

    /// <summary>Whether the file was opened with DuckDB's read-only access mode (shareable between processes).</summary>
    public bool IsReadOnlyAccess { get; }

    /// <summary>The full path of the database file, or <see langword="null"/> for in-memory databases.</summary>
    public string? Path => _key;

    /// <summary>The DuckDB engine version, e.g. <c>v1.5.6</c>.</summary>
    public static string LibraryVersion => DuckDB.NET.Native.NativeMethods.Startup.DuckDBLibraryVersion();

    /// <summary>How many database files this process holds open through the registry (for tests and diagnostics).</summary>
    public static int OpenFileCount
    {
        get
        {
            lock (RegistryGate)
            {
                return Registry.Count;
            }
        }
    }

    /// <summary>Opens (or shares) the database at <paramref name="path"/>; <see langword="null"/> opens a private in-memory database.</summary>
    /// <remarks><paramref name="memoryLimit"/> (DuckDB syntax, e.g. <c>512MB</c>) applies when this call opens the file; a file already open keeps its settings.</remarks>
    public static StoreDatabase Acquire(string? path, string? memoryLimit = null, bool readOnlyAccess = false)
    {
        if (path is null)
        {
            return OpenNew(null, memoryLimit, readOnlyAccess: false);
        }
        var key = System.IO.Path.GetFullPath(path);
        lock (RegistryGate)
        {
            if (Registry.TryGetValue(key, out var existing))
            {
                if (existing.IsReadOnlyAccess && !readOnlyAccess)
                {
                    throw new LocalStoreException($"The DuckDB database at {key} is already open read-only in this process; it cannot also be opened for writing.", "IO");
                }
                existing._references++;
                return existing;
            }
            var database = OpenNew(key, memoryLimit, readOnlyAccess);
            Registry.Add(key, database);
            return database;
        }
    }

    private static StoreDatabase OpenNew(string? path, string? memoryLimit, bool readOnlyAccess)
    {
        var spool = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mixpanel-data", "spool-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(spool);
        }
        else
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(spool)!);
            Directory.CreateDirectory(spool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (path is not null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        }

        var builder = new DuckDBConnectionStringBuilder { DataSource = path ?? DuckDBConnectionStringBuilder.InMemoryDataSource };
        builder["autoinstall_known_extensions"] = "false";
        builder["autoload_known_extensions"] = "false";
        if (readOnlyAccess)
        {
            builder["access_mode"] = "READ_ONLY";
        }
        if (memoryLimit is not null)
        {
            builder["memory_limit"] = memoryLimit;
        }
        // Where DuckDB spills when a query or load needs more than the memory limit. Its default (<file>.tmp, or
        // .tmp in the working folder) is outside what the sandbox allows, so spilling would fail with an
        // out-of-memory error; inside the private spool folder it is allowed.
        builder["temp_directory"] = System.IO.Path.Combine(spool, "duckdb-temp");
        // DuckDB's allocator (jemalloc on Linux) otherwise keeps freed pages until a later allocation on the same thread
        // purges them, so a load's peak RSS sat 100-150 MB above what DuckDB had in use; its background thread returns
        // them as they age (docs/performance.md, Fetch).
        builder["allocator_background_threads"] = "true";
        var connectionString = builder.ConnectionString;

        var root = new DuckDBConnection(connectionString);
        try
        {
            root.Open();
        }
        catch (Exception error) when (error is DuckDB.NET.Data.DuckDBException or InvalidOperationException)
        {
            root.Dispose();
            TryDelete(spool);
            // DuckDB.NET prefixes DuckDB's own message ("IO Error: Could not set lock on file …").
            const string prefix = "DuckDBOpen failed: ";
            var message = error.Message.StartsWith(prefix, StringComparison.Ordinal) ? error.Message[prefix.Length..] : error.Message;
            throw new LocalStoreException($"Could not open the DuckDB database{(path is null ? "" : " at " + path)}: {message}", StoreErrors.NameFromMessage(message) ?? "IO", error);
        }
        var opened = new StoreDatabase(path, connectionString, root, spool, readOnlyAccess);
        try
        {
            opened.Lockdown();
        }
        catch
        {
            opened.Close();
            throw;
        }
        return opened;
    }

    /// <summary>
    /// Applies the sandbox before anyone else can connect, in the only order DuckDB accepts: the exception
    /// first, then external access off, then the lock. (allowed_directories is list-valued, so it cannot be a
    /// connection-string option.)
    /// </summary>
    private void Lockdown()
    {
        var allowed = (SpoolDirectory + System.IO.Path.DirectorySeparatorChar).Replace("'", "''", StringComparison.Ordinal);
        using var connection = new StoreConnection(_root, this, ownsConnection: false);
        connection.Execute($"SET allowed_directories = ['{allowed}']; SET enable_external_access = false; SET lock_configuration = true;");
    }

    /// <summary>Opens a new connection. Each connection has its own transaction state.</summary>
    public StoreConnection Connect()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
        DuckDBConnection connection;
        try
        {
            if (_key is null)
            {
                connection = _root.Duplicate();
                connection.Open();
            }
            else
            {
                connection = new DuckDBConnection(_connectionString);
                connection.Open();
            }
        }
        catch (Exception error) when (error is DuckDB.NET.Data.DuckDBException or InvalidOperationException)
        {
            throw new LocalStoreException("Could not open a DuckDB connection: " + error.Message, "Connection", error);
        }
        return new StoreConnection(connection, this, ownsConnection: true);
    }

    /// <summary>Releases this reference; the last one closes the database and deletes the spool folder.</summary>
    public void Dispose()
    {
        if (_key is not null)
        {
            lock (RegistryGate)
            {
                if (--_references > 0)
                {
                    return;
                }
                Registry.Remove(_key);
            }
        }
        else if (Interlocked.Decrement(ref _references) > 0)
        {
            return;
        }
        Close();
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _root.Dispose();
        TryDelete(SpoolDirectory);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A spool folder left behind in the temp folder is harmless; the next open uses a new one.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
