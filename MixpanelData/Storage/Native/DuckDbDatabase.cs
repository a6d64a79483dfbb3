namespace MixpanelData.Storage.Native;

/// <summary>
/// One open DuckDB database. A file is opened once per process: <see cref="Acquire"/> hands out the
/// same instance (reference counted) for the same full path and the last <see cref="Dispose"/> closes
/// it; in-memory databases are private to their caller. This registry is the only static mutable
/// state in the library.
/// <para>
/// Every database is opened sandboxed: external access off (no files, URLs, ATTACH, INSTALL/LOAD)
/// except a private spool folder (<see cref="SpoolDirectory"/>, mode 0700) that the store itself uses
/// to bulk-load data with <c>read_ndjson</c>; extension auto-install/auto-load off; configuration
/// locked so SQL cannot undo any of it. These options are database-wide in DuckDB, which is why they
/// are set here, at open time, and why every user of a file shares them.
/// </para>
/// <para>Thread safety: a database may be used from any thread; its connections may not (see <see cref="DuckDbConnection"/>).</para>
/// </summary>
internal sealed class DuckDbDatabase : IDisposable
{
    private static readonly Lock RegistryGate = new();
    private static readonly Dictionary<string, DuckDbDatabase> Registry = new(StringComparer.Ordinal);

    private readonly string? _key;
    private readonly DatabaseHandle _handle;
    private int _references;
    private int _claimed;

    private DuckDbDatabase(string? key, DatabaseHandle handle, string spoolDirectory)
    {
        _key = key;
        _handle = handle;
        SpoolDirectory = spoolDirectory;
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
    public bool IsReadOnlyAccess { get; private init; }

    /// <summary>The full path of the database file, or <see langword="null"/> for in-memory databases.</summary>
    public string? Path => _key;

    /// <summary>The linked DuckDB version, e.g. <c>v1.5.1</c>.</summary>
    public static string LibraryVersion => NativeMethods.BorrowedString(NativeMethods.duckdb_library_version()) ?? "unknown";

    /// <summary>How many databases this process holds open through the registry (for tests and diagnostics).</summary>
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
    public static DuckDbDatabase Acquire(string? path, string? memoryLimit = null, bool readOnlyAccess = false)
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
                    throw DuckDbErrors.Create($"The DuckDB database at {key} is already open read-only in this process; it cannot also be opened for writing.", "IO");
                }
                existing._references++;
                return existing;
            }
            var database = OpenNew(key, memoryLimit, readOnlyAccess);
            Registry.Add(key, database);
            return database;
        }
    }

    private static DuckDbDatabase OpenNew(string? path, string? memoryLimit, bool readOnlyAccess)
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

        NativeMethods.duckdb_create_config(out var config);
        try
        {
            Set(config, "autoinstall_known_extensions", "false");
            Set(config, "autoload_known_extensions", "false");
            if (readOnlyAccess)
            {
                Set(config, "access_mode", "READ_ONLY");
            }
            if (memoryLimit is not null)
            {
                Set(config, "memory_limit", memoryLimit);
            }
            // Where DuckDB spills when a query or load needs more than the memory limit. Its default
            // (<file>.tmp, or .tmp in the working folder) is outside what the sandbox allows, so spilling
            // would fail with an out-of-memory error; inside the private spool folder it is allowed.
            Set(config, "temp_directory", System.IO.Path.Combine(spool, "duckdb-temp"));
            var state = NativeMethods.duckdb_open_ext(path, out var database, config, out var error);
            var message = NativeMethods.OwnedString(error);
            if (state != DuckDbState.Success)
            {
                var databaseToClose = database;
                if (databaseToClose != IntPtr.Zero)
                {
                    NativeMethods.duckdb_close(ref databaseToClose);
                }
                TryDelete(spool);
                throw DuckDbErrors.Create($"Could not open the DuckDB database{(path is null ? "" : " at " + path)}: {message}", DuckDbErrors.NameFromMessage(message) ?? "IO");
            }
            var opened = new DuckDbDatabase(path, new DatabaseHandle(database), spool) { IsReadOnlyAccess = readOnlyAccess };
            try
            {
                opened.Lockdown();
            }
            catch
            {
                opened.Dispose();
                throw;
            }
            return opened;
        }
        finally
        {
            NativeMethods.duckdb_destroy_config(ref config);
        }
    }

    /// <summary>
    /// Applies the sandbox before anyone else can connect. The list-valued allowed_directories cannot be
    /// passed through duckdb_set_config, so the three settings are applied with SQL, in the only order
    /// DuckDB accepts: the exception first, then external access off, then the lock.
    /// </summary>
    private void Lockdown()
    {
        using var connection = Connect();
        var allowed = (SpoolDirectory + System.IO.Path.DirectorySeparatorChar).Replace("'", "''", StringComparison.Ordinal);
        connection.Execute(
            $"SET allowed_directories = ['{allowed}']; SET enable_external_access = false; SET lock_configuration = true;");
    }

    private static void Set(IntPtr config, string name, string value)
    {
        if (NativeMethods.duckdb_set_config(config, name, value) != DuckDbState.Success)
        {
            throw new LocalStoreException($"DuckDB rejected the start-up option {name}={value}.", "Settings");
        }
    }

    /// <summary>Opens a new connection. Each connection has its own transaction state.</summary>
    public DuckDbConnection Connect()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (NativeMethods.duckdb_connect(_handle, out var connection) != DuckDbState.Success)
        {
            throw new LocalStoreException("Could not open a DuckDB connection.", "Connection");
        }
        return new DuckDbConnection(new ConnectionHandle(connection), this);
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
        _handle.Dispose();
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
