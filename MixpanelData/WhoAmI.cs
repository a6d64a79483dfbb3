using System.Globalization;
using System.Text.Json;
using MixpanelData.Http;

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
        var connection = await workspace.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.SendAsync(new ApiRequest(ApiFamily.App, "me") { ProjectScoped = false }, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(response.Body);
        var results = document.RootElement.TryGetProperty("results", out var r) ? r : document.RootElement;
        var user = results.TryGetProperty("user_email", out var email) ? email.GetString()
            : results.TryGetProperty("email", out var alt) ? alt.GetString() : null;
        var ids = new List<long>();
        string? name = null;
        if (results.TryGetProperty("projects", out var projects) && projects.ValueKind == JsonValueKind.Object)
        {
            foreach (var project in projects.EnumerateObject())
            {
                if (long.TryParse(project.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    ids.Add(id);
                    if (id == workspace.ProjectId && project.Value.TryGetProperty("name", out var projectName))
                    {
                        name = projectName.GetString();
                    }
                }
            }
        }

        var region = connection.Options.Credentials.Region?.ToString().ToLowerInvariant() ?? "us";
        return new WhoAmI(user ?? workspace.Account.Credentials.Username, region, ids, ids.Contains(workspace.ProjectId), name);
    }
}
