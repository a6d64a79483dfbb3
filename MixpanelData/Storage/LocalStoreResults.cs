namespace MixpanelData.Storage;

/// <summary>The result of a SQL query: column names, DuckDB type names and rows.</summary>
/// <param name="Columns">Column names in order.</param>
/// <param name="ColumnTypes">DuckDB type of each column as DuckDB spells it (e.g. <c>BIGINT</c>, <c>VARCHAR[]</c>, <c>DECIMAL(18,3)</c>). DuckDB.NET's reader does not expose type aliases or STRUCT members, so a JSON column is <c>VARCHAR</c> and a struct <c>STRUCT</c>; <see cref="LocalStore.TableSchemaAsync"/> gives a table's full types.</param>
/// <param name="Rows">Rows; values are CLR types (see the store's documentation), LISTs as lists, STRUCTs as dictionaries, NULL as null.</param>
/// <param name="Truncated">True when more rows existed than were returned.</param>
public sealed record SqlResult(
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> ColumnTypes,
    IReadOnlyList<IReadOnlyList<object?>> Rows,
    bool Truncated);

/// <summary>What the store knows about how a table was filled.</summary>
/// <param name="Kind"><c>events</c> or <c>profiles</c>.</param>
/// <param name="Source">Where the data came from (e.g. <c>export</c>).</param>
/// <param name="FromDate">First day covered, when known.</param>
/// <param name="ToDate">Last day covered, when known.</param>
/// <param name="Filters">The filters used to fetch the data, verbatim.</param>
/// <param name="RowCount">Rows after the last load.</param>
/// <param name="FetchedAt">When the last load finished (UTC).</param>
public sealed record TableMetadata(string Kind, string Source, DateOnly? FromDate, DateOnly? ToDate, string? Filters, long RowCount, DateTimeOffset FetchedAt);

/// <summary>A table in the store.</summary>
/// <param name="Name">Table name.</param>
/// <param name="RowCount">Current number of rows.</param>
/// <param name="Metadata">How it was filled, when the store filled it; null for tables made with SQL.</param>
public sealed record TableInfo(string Name, long RowCount, TableMetadata? Metadata);

/// <summary>One column of a table.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">DuckDB type name.</param>
/// <param name="Nullable">Whether NULLs are allowed.</param>
public sealed record ColumnInfo(string Name, string Type, bool Nullable);

/// <summary>A table's columns.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Columns">Columns in order.</param>
public sealed record TableSchema(string Table, IReadOnlyList<ColumnInfo> Columns);

/// <summary>Per-event figures of an events table.</summary>
/// <param name="EventName">The event.</param>
/// <param name="Count">How many times it occurred.</param>
/// <param name="DistinctUsers">How many distinct <c>distinct_id</c>s did it.</param>
/// <param name="FirstSeen">Earliest occurrence (UTC).</param>
/// <param name="LastSeen">Latest occurrence (UTC).</param>
public sealed record EventSummary(string EventName, long Count, long DistinctUsers, DateTime FirstSeen, DateTime LastSeen);

/// <summary>The events of an events table, most frequent first.</summary>
/// <param name="Table">Table name.</param>
/// <param name="TotalEvents">Rows in the table.</param>
/// <param name="TotalUsers">Distinct users across all events.</param>
/// <param name="Events">One entry per event name.</param>
public sealed record EventBreakdown(string Table, long TotalEvents, long TotalUsers, IReadOnlyList<EventSummary> Events);

/// <summary>A property key found in the JSON <c>properties</c> column.</summary>
/// <param name="Key">The key, e.g. <c>$browser</c>.</param>
/// <param name="Count">How many rows carry it.</param>
public sealed record PropertyKey(string Key, long Count);

/// <summary>A value and how often it occurs.</summary>
/// <param name="Value">The value (null is never listed).</param>
/// <param name="Count">Occurrences.</param>
public sealed record ValueCount(object? Value, long Count);

/// <summary>Statistics of one column or JSON path.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Column">The column, or JSON path such as <c>properties.$browser</c>.</param>
/// <param name="Count">Rows.</param>
/// <param name="Nulls">Rows where the value is NULL (or the JSON key is missing).</param>
/// <param name="Distinct">Distinct non-NULL values.</param>
/// <param name="Min">Smallest value, as text.</param>
/// <param name="Max">Largest value, as text.</param>
/// <param name="TopValues">Most frequent values, most frequent first.</param>
public sealed record ColumnStats(string Table, string Column, long Count, long Nulls, long Distinct, string? Min, string? Max, IReadOnlyList<ValueCount> TopValues);

/// <summary>Progress of an ingestion.</summary>
/// <param name="Rows">Well-formed rows read so far.</param>
/// <param name="Bytes">Input bytes read so far.</param>
/// <param name="MalformedLines">Malformed lines so far.</param>
public readonly record struct IngestProgress(long Rows, long Bytes, long MalformedLines);

/// <summary>A line that could not be ingested.</summary>
/// <param name="LineNumber">1-based line number in the input.</param>
/// <param name="Reason">Why it was refused.</param>
/// <param name="Excerpt">The first characters of the line.</param>
public sealed record MalformedLine(long LineNumber, string Reason, string Excerpt);

/// <summary>What an ingestion did.</summary>
/// <param name="Table">The table written.</param>
/// <param name="RowsRead">Well-formed rows read from the input.</param>
/// <param name="RowsInserted">Rows added to the table (fewer than read when appending skipped duplicates).</param>
/// <param name="DuplicatesSkipped">Rows skipped because their <c>$insert_id</c> was already present (append only).</param>
/// <param name="MalformedLines">Lines refused as malformed (counted, never silently dropped).</param>
/// <param name="MalformedSamples">The first few malformed lines.</param>
/// <param name="Bytes">Input bytes read.</param>
/// <param name="TableRowCount">Rows in the table afterwards.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record IngestResult(
    string Table,
    long RowsRead,
    long RowsInserted,
    long DuplicatesSkipped,
    long MalformedLines,
    IReadOnlyList<MalformedLine> MalformedSamples,
    long Bytes,
    long TableRowCount,
    TimeSpan Elapsed);
