using System.ComponentModel;
using MixpanelData.Fetching;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools;

/// <summary>Raw events and profiles from Mixpanel: fetched into local tables for SQL and local_* tools, or streamed as a bounded page.</summary>
[McpServerToolType]
[Toolset("fetch")]
internal sealed class FetchTools(WorkspaceHolder workspaces, ServerSettings settings, TimeProvider time)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    [McpServerTool(Name = "fetch_events", Destructive = true, Idempotent = true, OpenWorld = true)]
    [Description("Download raw events (Export API, one request per window of window_days days; by default at most 10 requests for any range) into a local DuckDB table for sql and local_* tools. Replaces the table unless append=true (append skips events already present). Atomic: a failed fetch leaves the old table. Sends progress. Dates YYYY-MM-DD UTC inclusive; default the last 7 days; to_date at most today.")]
    [Spends("export")]
    public async Task<CallToolResult> FetchEvents(
        IProgress<ProgressNotificationValue> progress,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Only these events, e.g. [\"Sign Up\",\"Purchase\"].")] string[]? events = null,
        [Description("Filter expression, e.g. properties[\"$browser\"] == \"Safari\".")] string? where = null,
        [Description("Most events in all (1-100000); omit for all.")] int? limit = null,
        [Description("Target table.")] string table = "events",
        [Description("Add to the table instead of replacing it.")] bool append = false,
        [Description("Continue an interrupted fetch of the same request after its last completed window.")] bool resume = false,
        [Description("Days per export request (1-365); omit for ceil(days/10), i.e. at most 10 requests. 1 = one request per day.")] int? window_days = null,
        CancellationToken cancellationToken = default)
    {
        WindowDays(window_days);
        var to = Guard.Date(to_date, Today, "to_date");
        var from = Guard.Date(from_date, to.AddDays(-6), "from_date");
        var request = new FetchEventsRequest(from, to) { Events = events, Where = where, Limit = limit, Table = table, Append = append, Resume = resume, WindowDays = window_days };
        var result = await EventFetch.RunAsync(workspaces.Current, request, progress, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, EventFetch.Describe(result));
    }

    [McpServerTool(Name = "fetch_profiles", Destructive = true, Idempotent = true, OpenWorld = true)]
    [Description("Download user profiles (Engage API, paged) into a local table (distinct_id, properties JSON, last_seen). Filter with where (e.g. properties[\"plan\"] == \"pro\") or cohort_id. Replaces the table unless append=true. Sends progress per page.")]
    [Spends("query")]
    public async Task<CallToolResult> FetchProfiles(
        IProgress<ProgressNotificationValue> progress,
        [Description("Profile filter expression.")] string? where = null,
        [Description("A saved cohort id (see list_cohorts).")] long? cohort_id = null,
        [Description("Target table.")] string table = "profiles",
        [Description("Add to (update) the table instead of replacing it.")] bool append = false,
        CancellationToken cancellationToken = default)
    {
        var reporter = new Progress<ProfileFetchProgress>(p => progress.Report(new ProgressNotificationValue
        {
            Progress = p.Profiles,
            Total = p.Total,
            Message = $"{p.Pages} page(s), {p.Profiles:N0} profiles",
        }));
        var result = await workspaces.Current.Fetch.ProfilesAsync(new FetchProfilesRequest { Where = where, CohortId = cohort_id, Table = table, Append = append }, reporter, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, $"Fetched {result.RowsInserted:N0} profiles into {result.Table} ({result.Pages} page(s)); it now holds {result.TableRowCount:N0} rows.");
    }

    [McpServerTool(Name = "stream_events", ReadOnly = true, Idempotent = true, OpenWorld = true)]
    [Description("Return raw events (Export API) directly, without storing them: at most `limit` events (1-500), for a quick look. For more, use fetch_events then sql.")]
    [Spends("export")]
    public async Task<CallToolResult> StreamEvents(
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Only these events.")] string[]? events = null,
        [Description("Filter expression.")] string? where = null,
        [Description("Most events to return (1-500).")] int limit = 50,
        [Description("Days per export request (1-365); omit for ceil(days/10).")] int? window_days = null,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 500, "limit");
        WindowDays(window_days);
        var to = Guard.Date(to_date, Today, "to_date");
        var from = Guard.Date(from_date, to, "from_date");
        var list = new List<ExportEvent>();
        await foreach (var item in workspaces.Current.Fetch.StreamEventsAsync(new StreamEventsRequest(from, to) { Events = events, Where = where, Limit = limit + 1, WindowDays = window_days }, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(item);
        }

        var more = list.Count > limit;
        var (rows, cut) = ToolJson.Fit(list.Take(limit), settings.ResponseBudgetBytes);
        return ToolJson.Result(
            new System.Text.Json.Nodes.JsonObject { ["events"] = rows, ["returned"] = rows.Count, ["truncated"] = more || cut, ["hint"] = more || cut ? "More events exist: narrow the range or events, or use fetch_events and sql." : null },
            $"{rows.Count} event(s){(more || cut ? " (more exist)" : string.Empty)}.");
    }

    [McpServerTool(Name = "stream_profiles", ReadOnly = true, Idempotent = true, OpenWorld = true)]
    [Description("Return user profiles directly, without storing them: at most `limit` (1-500). For more, use fetch_profiles then sql.")]
    [Spends("query")]
    public async Task<CallToolResult> StreamProfiles(
        [Description("Profile filter expression.")] string? where = null,
        [Description("A saved cohort id.")] long? cohort_id = null,
        [Description("Most profiles to return (1-500).")] int limit = 50,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 500, "limit");
        var list = new List<UserProfile>();
        await foreach (var profile in workspaces.Current.Fetch.StreamProfilesAsync(new StreamProfilesRequest { Where = where, CohortId = cohort_id }, cancellationToken).ConfigureAwait(false))
        {
            list.Add(profile);
            if (list.Count > limit)
            {
                break;
            }
        }

        var more = list.Count > limit;
        var (rows, cut) = ToolJson.Fit(list.Take(limit), settings.ResponseBudgetBytes);
        return ToolJson.Result(
            new System.Text.Json.Nodes.JsonObject { ["profiles"] = rows, ["returned"] = rows.Count, ["truncated"] = more || cut, ["hint"] = more || cut ? "More profiles exist: add a where filter or use fetch_profiles." : null },
            $"{rows.Count} profile(s){(more || cut ? " (more exist)" : string.Empty)}.");
    }

    private static void WindowDays(int? windowDays)
    {
        if (windowDays is { } days)
        {
            Guard.Range(days, 1, FetchEventsRequest.MaxWindowDays, "window_days (days per export request; omit for at most 10 requests)");
        }
    }
}
