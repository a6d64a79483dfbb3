using MixpanelData.Configuration;

namespace MixpanelData.Mcp.Tools;

/// <summary>What the server serves right now, shared by the <c>workspace_info</c> tool and the <c>workspace://info</c> resource so both say the same.</summary>
internal static class WorkspaceFacts
{
    public sealed record Facts(object Value, string Summary);

    public static async Task<Facts> DescribeAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        var tables = await workspace.Local.ListTablesAsync(cancellationToken).ConfigureAwait(false);
        var info = new
        {
            account = workspace.Account.Name,
            project_id = workspace.ProjectId,
            region = workspace.Account.Credentials.Region?.ToConfigString() ?? "auto",
            demo = workspace.IsDemo,
            mode = workspace.IsDemo ? "demo: a synthetic SaaS project served by the built-in emulator, not real Mixpanel data" : "live Mixpanel project",
            local_database = workspace.Local.DatabasePath,
            tables,
        };
        return new Facts(info, $"{(workspace.IsDemo ? "DEMO project" : "Project")} {workspace.ProjectId} via account {workspace.Account.Name}; {tables.Count} local table(s).");
    }
}
