using System.IO.Compression;
using System.Text;
using MixpanelData.Fetching;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static MixpanelData.Tests.Contracts.MixpanelWire;

namespace MixpanelData.Tests.Contracts;

/// <summary>
/// The raw export (reference §8: JSONL, gzip, plain-text errors, <c>terminated early</c>) and Engage (§7.15: form
/// body, <c>session_id</c> paging), served by WireMock over loopback.
/// </summary>
public sealed class ExportAndEngageContractTests
{
    private const string TwoEvents =
        """{"event":"Signed up","properties":{"time":1602611311,"distinct_id":"u1","$insert_id":"hpuDqcvpltpCjBsebtxwadtEBDnFAdycabFb","mp_processing_time_ms":1602625711874}}""" + "\n" +
        """{"event":"Signed up","properties":{"time":1602787121,"distinct_id":"u2","$insert_id":"jajcebutltmvhbbholfhxtCcycwnBjDtndha","mp_processing_time_ms":1602801521561}}""" + "\n";

    private MixpanelWire _wire = null!;

    [SetUp]
    public void SetUp() => _wire = new MixpanelWire();

    [TearDown]
    public void TearDown() => _wire.Dispose();

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    [Test]
    public async Task StreamEvents_GzipBody_SendsExportParametersWithoutWorkspaceAndReadsEveryEvent()
    {
        _wire.AnswerBytes("GET", "/api/2.0/export", Gzip(TwoEvents), "text/plain", new Dictionary<string, string> { ["Content-Encoding"] = "gzip" });
        await using var ws = _wire.Workspace(workspaceId: 31);

        var events = await ws.Fetch.StreamEventsAsync(new StreamEventsRequest(new(2020, 10, 13), new(2020, 10, 13))
        {
            Events = ["Signed up"],
            Where = "properties[\"$os\"] == \"iOS\"",
        }).ToListAsync();

        var request = _wire.Single("/api/2.0/export");
        Assert.That(Query(request), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["from_date"] = "2020-10-13", ["to_date"] = "2020-10-13", ["event"] = "[\"Signed up\"]", ["where"] = "properties[\"$os\"] == \"iOS\"",
        }), "data views never apply to the export, so no workspace_id");
        Assert.That(Header(request, "Accept-Encoding"), Does.Contain("gzip"));
        AssertAuthenticated(request);
        Assert.That(events.Select(e => (e.Name, e.DistinctId, e.InsertId, e.Time)), Is.EqualTo(new[]
        {
            ("Signed up", (string?)"u1", (string?)"hpuDqcvpltpCjBsebtxwadtEBDnFAdycabFb", DateTimeOffset.FromUnixTimeSeconds(1602611311)),
            ("Signed up", "u2", "jajcebutltmvhbbholfhxtCcycwnBjDtndha", DateTimeOffset.FromUnixTimeSeconds(1602787121)),
        }));
        Assert.That(events[0].Properties.GetProperty("mp_processing_time_ms").GetInt64(), Is.EqualTo(1602625711874));
    }

    [Test]
    public async Task FetchEvents_IntoTheStore_HoldsTheExportedRows()
    {
        _wire.Answer("GET", "/api/2.0/export", TwoEvents, contentType: "text/plain");
        await using var ws = _wire.Workspace();

        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(new(2020, 10, 13), new(2020, 10, 13)) { Limit = 10 });

        Assert.That(Query(_wire.Single("/api/2.0/export"))["limit"], Is.EqualTo("10"));
        Assert.That(result.TableRowCount, Is.EqualTo(2));
        var rows = await ws.Local.SqlAsync("SELECT distinct_id, insert_id, epoch(event_time)::BIGINT AS t FROM events ORDER BY t");
        Assert.That(rows.Rows.Select(r => (r[0], r[1], r[2])), Is.EqualTo(new[]
        {
            ((object?)"u1", (object?)"hpuDqcvpltpCjBsebtxwadtEBDnFAdycabFb", (object?)1602611311L),
            ("u2", "jajcebutltmvhbbholfhxtCcycwnBjDtndha", 1602787121L),
        }));
    }

    [Test]
    public async Task StreamEvents_BodyEndsWithTerminatedEarly_IsAnErrorNotATruncatedList()
    {
        _wire.Answer("GET", "/api/2.0/export", TwoEvents + "terminated early\n", contentType: "text/plain");

        await Assert.ThrowsAsync<InvalidResponseException>(async () =>
        {
            await using var ws = _wire.Workspace();
            await ws.Fetch.StreamEventsAsync(new StreamEventsRequest(new(2020, 10, 13), new(2020, 10, 13))).ToListAsync();
        });
    }

    [Test]
    public async Task FetchEvents_BodyEndsWithTerminatedEarly_LeavesNoTable()
    {
        _wire.Answer("GET", "/api/2.0/export", TwoEvents + "export terminated early\n", contentType: "text/plain");
        await using var ws = _wire.Workspace();

        await Assert.ThrowsAsync<InvalidResponseException>(() => ws.Fetch.EventsAsync(new FetchEventsRequest(new(2020, 10, 13), new(2020, 10, 13))));
        Assert.That((await ws.Local.ListTablesAsync()).Select(t => t.Name), Does.Not.Contain("events"));
    }

    [Test]
    public async Task Export_PlainTextBadRequest_IsAQueryErrorCarryingMixpanelsText()
    {
        _wire.Answer("GET", "/api/2.0/export", "to_date cannot be later than today", status: 400, contentType: "text/plain");

        var ex = (await Assert.ThrowsAsync<QueryException>(async () =>
        {
            await using var ws = _wire.Workspace();
            await ws.Fetch.StreamEventsAsync(new StreamEventsRequest(new(2020, 10, 13), new(2020, 10, 13))).ToListAsync();
        }))!;

        Assert.That(ex.Message, Does.Contain("to_date cannot be later than today"));
        Assert.That(ex.RequestPath, Is.EqualTo("/api/2.0/export"));
        Assert.That(ex.ResponseExcerpt, Is.EqualTo("to_date cannot be later than today"));
    }

    [Test]
    public async Task Export_UnableToAuthenticate400_IsAnAuthenticationError()
    {
        _wire.Answer("GET", "/api/2.0/export", "Unable to authenticate request", status: 400, contentType: "text/plain");

        var ex = (await Assert.ThrowsAsync<AuthenticationException>(async () =>
        {
            await using var ws = _wire.Workspace();
            await ws.Fetch.StreamEventsAsync(new StreamEventsRequest(new(2020, 10, 13), new(2020, 10, 13))).ToListAsync();
        }))!;

        Assert.That(ex.Code, Is.EqualTo(MixpanelErrorCodes.Authentication));
    }

    [Test]
    public async Task StreamProfiles_PostsTheFormAndFollowsSessionIdUntilAShortPage()
    {
        _wire.Server
            .Given(Request.Create().WithPath("/api/query/engage").UsingPost().WithBody(new RegexMatcher("(^|&)page=0(&|$)")))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""
                {"page": 0, "page_size": 2, "session_id": "1234567890-EXAMPL", "status": "ok", "total": 3,
                 "results": [{"$distinct_id": "4", "$properties": {"$email": "a@example.com", "$last_seen": "2008-06-09T23:08:40"}},
                             {"$distinct_id": 5, "$properties": {"plan": "pro"}}]}
                """));
        _wire.Server
            .Given(Request.Create().WithPath("/api/query/engage").UsingPost().WithBody(new RegexMatcher("(^|&)page=1(&|$)")))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""
                {"page": 1, "session_id": "1234567890-EXAMPL", "status": "ok",
                 "results": [{"$distinct_id": "6", "$properties": {}}]}
                """));
        await using var ws = _wire.Workspace();

        var profiles = await ws.Fetch.StreamProfilesAsync(new StreamProfilesRequest
        {
            Where = "properties[\"plan\"] == \"pro\"",
            CohortId = 12345,
            OutputProperties = ["$email", "plan"],
        }).ToListAsync();

        var pages = _wire.Requests.Where(r => r.RequestMessage.Path == "/api/query/engage").ToArray();
        Assert.That(pages, Has.Length.EqualTo(2));
        Assert.That(Query(pages[0]), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242" }));
        Assert.That(Form(pages[0]), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["where"] = "properties[\"plan\"] == \"pro\"", ["filter_by_cohort"] = "{\"id\":12345}", ["output_properties"] = "[\"$email\",\"plan\"]", ["page"] = "0",
        }));
        Assert.That(Form(pages[1]), Does.ContainKey("session_id").WithValue("1234567890-EXAMPL").And.ContainKey("page").WithValue("1"));
        Assert.That(profiles.Select(p => p.DistinctId), Is.EqualTo(new[] { "4", "5", "6" }), "a numeric $distinct_id is read as its text");
        Assert.That(profiles[0].LastSeen, Is.EqualTo(new DateTimeOffset(2008, 6, 9, 23, 8, 40, TimeSpan.Zero)));
        Assert.That(profiles[0].Properties.GetProperty("$email").GetString(), Is.EqualTo("a@example.com"));
    }

    [Test]
    public async Task CountProfiles_ReadsTotalFromOneRequest()
    {
        _wire.Answer("POST", "/api/query/engage", """{"page": 0, "page_size": 1000, "session_id": "s", "status": "ok", "total": 1234, "results": []}""");
        await using var ws = _wire.Workspace();

        var count = await ws.Fetch.CountProfilesAsync(new StreamProfilesRequest { CohortId = 7 });

        Assert.That(count, Is.EqualTo(1234));
        Assert.That(Form(_wire.Single("/api/query/engage"))["filter_by_cohort"], Is.EqualTo("{\"id\":7}"));
    }
}
