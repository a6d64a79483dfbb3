using Refit;

namespace MixpanelData.Api;

/// <summary>
/// Mixpanel's App API (<c>/api/app</c>): the account, saved reports and Lexicon. Its paths carry the project id, so
/// the Http core adds no <c>project_id</c>; it is not rate limited on the client.
/// </summary>
internal interface IAppApi
{
    /// <summary><c>GET /me</c>: who the credentials are and which projects they see.</summary>
    [Get("/me")]
    Task<MeAnswer> MeAsync(CancellationToken cancellationToken);

    /// <summary><c>GET /projects/{projectId}/bookmarks?v=2</c>: the saved reports, optionally of one type.</summary>
    [Get("/projects/{projectId}/bookmarks")]
    Task<BookmarkListAnswer> BookmarksAsync(long projectId, [AliasAs("v")] int version, [AliasAs("type")] string? type, CancellationToken cancellationToken);

    /// <summary><c>GET /projects/{projectId}/schemas</c>: every Lexicon schema.</summary>
    [Get("/projects/{projectId}/schemas")]
    Task<SchemaListAnswer> SchemasAsync(long projectId, CancellationToken cancellationToken);

    /// <summary><c>GET /projects/{projectId}/schemas/{entityType}</c>: the Lexicon schemas of one entity type.</summary>
    [Get("/projects/{projectId}/schemas/{entityType}")]
    Task<SchemaListAnswer> SchemasOfTypeAsync(long projectId, string entityType, CancellationToken cancellationToken);

    /// <summary><c>GET /projects/{projectId}/schemas/{entityType}/{name}</c>: one Lexicon schema.</summary>
    [Get("/projects/{projectId}/schemas/{entityType}/{name}")]
    Task<SchemaAnswer> SchemaAsync(long projectId, string entityType, string name, CancellationToken cancellationToken);
}
