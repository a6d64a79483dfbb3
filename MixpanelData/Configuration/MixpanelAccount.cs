using System.Collections.ObjectModel;
using System.Text;

namespace MixpanelData.Configuration;

/// <summary>
/// A fully resolved account: the service-account credentials plus the optional per-account
/// settings (data view, extra headers, base URL overrides) and where they came from.
/// <see cref="ToString"/> never shows the secret, nor header values (they may be tokens too).
/// </summary>
/// <param name="Name">
/// The account's name in the config file (<c>[accounts.&lt;name&gt;]</c>), or
/// <see cref="AccountResolver.EnvironmentAccountName"/> when the credentials came from environment variables.
/// </param>
/// <param name="Credentials">Username, secret, project id and region (<see langword="null"/> region: detect it later).</param>
/// <param name="Source">Where the account was found, e.g. <c>environment variables</c> or <c>/home/me/.mp/config.toml [accounts.production]</c>.</param>
public sealed record MixpanelAccount(string Name, Credentials Credentials, string Source)
{
    /// <summary>The workspace (data view) id sent with project-scoped calls, if one is configured.</summary>
    public long? WorkspaceId { get; init; }

    /// <summary>Extra HTTP headers sent with every request (header names compare case-insensitively).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Overrides the Query API base URL (path included, e.g. <c>https://proxy.example/api/query</c>).</summary>
    public Uri? QueryUrl { get; init; }

    /// <summary>Overrides the export API base URL (path included, e.g. <c>https://proxy.example/api/2.0</c>).</summary>
    public Uri? ExportUrl { get; init; }

    /// <summary>Overrides the App API base URL (path included, e.g. <c>https://proxy.example/api/app</c>).</summary>
    public Uri? AppUrl { get; init; }

    /// <summary>
    /// The base URLs to use once the region is known: the region's documented hosts with this
    /// account's overrides applied.
    /// </summary>
    /// <param name="region">The project's region (from <see cref="Credentials"/>, or detected).</param>
    /// <exception cref="ArgumentException">An override is not an acceptable base URL (only possible for hand-built accounts; resolved accounts are validated).</exception>
    public MixpanelEndpoints ResolveEndpoints(MixpanelRegion region) =>
        MixpanelEndpoints.ForRegion(region).With(QueryUrl, ExportUrl, AppUrl);

    /// <summary>Describes the account without its secret or header values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("MixpanelAccount { Name = ").Append(Name)
            .Append(", Username = ").Append(Credentials.Username)
            .Append(", Secret = ").Append(Credentials.Redacted)
            .Append(", ProjectId = ").Append(Credentials.ProjectId)
            .Append(", Region = ").Append(Credentials.Region?.ToConfigString() ?? "auto");
        if (WorkspaceId is { } workspaceId)
        {
            sb.Append(", WorkspaceId = ").Append(workspaceId);
        }

        if (Headers.Count > 0)
        {
            sb.Append(", Headers = [").AppendJoin(", ", Headers.Keys).Append(']');
        }

        AppendUrl(sb, nameof(QueryUrl), QueryUrl);
        AppendUrl(sb, nameof(ExportUrl), ExportUrl);
        AppendUrl(sb, nameof(AppUrl), AppUrl);
        return sb.Append(", Source = ").Append(Source).Append(" }").ToString();
    }

    private static void AppendUrl(StringBuilder sb, string name, Uri? url)
    {
        if (url is not null)
        {
            // No user info, query or fragment: any of them could carry a key.
            sb.Append(", ").Append(name).Append(" = ").Append(url.IsAbsoluteUri
                ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
                : "(relative)");
        }
    }
}
