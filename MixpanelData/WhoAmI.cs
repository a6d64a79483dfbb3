
namespace MixpanelData;

/// <summary>What <c>/api/app/me</c> says about the credentials in use.</summary>
/// <param name="User">The service account's name or email.</param>
/// <param name="Region">The region whose host answered.</param>
/// <param name="ProjectIds">The projects the account can see.</param>
/// <param name="HasProjectAccess">Whether the workspace's project is among them.</param>
/// <param name="ProjectName">The project's name, when visible.</param>
public sealed record WhoAmI(string User, string Region, IReadOnlyList<long> ProjectIds, bool HasProjectAccess, string? ProjectName);

/// <summary>Credential checks on a <see cref="Workspace"/>.</summary>
public static class WorkspaceCredentialExtensions
{
    /// <summary>Calls <c>/api/app/me</c> (not counted against the query budget) and reports who the credentials are and what they can see.</summary>
    /// <exception cref="AuthenticationException">The credentials were refused.</exception>
    public static async Task<WhoAmI> WhoAmIAsync(this Workspace workspace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var me = await workspace.AppApi.MeAsync(cancellationToken).ConfigureAwait(false);
        var connection = await workspace.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var ids = me.Projects.Select(p => p.Key).ToList();
        var name = me.Projects.FirstOrDefault(p => p.Key == workspace.ProjectId).Value;
        var user = me.User;
        var region = connection.Context.Resolved?.Credentials.Region?.ToString().ToLowerInvariant() ?? "us";
        return new WhoAmI(user ?? workspace.Account.Credentials.Username, region, ids, ids.Contains(workspace.ProjectId), name);
    }
}
