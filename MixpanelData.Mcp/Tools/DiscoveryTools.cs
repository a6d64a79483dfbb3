using System.ComponentModel;
using MixpanelData.Discovery;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Queries;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools;

/// <summary>What the project holds: events, properties, values, saved funnels, cohorts and reports. Cached for 5 minutes.</summary>
[McpServerToolType]
[Toolset("discovery")]
internal sealed class DiscoveryTools(WorkspaceHolder workspaces, ServerSettings settings)
{
    private DiscoveryClient Discovery => workspaces.Current.Discovery;

    [McpServerTool(Name = "list_events", ReadOnly = true, Idempotent = true, OpenWorld = true), Cacheable]
    [Description("The project's event names (most used first where Mixpanel says so). Cached 5 min.")]
    public async Task<CallToolResult> ListEvents([Description("Most names to return (1-1000).")] int limit = 200, CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 1000, "limit");
        var events = await Discovery.EventsAsync(cancellationToken).ConfigureAwait(false);
        var shown = events.Take(limit).ToList();
        return ToolJson.Result(new { events = shown, total = events.Count, truncated = events.Count > shown.Count }, $"{events.Count} event(s){(events.Count > shown.Count ? $", first {shown.Count} shown" : string.Empty)}: {string.Join(", ", shown.Take(15))}.");
    }

    [McpServerTool(Name = "list_properties", ReadOnly = true, Idempotent = true, OpenWorld = true), Cacheable]
    [Description("The most common properties of an event, with how often each occurs. Use the names in where/on as properties[\"name\"].")]
    public async Task<CallToolResult> ListProperties([Description("Event name.")] string @event, [Description("Most properties (1-200).")] int limit = 50, CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 200, "limit");
        var properties = await Discovery.PropertiesAsync(@event, limit, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { @event, properties }, $"{properties.Count} propert{(properties.Count == 1 ? "y" : "ies")} of {@event}: {string.Join(", ", properties.Take(15).Select(p => p.Name))}.");
    }

    [McpServerTool(Name = "list_property_values", ReadOnly = true, Idempotent = true, OpenWorld = true), Cacheable]
    [Description("The most common values of an event's property, e.g. for $browser: Chrome, Safari…")]
    public async Task<CallToolResult> ListPropertyValues([Description("Event name.")] string @event, [Description("Property name, e.g. $browser.")] string property, [Description("Most values (1-500).")] int limit = 50, CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 500, "limit");
        var values = await Discovery.PropertyValuesAsync(@event, property, limit, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { @event, property, values }, $"{values.Count} value(s) of {property}: {string.Join(", ", values.Take(20))}.");
    }

    [McpServerTool(Name = "list_funnels", ReadOnly = true, Idempotent = true, OpenWorld = true), Cacheable]
    [Description("The project's saved funnels (id and name), for the funnel tool.")]
    public async Task<CallToolResult> ListFunnels(CancellationToken cancellationToken = default)
    {
        var funnels = await Discovery.FunnelsAsync(cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { funnels }, $"{funnels.Count} saved funnel(s).");
    }

    [McpServerTool(Name = "list_cohorts", ReadOnly = true, Idempotent = true, OpenWorld = true), Cacheable]
    [Description("The project's saved cohorts (id, name, size, description), for fetch_profiles cohort_id and cohort_comparison.")]
    public async Task<CallToolResult> ListCohorts(CancellationToken cancellationToken = default)
    {
        var cohorts = await Discovery.CohortsAsync(cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { cohorts }, $"{cohorts.Count} cohort(s).");
    }

    [McpServerTool(Name = "list_bookmarks", ReadOnly = true, Idempotent = true, OpenWorld = true), Cacheable]
    [Description("Saved reports (insights, funnels, retention, flows), paged: page from 0, page_size up to 100, each with its link in Mixpanel (none on the demo). Use a type to narrow.")]
    public async Task<CallToolResult> ListBookmarks(
        [Description("insights, funnels, retention, flows or launch_analysis; omit for all.")] string? type = null,
        [Description("Page number from 0.")] int page = 0,
        [Description("Reports per page (1-100).")] int page_size = 25,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(page_size, 1, 100, "page_size");
        Guard.Range(page, 0, 10_000, "page");
        BookmarkType? kind = type is null ? null : Guard.Enum(type.Replace("-", "_", StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal), BookmarkType.Insights, "type");
        var workspace = workspaces.Current;
        var result = await workspace.Discovery.BookmarksAsync(kind, page, page_size, cancellationToken).ConfigureAwait(false);
        var listed = new List<object>(result.Items.Count);
        foreach (var b in result.Items)
        {
            listed.Add(new { b.Id, b.Name, b.Type, b.Description, b.Modified, Url = await workspace.ReportLinkAsync(b, cancellationToken).ConfigureAwait(false) });
        }

        var (rows, cut) = ToolJson.Fit(listed, settings.ResponseBudgetBytes);
        return ToolJson.Result(new System.Text.Json.Nodes.JsonObject { ["bookmarks"] = rows, ["page"] = page, ["total"] = result.Total, ["has_more"] = result.HasMore || cut }, $"{rows.Count} of {result.Total} saved report(s){(result.HasMore ? $"; next page {page + 1}" : string.Empty)}.");
    }

    [McpServerTool(Name = "top_events", ReadOnly = true, Idempotent = true, OpenWorld = true), Cacheable]
    [Description("Today's most frequent events with their change against yesterday (percent_change). Note: today is partial.")]
    public async Task<CallToolResult> TopEvents([Description("general (events) or unique (users).")] string type = "general", [Description("Most events (1-100).")] int limit = 20, CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 100, "limit");
        var result = await Discovery.TopEventsAsync(Guard.Enum(type, CountType.General, "type"), limit, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, $"Top events: {string.Join(", ", result.Events.Take(10).Select(e => $"{e.Event} {e.Amount:N0} ({e.PercentChange:+0%;-0%;0%})"))}.");
    }
}
