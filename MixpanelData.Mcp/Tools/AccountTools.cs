using System.ComponentModel;
using MixpanelData.Configuration;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools;

/// <summary>The configured accounts: list them, switch without a restart, check credentials.</summary>
[McpServerToolType]
[Toolset("accounts")]
internal sealed class AccountTools(WorkspaceHolder workspaces)
{
    [McpServerTool(Name = "list_accounts", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("The accounts in ~/.mp/config.toml (name, username, project, region, default) and the one in use. Secrets are never shown.")]
    public CallToolResult ListAccounts()
    {
        var current = workspaces.Current;
        var accounts = WorkspaceHolder.Resolver().ListAccounts();
        return ToolJson.Result(
            new { current = new { current.Account.Name, current.ProjectId, demo = current.IsDemo, source = current.Account.Source }, accounts },
            $"In use: {current.Account.Name} (project {current.ProjectId}{(current.IsDemo ? ", demo" : string.Empty)}). {accounts.Count} configured account(s).");
    }

    [McpServerTool(Name = "switch_account", Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Serve another configured account (from list_accounts) from now on, without restarting. Local tables of each project stay in that project's store.")]
    public async Task<CallToolResult> SwitchAccount([Description("Account name from list_accounts.")] string account, CancellationToken cancellationToken = default)
    {
        var next = await workspaces.SwitchAsync(account, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(new { next.Account.Name, next.ProjectId, region = next.Account.Credentials.Region?.ToConfigString() }, $"Now using {next.Account.Name} (project {next.ProjectId}).");
    }

    [McpServerTool(Name = "test_credentials", ReadOnly = true, Idempotent = true, OpenWorld = true)]
    [Description("Check that the account in use can reach Mixpanel: calls /api/app/me (no query budget spent) and reports the region and project access.")]
    public async Task<CallToolResult> TestCredentials(CancellationToken cancellationToken = default)
    {
        var workspace = workspaces.Current;
        var me = await workspace.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(me, me.HasProjectAccess
            ? $"Credentials work: {me.User} can see project {workspace.ProjectId} ({me.ProjectName}) in region {me.Region}."
            : $"Credentials are accepted, but project {workspace.ProjectId} is not among this account's projects: {string.Join(", ", me.ProjectIds)}.");
    }
}

/// <summary>What the server is serving.</summary>
[McpServerToolType]
[Toolset("discovery")]
internal sealed class WorkspaceTools(WorkspaceHolder workspaces)
{
    [McpServerTool(Name = "workspace_info", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("The account, project, region and mode (demo or real) in use, and the local tables with their contents. Start here.")]
    public async Task<CallToolResult> WorkspaceInfo(CancellationToken cancellationToken = default)
    {
        var facts = await WorkspaceFacts.DescribeAsync(workspaces.Current, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(facts.Value, facts.Summary);
    }
}
