namespace MixpanelData.Configuration;

/// <summary>
/// The three base URLs a client talks to. Each includes its path: the Query API base ends in
/// <c>/api/query</c>, the export base in <c>/api/2.0</c>, the App API base in <c>/api/app</c>.
/// Engage is <c>&lt;query base&gt;/engage</c>.
/// </summary>
/// <param name="Query">Base of the Query API (segmentation, funnels, engage, …).</param>
/// <param name="Export">Base of the raw event export API.</param>
/// <param name="App">Base of the App API (<c>/me</c>, bookmarks, Lexicon schemas).</param>
public sealed record MixpanelEndpoints(Uri Query, Uri Export, Uri App)
{
    /// <summary>The documented hosts of <paramref name="region"/>.</summary>
    public static MixpanelEndpoints ForRegion(MixpanelRegion region) => region switch
    {
        MixpanelRegion.Us => Create("mixpanel.com", "data.mixpanel.com"),
        MixpanelRegion.Eu => Create("eu.mixpanel.com", "data-eu.mixpanel.com"),
        MixpanelRegion.In => Create("in.mixpanel.com", "data-in.mixpanel.com"),
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, "Unknown region."),
    };

    /// <summary>
    /// Returns these endpoints with any non-null override applied. Overrides must be absolute
    /// <c>https://</c> URLs, or <c>http://</c> on a loopback host (for proxies on the same machine and tests).
    /// </summary>
    /// <exception cref="ArgumentException">An override is not an acceptable URL; the message says which and why.</exception>
    public MixpanelEndpoints With(Uri? query = null, Uri? export = null, Uri? app = null) => new(
        query is null ? Query : Validate(query, nameof(query)),
        export is null ? Export : Validate(export, nameof(export)),
        app is null ? App : Validate(app, nameof(app)));

    /// <summary>Checks that <paramref name="url"/> may be used as a base URL.</summary>
    /// <returns>The URL with any trailing slash removed from its path.</returns>
    /// <exception cref="ArgumentException">It is relative, not http(s), or plain http to a non-loopback host.</exception>
    public static Uri Validate(Uri url, string name)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"The {name} URL '{url}' is not absolute; write it as https://host/path.", name);
        }

        if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The {name} URL '{Describe(url)}' must use https:// (or http:// on a loopback host).", name);
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            throw new ArgumentException(
                $"The {name} URL '{Describe(url)}' uses plain http:// to a non-loopback host; use https://, or http:// only for 127.0.0.1, [::1] or localhost.", name);
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new ArgumentException($"The {name} URL must not carry credentials; configure them as username and secret instead.", name);
        }

        var builder = new UriBuilder(url) { Path = url.AbsolutePath.TrimEnd('/'), Query = string.Empty, Fragment = string.Empty };
        return builder.Uri;
    }

    // Without user info: a URL written as https://user:secret@host must not echo the secret back.
    private static string Describe(Uri url) => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private static MixpanelEndpoints Create(string host, string dataHost) => new(
        new Uri($"https://{host}/api/query"),
        new Uri($"https://{dataHost}/api/2.0"),
        new Uri($"https://{host}/api/app"));
}
