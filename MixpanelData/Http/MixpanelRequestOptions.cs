namespace MixpanelData.Http;

/// <summary>Addressing shared by the Http core and its clients.</summary>
internal static class MixpanelRequestOptions
{
    /// <summary>The placeholder host of a family: Refit addresses it, the request handler swaps in the real base URL.</summary>
    public static Uri PlaceholderBase(ApiFamily family) => family switch
    {
        ApiFamily.Query => new Uri("http://query.mixpanel.invalid/"),
        ApiFamily.Export => new Uri("http://export.mixpanel.invalid/"),
        _ => new Uri("http://app.mixpanel.invalid/"),
    };
}
