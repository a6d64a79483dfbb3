namespace MixpanelData.Http;

/// <summary>Per-request settings the Http core's handlers read from <see cref="HttpRequestMessage.Options"/>.</summary>
internal static class MixpanelRequestOptions
{
    /// <summary>
    /// Whether <c>project_id</c> (and <c>workspace_id</c>) are added. Defaults to true for the Query and Export
    /// families and false for the App API, whose paths carry the project id.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> ProjectScoped = new("MixpanelData.ProjectScoped");

    /// <summary>Whether the request counts against the hourly Query API budget; derived from the path when absent.</summary>
    public static readonly HttpRequestOptionsKey<bool> Counted = new("MixpanelData.Counted");

    /// <summary>The placeholder host of a family: Refit and the raw sender address it, the request handler swaps in the real base URL.</summary>
    public static Uri PlaceholderBase(ApiFamily family) => family switch
    {
        ApiFamily.Query => new Uri("http://query.mixpanel.invalid/"),
        ApiFamily.Export => new Uri("http://export.mixpanel.invalid/"),
        _ => new Uri("http://app.mixpanel.invalid/"),
    };
}
