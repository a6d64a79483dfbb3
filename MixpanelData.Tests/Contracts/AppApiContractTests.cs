using MixpanelData.Discovery;
using static MixpanelData.Tests.Contracts.MixpanelWire;

namespace MixpanelData.Tests.Contracts;

/// <summary>App API endpoints (reference §7.19, §9): who am I, saved reports, Lexicon schemas. Not project-scoped by query parameter.</summary>
public sealed class AppApiContractTests
{
    private MixpanelWire _wire = null!;

    [SetUp]
    public void SetUp() => _wire = new MixpanelWire();

    [TearDown]
    public void TearDown() => _wire.Dispose();

    [Test]
    public async Task WhoAmI_SendsNoProjectIdAndReadsUserAndProjects()
    {
        _wire.Answer("GET", "/api/app/me", """
            {"status": "ok",
             "results": {"user_id": 42, "user_email": "svc@example.com", "user_name": "svc",
                         "organizations": {"100": {"id": 100, "name": "Acme Corp", "role": "admin"}},
                         "projects": {"4242": {"name": "AI Demo", "organization_id": 100, "domain": "mixpanel.com"}, "77": {"name": "Other"}},
                         "workspaces": {"3448413": {"id": 3448413, "name": "Default", "project_id": 4242}}}}
            """);
        await using var ws = _wire.Workspace();

        var me = await ws.WhoAmIAsync();

        var request = _wire.Single("/api/app/me");
        Assert.That(Query(request), Is.Empty, "/me is not project-scoped");
        AssertAuthenticated(request);
        Assert.That(me.User, Is.EqualTo("svc@example.com"));
        Assert.That(me.ProjectIds, Is.EquivalentTo(new long[] { 4242, 77 }));
        Assert.That((me.HasProjectAccess, me.ProjectName, me.Region), Is.EqualTo((true, "AI Demo", "us")));
    }

    [Test]
    public async Task WhoAmI_TestFixtureSpelling_ReadsEmailToo()
    {
        // One of Mixpanel's own fixtures writes id/email instead of user_id/user_email (reference §9.1).
        _wire.Answer("GET", "/api/app/me", """{"results": {"id": 42, "email": "fixture@example.com", "projects": {}}}""");
        await using var ws = _wire.Workspace();

        var me = await ws.WhoAmIAsync();

        Assert.That((me.User, me.HasProjectAccess), Is.EqualTo(("fixture@example.com", false)));
    }

    [Test]
    public async Task Bookmarks_SendsVersionAndTypeInThePathScopeAndKeepsUnknownFields()
    {
        _wire.Answer("GET", "/api/app/projects/4242/bookmarks", """
            {"status": "ok",
             "results": [{"id": 63877017, "name": "Monthly Recurring Revenue", "type": "insights",
                          "project_id": 4242, "workspace_id": null, "dashboard_id": 9,
                          "created": "2024-09-18T16:39:49", "modified": "2025-08-26T05:16:50",
                          "creator_id": 12345, "creator_name": "John Doe", "creator_email": "john@example.com",
                          "description": "MRR by plan", "params": {"sections": {}, "displayOptions": {}},
                          "is_visibility_restricted": false, "can_view": true}]}
            """);
        await using var ws = _wire.Workspace(workspaceId: 31);

        var page = await ws.Discovery.BookmarksAsync(BookmarkType.Insights);

        var request = _wire.Single("/api/app/projects/4242/bookmarks");
        Assert.That(Query(request), Is.EquivalentTo(new Dictionary<string, string> { ["v"] = "2", ["type"] = "insights" }), "the project is in the path; no project_id or workspace_id parameter");
        var bookmark = page.Items.Single();
        Assert.That((bookmark.Id, bookmark.Name, bookmark.Type, bookmark.DashboardId, bookmark.WorkspaceId), Is.EqualTo((63877017L, "Monthly Recurring Revenue", "insights", (long?)9, (long?)null)));
        Assert.That((bookmark.CreatorName, bookmark.CreatorEmail, bookmark.Description), Is.EqualTo(("John Doe", "john@example.com", "MRR by plan")));
        Assert.That(bookmark.Created, Is.EqualTo(new DateTimeOffset(2024, 9, 18, 16, 39, 49, TimeSpan.Zero)));
        Assert.That(bookmark.Params!.Value.TryGetProperty("sections", out _), Is.True);
        Assert.That(bookmark.Extra.Keys, Is.SupersetOf(new[] { "creator_id", "is_visibility_restricted", "can_view" }));
        Assert.That((page.Total, page.HasMore), Is.EqualTo((1, false)));
        Assert.That(await ws.ReportLinkAsync(bookmark), Is.EqualTo(new Uri("https://mixpanel.com/project/4242/app/insights#report/63877017")),
            "the report's web link, in its own project");
    }

    [Test]
    public async Task LexiconSchemas_ReadsEntriesSortedByTypeAndName()
    {
        _wire.Answer("GET", "/api/app/projects/4242/schemas", """
            {"status": "ok", "results": [
              {"entityType": "profile", "name": "$email", "schemaJson": {"description": "Email", "properties": {}}},
              {"entityType": "event", "name": "Added To Cart",
               "schemaJson": {"description": "A product was added", "properties": {"price": {"type": "number", "description": "In USD"}},
                              "metadata": {"com.mixpanel": {"tags": ["commerce"]}}}}]}
            """);
        await using var ws = _wire.Workspace();

        var schemas = await ws.Discovery.LexiconSchemasAsync();

        Assert.That(Query(_wire.Single("/api/app/projects/4242/schemas")), Is.Empty);
        Assert.That(schemas.Select(s => (s.EntityType, s.Name, s.Description)), Is.EqualTo(new[] { ("event", "Added To Cart", (string?)"A product was added"), ("profile", "$email", "Email") }));
        Assert.That(schemas[0].Properties.Select(p => (p.Name, p.Type, p.Description)), Is.EqualTo(new[] { ("price", (string?)"number", (string?)"In USD") }));
    }

    [Test]
    public async Task LexiconSchemas_OfOneType_PutsTheTypeInThePath()
    {
        _wire.Answer("GET", "/api/app/projects/4242/schemas/profile", """
            {"status": "ok", "results": [
              {"entityType": "profile", "name": "plan", "schemaJson": {"description": "Billing plan", "properties": {}},
               "unknownField": {"nested": true}},
              {"entityType": "profile", "name": "$email", "schemaJson": {"properties": {}}}]}
            """);
        await using var ws = _wire.Workspace();

        var schemas = await ws.Discovery.LexiconSchemasAsync(LexiconEntityType.Profile);

        var request = _wire.Single("/api/app/projects/4242/schemas/profile");
        Assert.That(Query(request), Is.Empty);
        AssertAuthenticated(request);
        Assert.That(schemas.Select(s => (s.EntityType, s.Name, s.Description)),
            Is.EqualTo(new[] { ("profile", "$email", (string?)null), ("profile", "plan", "Billing plan") }));
    }

    [Test]
    public async Task LexiconSchema_OneEvent_PutsTheNameInThePath()
    {
        _wire.Answer("GET", "/api/app/projects/4242/schemas/event/Added To Cart", """
            {"description": "A product was added", "properties": {"price": {"type": "number"}}}
            """);
        await using var ws = _wire.Workspace();

        var schema = await ws.Discovery.LexiconSchemaAsync(LexiconEntityType.Event, "Added To Cart");

        Assert.That(Query(_wire.Single("/api/app/projects/4242/schemas/event/Added To Cart")), Is.Empty);
        Assert.That((schema.EntityType, schema.Name, schema.Description), Is.EqualTo(("event", "Added To Cart", (string?)"A product was added")));
        Assert.That(schema.Properties.Single().Name, Is.EqualTo("price"));
    }
}
