namespace MixpanelData.Http;

/// <summary>
/// One call to Mixpanel, described without credentials: the HTTP core adds auth, <c>project_id</c>,
/// <c>workspace_id</c> and default headers. Parameters with a <see langword="null"/> value are left out.
/// </summary>
/// <param name="Family">Which API (and so which base URL and rate limits).</param>
/// <param name="Path">The path below the family's base URL, e.g. <c>segmentation</c>, <c>export</c>, <c>me</c>.</param>
internal sealed record ApiRequest(ApiFamily Family, string Path)
{
    public HttpMethod Method { get; init; } = HttpMethod.Get;

    /// <summary>URL query parameters.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Query { get; init; } = [];

    /// <summary>Form-urlencoded body parameters (POST); <see langword="null"/> for none.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? Form { get; init; }

    /// <summary>A JSON body (POST); <see langword="null"/> for none.</summary>
    public string? JsonBody { get; init; }

    /// <summary>Whether <c>project_id</c> (and <c>workspace_id</c>) are added. False for <c>/me</c> and App API paths that carry the id.</summary>
    public bool ProjectScoped { get; init; } = true;

    /// <summary>Whether this request counts against the hourly Query API budget; derived from the path when <see langword="null"/>.</summary>
    public bool? Counted { get; init; }

    internal bool IsCounted => Counted ?? (Family == ApiFamily.Query && MixpanelRateLimiter.IsCountedQuery(Path, HasSessionId));

    private bool HasSessionId =>
        Query.Concat(Form ?? []).Any(p => p.Key == "session_id" && !string.IsNullOrEmpty(p.Value));
}
