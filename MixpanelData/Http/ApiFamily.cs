namespace MixpanelData.Http;

/// <summary>The Mixpanel API families, each with its own base URL and rate limits.</summary>
public enum ApiFamily
{
    /// <summary>The Query API (<c>/api/query</c>): 60 counted queries per rolling hour and 5 concurrent, per project.</summary>
    Query,

    /// <summary>Raw event export (<c>/api/2.0/export</c>): 60 per hour, 3 per second, 100 concurrent.</summary>
    Export,

    /// <summary>The App API (<c>/api/app</c>): <c>/me</c>, bookmarks, Lexicon schemas. Not rate limited by the client.</summary>
    App,
}
