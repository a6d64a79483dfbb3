namespace MixpanelData.Storage;

/// <summary>Where a <see cref="LocalStore"/> keeps its data.</summary>
public enum LocalStoreMode
{
    /// <summary>A DuckDB file that persists: <see cref="LocalStoreOptions.Path"/>, or <c>~/.mp/data/&lt;project_id&gt;.duckdb</c>.</summary>
    File,

    /// <summary>Memory only; gone when the store is disposed. Handy for tests and scripts.</summary>
    InMemory,

    /// <summary>A DuckDB file in the temp folder, deleted when the store is disposed (larger than memory, still throwaway).</summary>
    Ephemeral,
}

/// <summary>How to open a <see cref="LocalStore"/>. Every property has a sensible default.</summary>
public sealed record LocalStoreOptions
{
    /// <summary>File, in-memory or ephemeral. Default: <see cref="LocalStoreMode.File"/>.</summary>
    public LocalStoreMode Mode { get; init; } = LocalStoreMode.File;

    /// <summary>The Mixpanel project whose data the store holds; names the default file.</summary>
    public long? ProjectId { get; init; }

    /// <summary>An explicit database file (File mode); overrides the per-project default.</summary>
    public string? Path { get; init; }

    /// <summary>When set, user SQL may only read (SELECT, EXPLAIN); writes are refused before they run.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// Opens an existing file with DuckDB's read-only access mode, which several processes may hold at once
    /// (the demo project's shared cache). Nothing can be written; the file must already be a store.
    /// </summary>
    internal bool ShareFileReadOnly { get; init; }

    /// <summary>Longest a single query may run before DuckDB is interrupted. Default: 60 seconds.</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Rows returned by <see cref="LocalStore.SqlAsync"/> when the call does not say. Default: 10,000.</summary>
    public int DefaultMaxRows { get; init; } = 10_000;

    /// <summary>
    /// DuckDB's memory limit (e.g. <c>512MB</c>, <c>2GB</c>); beyond it DuckDB writes data out or spills to its
    /// temp folder. Default: <see cref="DefaultFileMemoryLimit"/> for file-backed and ephemeral stores, so that
    /// ingesting millions of events does not fill memory with cached table data; DuckDB's own (80% of RAM) for
    /// in-memory stores, whose tables live in that memory. Raise it for heavy analytics on large tables: not every
    /// DuckDB operator can spill (e.g. a GROUP BY over millions of long distinct keys), and those fail with an
    /// out-of-memory error past the limit.
    /// Applies when this store opens the file; a file already open in the process keeps its limit.
    /// </summary>
    public string? MemoryLimit { get; init; }

    /// <summary>The memory limit a file-backed or ephemeral store gets when <see cref="MemoryLimit"/> is not set: <c>256MB</c>.</summary>
    public const string DefaultFileMemoryLimit = "256MB";

    /// <summary>Clock for <c>fetched_at</c> and timeouts; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The default database file for a project: <c>~/.mp/data/&lt;project_id&gt;.duckdb</c>.</summary>
    public static string DefaultPath(long projectId) =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mp", "data", projectId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".duckdb");
}

/// <summary>Per-call options for <see cref="LocalStore.SqlAsync"/>.</summary>
public sealed record SqlOptions
{
    /// <summary>Values for <c>?</c> / <c>$1</c> placeholders (single statement only).</summary>
    public IReadOnlyList<object?>? Parameters { get; init; }

    /// <summary>Most rows to return; the rest are not computed. Default: the store's <see cref="LocalStoreOptions.DefaultMaxRows"/>.</summary>
    public int? MaxRows { get; init; }

    /// <summary>Overrides the store's <see cref="LocalStoreOptions.StatementTimeout"/> for this call.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>Options for ingesting a stream into a table.</summary>
public sealed record IngestOptions
{
    /// <summary>Add to the existing table instead of replacing it; events whose <c>$insert_id</c> is already present are skipped.</summary>
    public bool Append { get; init; }

    /// <summary>Where the data came from, recorded in the metadata (e.g. <c>export</c>, <c>engage</c>).</summary>
    public string Source { get; init; } = "export";

    /// <summary>First day the data covers, recorded in the metadata.</summary>
    public DateOnly? FromDate { get; init; }

    /// <summary>Last day the data covers, recorded in the metadata.</summary>
    public DateOnly? ToDate { get; init; }

    /// <summary>The filters used to fetch the data (e.g. events, where), recorded verbatim in the metadata.</summary>
    public string? Filters { get; init; }

    /// <summary>How many malformed lines to keep as examples in the result (all are counted). Default: 20.</summary>
    public int MalformedSampleLimit { get; init; } = 20;
}
