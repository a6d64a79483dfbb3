using System.ComponentModel;
using System.Text.Json.Nodes;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Mcp.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Resources;

/// <summary>
/// What is being served and what the project holds: always available whatever the toolsets, read-only. The schema
/// resources come from the Discovery client and are cached for five minutes like the discovery tools; the workspace
/// resources read the local store, which changes with every fetch, so they are never cached.
/// </summary>
[McpServerResourceType]
internal sealed class WorkspaceResources(WorkspaceHolder workspaces, ServerSettings settings)
{
    [McpServerResource(UriTemplate = "workspace://info", Name = "workspace_info", Title = "Workspace", MimeType = ResourceJson.MimeType)]
    [Description("The account, project, region and mode (demo or live) in use, and the local tables. Same facts as the workspace_info tool.")]
    public async Task<ResourceContents> Info(CancellationToken cancellationToken)
    {
        var facts = await WorkspaceFacts.DescribeAsync(workspaces.Current, cancellationToken).ConfigureAwait(false);
        return ResourceJson.Contents("workspace://info", facts.Value);
    }

    [McpServerResource(UriTemplate = "workspace://tables", Name = "local_tables", Title = "Local tables", MimeType = ResourceJson.MimeType)]
    [Description("The local DuckDB tables (from fetch_events/fetch_profiles) with row counts, source, date range and fetch time.")]
    public async Task<ResourceContents> Tables(CancellationToken cancellationToken)
    {
        var tables = await workspaces.Current.Local.ListTablesAsync(cancellationToken).ConfigureAwait(false);
        var node = ResourceJson.AddRows(new JsonObject(), "tables", [.. tables], settings.ResponseBudgetBytes, "Use the list_tables tool.");
        return ResourceJson.Contents("workspace://tables", node);
    }

    [McpServerResource(UriTemplate = "schema://events", Name = "events", Title = "Event names", MimeType = ResourceJson.MimeType), Cacheable]
    [Description("Every event name of the project, alphabetically. Cached 5 min.")]
    public async Task<ResourceContents> Events(CancellationToken cancellationToken)
    {
        var events = await workspaces.Current.Discovery.EventsAsync(cancellationToken).ConfigureAwait(false);
        var node = ResourceJson.AddRows(new JsonObject(), "events", [.. events], settings.ResponseBudgetBytes, "Use the list_events tool with a limit, or top_events.");
        return ResourceJson.Contents("schema://events", node);
    }

    [McpServerResource(UriTemplate = "schema://funnels", Name = "funnels", Title = "Saved funnels", MimeType = ResourceJson.MimeType), Cacheable]
    [Description("The project's saved funnels (funnel_id, name) for the funnel tool. Cached 5 min.")]
    public async Task<ResourceContents> Funnels(CancellationToken cancellationToken)
    {
        var funnels = await workspaces.Current.Discovery.FunnelsAsync(cancellationToken).ConfigureAwait(false);
        var node = ResourceJson.AddRows(new JsonObject(), "funnels", [.. funnels.Select(f => new { f.FunnelId, f.Name })], settings.ResponseBudgetBytes, "Use the list_funnels tool.");
        return ResourceJson.Contents("schema://funnels", node);
    }

    [McpServerResource(UriTemplate = "schema://cohorts", Name = "cohorts", Title = "Saved cohorts", MimeType = ResourceJson.MimeType), Cacheable]
    [Description("The project's saved cohorts (id, name, size, description). Cached 5 min.")]
    public async Task<ResourceContents> Cohorts(CancellationToken cancellationToken)
    {
        var cohorts = await workspaces.Current.Discovery.CohortsAsync(cancellationToken).ConfigureAwait(false);
        var node = ResourceJson.AddRows(new JsonObject(), "cohorts", [.. cohorts.Select(c => new { c.Id, c.Name, c.Count, c.Description, c.Created })], settings.ResponseBudgetBytes, "Use the list_cohorts tool.");
        return ResourceJson.Contents("schema://cohorts", node);
    }

    [McpServerResource(UriTemplate = "schema://bookmarks", Name = "bookmarks", Title = "Saved reports", MimeType = ResourceJson.MimeType), Cacheable]
    [Description("The project's saved reports (id, name, type, description, modified), without their query definitions. Cached 5 min.")]
    public async Task<ResourceContents> Bookmarks(CancellationToken cancellationToken)
    {
        var page = await workspaces.Current.Discovery.BookmarksAsync(null, 0, 10_000, cancellationToken).ConfigureAwait(false);
        var rows = page.Items.Select(b => new { b.Id, b.Name, b.Type, b.Description, b.Modified }).ToList();
        var node = ResourceJson.AddRows(new JsonObject(), "bookmarks", [.. rows], settings.ResponseBudgetBytes, "Use the list_bookmarks tool, which pages and filters by type.");
        if (page.Total > rows.Count)
        {
            node["total"] = page.Total;
            node["truncated"] = true;
            node["hint"] ??= "More reports exist than one listing holds. Use the list_bookmarks tool, which pages and filters by type.";
        }

        return ResourceJson.Contents("schema://bookmarks", node);
    }
}
