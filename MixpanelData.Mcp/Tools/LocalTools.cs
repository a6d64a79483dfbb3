using System.ComponentModel;
using System.Text.Json.Nodes;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Storage;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools;

/// <summary>SQL and inspection of the local DuckDB store, where fetch_events and fetch_profiles put data. No Mixpanel calls.</summary>
[McpServerToolType]
[Toolset("local")]
internal sealed class LocalTools(WorkspaceHolder workspaces, ServerSettings settings)
{
    private LocalStore Store => workspaces.Current.Local;

    [McpServerTool(Name = "sql", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Run DuckDB SQL on the local store (tables from fetch_events/fetch_profiles: events(event_name, event_time, distinct_id, insert_id, properties JSON), profiles(distinct_id, properties JSON, last_seen)). Read JSON with properties->>'$browser'. Sandboxed: no files or URLs. In read-only mode only SELECT runs. Returns at most max_rows rows.")]
    public async Task<CallToolResult> Sql(
        [Description("One SQL statement, e.g. SELECT event_name, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC")] string query,
        [Description("Most rows to return (1-1000).")] int max_rows = 100,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(max_rows, 1, 1000, "max_rows");
        var result = await Store.SqlAsync(query, new SqlOptions { MaxRows = max_rows }, cancellationToken).ConfigureAwait(false);
        return Rows(result, $"{result.Rows.Count} row(s){(result.Truncated ? $", more exist: raise max_rows (≤1000) or add LIMIT/WHERE" : string.Empty)}.");
    }

    [McpServerTool(Name = "sql_scalar", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Run DuckDB SQL on the local store and return the single value of the first row's first column, e.g. SELECT count(DISTINCT distinct_id) FROM events.")]
    public async Task<CallToolResult> SqlScalar(
        [Description("One SQL statement returning one value.")] string query,
        CancellationToken cancellationToken = default)
    {
        var value = await Store.SqlScalarAsync(query, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { value }, $"Value: {value ?? "NULL"}");
    }

    [McpServerTool(Name = "list_tables", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("List the local tables with row counts and what each holds (source, date range, filters, fetched_at).")]
    public async Task<CallToolResult> ListTables(CancellationToken cancellationToken = default)
    {
        var tables = await Store.ListTablesAsync(cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { tables }, tables.Count == 0 ? "No local tables yet: use fetch_events or fetch_profiles." : $"{tables.Count} table(s).");
    }

    [McpServerTool(Name = "table_schema", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Columns and DuckDB types of a local table.")]
    public async Task<CallToolResult> TableSchema([Description("Table name, e.g. events.")] string table, CancellationToken cancellationToken = default)
    {
        var schema = await Store.TableSchemaAsync(table, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(schema, $"{schema.Columns.Count} column(s) in {schema.Table}.");
    }

    [McpServerTool(Name = "sample", ReadOnly = true, Idempotent = false, OpenWorld = false)]
    [Description("A random sample of rows from a local table, to see what the data looks like.")]
    public async Task<CallToolResult> Sample(
        [Description("Table name.")] string table,
        [Description("Rows to sample (1-100).")] int rows = 10,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(rows, 1, 100, "rows");
        var result = await Store.SampleAsync(table, rows, cancellationToken).ConfigureAwait(false);
        return Rows(result, $"{result.Rows.Count} sampled row(s) of {table}.");
    }

    [McpServerTool(Name = "summarize", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Per-column statistics of a local table (DuckDB SUMMARIZE: min, max, distinct, nulls, quartiles).")]
    public async Task<CallToolResult> Summarize([Description("Table name.")] string table, CancellationToken cancellationToken = default)
    {
        var result = await Store.SummarizeAsync(table, cancellationToken).ConfigureAwait(false);
        return Rows(result, $"Summary of {table}.");
    }

    [McpServerTool(Name = "event_breakdown", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Per event in a local events table: count, distinct users, first and last time.")]
    public async Task<CallToolResult> EventBreakdown([Description("Events table name.")] string table = "events", CancellationToken cancellationToken = default)
    {
        var breakdown = await Store.EventBreakdownAsync(table, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(breakdown, $"{breakdown.Events.Count} event(s), {breakdown.TotalEvents} rows, {breakdown.TotalUsers} users.");
    }

    [McpServerTool(Name = "property_keys", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("The property names found in a local table's JSON properties, with how often each occurs; optionally for one event.")]
    public async Task<CallToolResult> PropertyKeys(
        [Description("Table name.")] string table = "events",
        [Description("Only this event's properties.")] string? @event = null,
        CancellationToken cancellationToken = default)
    {
        var keys = await Store.PropertyKeysAsync(table, @event, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { keys }, $"{keys.Count} propert{(keys.Count == 1 ? "y" : "ies")}.");
    }

    [McpServerTool(Name = "column_stats", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Count, nulls, distinct, min, max and top values of a column or JSON property path (e.g. properties.$browser) of a local table.")]
    public async Task<CallToolResult> ColumnStats(
        [Description("Table name.")] string table,
        [Description("A column (distinct_id) or a JSON path (properties.$browser).")] string column,
        [Description("How many top values (1-50).")] int top = 10,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(top, 1, 50, "top");
        var stats = await Store.ColumnStatsAsync(table, column, top, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(stats, $"{column}: {stats.Count} values, {stats.Distinct} distinct, {stats.Nulls} null.");
    }

    [McpServerTool(Name = "drop_table", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Delete a local table (the data in Mixpanel is not touched). Hidden in read-only mode.")]
    public async Task<CallToolResult> DropTable([Description("Table name.")] string table, CancellationToken cancellationToken = default)
    {
        var dropped = await Store.DropTableAsync(table, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { table, dropped }, dropped ? $"Dropped {table}." : $"There was no table {table}.");
    }

    [McpServerTool(Name = "drop_all_tables", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Delete every local table (Mixpanel data is not touched). Needs confirm=true. Hidden in read-only mode.")]
    public async Task<CallToolResult> DropAllTables(
        [Description("Must be true: this deletes all fetched data.")] bool confirm = false,
        CancellationToken cancellationToken = default)
    {
        if (!confirm)
        {
            throw new ArgumentException("drop_all_tables deletes every local table; call it again with confirm=true if that is intended.");
        }

        var dropped = await Store.DropAllAsync(cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { dropped }, $"Dropped {dropped.Count} table(s).");
    }

    private CallToolResult Rows(SqlResult result, string summary)
    {
        var (rows, cut) = ToolJson.Fit(result.Rows, settings.ResponseBudgetBytes);
        var truncated = result.Truncated || cut;
        var node = new JsonObject
        {
            ["columns"] = new JsonArray([.. result.Columns.Select(c => (JsonNode?)JsonValue.Create(c))]),
            ["types"] = new JsonArray([.. result.ColumnTypes.Select(c => (JsonNode?)JsonValue.Create(c))]),
            ["rows"] = rows,
            ["row_count"] = rows.Count,
            ["truncated"] = truncated,
        };
        if (cut)
        {
            node["hint"] = $"Only {rows.Count} of {result.Rows.Count} rows fit the response budget; select fewer columns, aggregate, or add LIMIT/WHERE.";
        }

        return ToolJson.Result(node, cut ? $"{summary} Cut to {rows.Count} rows to fit the response budget." : summary);
    }
}
