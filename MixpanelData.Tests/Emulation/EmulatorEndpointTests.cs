using System.Net;
using System.Text;
using System.Text.Json;
using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Http;

namespace MixpanelData.Tests.Emulation;

/// <summary>Every endpoint of the emulator, through the real HTTP pipeline, checked against Mixpanel's documented shapes.</summary>
public sealed class EmulatorEndpointTests
{
    private EmulatorFixture _fixture = null!;
    private MixpanelConnection _connection = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _fixture = await EmulatorFixture.CreateAsync(new EmulatorOptions { EnforceRateLimits = false });
        _connection = _fixture.Connect();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _connection.DisposeAsync();
        await _fixture.DisposeAsync();
    }

    private async Task<JsonElement> Get(string path, params (string Key, string? Value)[] query)
    {
        var response = await _connection.SendAsync(new PipelineRequest(ApiFamily.Query, path) { Query = [.. query.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value))] });
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }

    private static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    [Test]
    public async Task Segmentation_Plain_HasDataSeriesValuesAndLegendSize()
    {
        var root = await Get("segmentation", ("event", "Sign Up"), ("from_date", "2026-03-02"), ("to_date", "2026-03-04"));

        Assert.That(Keys(root), Is.EquivalentTo(new[] { "data", "legend_size" }));
        Assert.That(Keys(root.GetProperty("data")), Is.EquivalentTo(new[] { "series", "values" }));
        Assert.That(root.GetProperty("data").GetProperty("series").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "2026-03-02", "2026-03-03", "2026-03-04" }));
        var values = root.GetProperty("data").GetProperty("values").GetProperty("Sign Up");
        Assert.That(values.GetProperty("2026-03-02").GetInt32(), Is.EqualTo(2));
        Assert.That(values.GetProperty("2026-03-04").GetInt32(), Is.EqualTo(1));
        Assert.That(values.GetProperty("2026-03-02").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(root.GetProperty("legend_size").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task Segmentation_On_KeysValuesBySegment()
    {
        var root = await Get("segmentation", ("event", "Sign Up"), ("from_date", "2026-03-02"), ("to_date", "2026-03-04"), ("on", "properties[\"browser\"]"), ("type", "unique"));

        var values = root.GetProperty("data").GetProperty("values");
        Assert.That(Keys(values), Is.EquivalentTo(new[] { "Chrome", "Safari", "Firefox" }));
        Assert.That(values.GetProperty("Firefox").GetProperty("2026-03-03").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("legend_size").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task Segmentation_LegacyPrefixAndTrailingSlash_AreServedToo()
    {
        using var client = new HttpClient(_fixture.Emulator, disposeHandler: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://mixpanel.com/api/2.0/segmentation/?project_id=1&event=Login&from_date=2026-03-02&to_date=2026-03-02");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("demo:demo")));

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"Login\":{\"2026-03-02\":1}"));
    }

    [Test]
    public async Task Segmentation_UnencodedBasicAuth_IsAccepted()
    {
        using var client = new HttpClient(_fixture.Emulator, disposeHandler: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://mixpanel.com/api/query/events/names?project_id=1&type=general");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic demo:demo");

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Segmentation_UnknownEvent_AnswersEmptyValues()
    {
        var root = await Get("segmentation", ("event", "Nope"), ("from_date", "2026-03-02"), ("to_date", "2026-03-03"));

        Assert.That(Keys(root.GetProperty("data").GetProperty("values")), Is.Empty);
        Assert.That(root.GetProperty("legend_size").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task Segmentation_Pre2000Date_IsBadYear()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Get("segmentation", ("event", "Login"), ("from_date", "1999-12-31"), ("to_date", "2026-03-03")));

        Assert.That(ex!.MixpanelError, Is.EqualTo("Error in from_date: invalid date, bad year"));
    }

    [Test]
    public async Task Segmentation_BadWhere_Is400WithThePosition()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Get("segmentation", ("event", "Login"), ("from_date", "2026-03-02"), ("to_date", "2026-03-03"), ("where", "properties[\"a\"] = 1")));

        Assert.That(ex!.MixpanelError, Does.Contain("'=='").And.Contain("position"));
    }

    [Test]
    public async Task SegmentationSum_RevenuePerDay_HasStatusComputedAtResults()
    {
        var root = await Get("segmentation/sum", ("event", "Sign Up"), ("from_date", "2026-03-02"), ("to_date", "2026-03-04"), ("on", "properties[\"revenue\"]"));

        Assert.That(Keys(root), Is.EquivalentTo(new[] { "status", "computed_at", "results" }));
        Assert.That(root.GetProperty("results").GetProperty("2026-03-02").GetDouble(), Is.EqualTo(35));
        Assert.That(root.GetProperty("results").GetProperty("2026-03-03").GetDouble(), Is.EqualTo(5));
        Assert.That(root.GetProperty("results").GetProperty("2026-03-04").GetDouble(), Is.EqualTo(0));
    }

    [Test]
    public async Task SegmentationAverage_RevenuePerDay_AveragesNumericValues()
    {
        var root = await Get("segmentation/average", ("event", "Sign Up"), ("from_date", "2026-03-02"), ("to_date", "2026-03-02"), ("on", "properties[\"revenue\"]"));

        Assert.That(Keys(root), Is.EquivalentTo(new[] { "status", "results" }));
        Assert.That(root.GetProperty("results").GetProperty("2026-03-02").GetDouble(), Is.EqualTo(17.5));
    }

    [Test]
    public async Task SegmentationNumeric_Revenue_BucketsByRange()
    {
        var root = await Get("segmentation/numeric", ("event", "Sign Up"), ("from_date", "2026-03-02"), ("to_date", "2026-03-03"), ("on", "properties[\"revenue\"]"));

        // Values 10, 25 (03-02) and 5 (03-03): span 20 → width 2, ranges start at 4.
        var values = root.GetProperty("data").GetProperty("values");
        Assert.That(Keys(values), Is.EquivalentTo(new[] { "4 - 6", "10 - 12", "24 - 26" }));
        Assert.That(values.GetProperty("24 - 26").GetProperty("2026-03-02").GetInt32(), Is.EqualTo(1));
        Assert.That(values.GetProperty("4 - 6").GetProperty("2026-03-03").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task Events_TwoEvents_KeysValuesByEvent()
    {
        var root = await Get("events", ("event", "[\"Login\",\"Sign Up\"]"), ("type", "general"), ("unit", "day"), ("from_date", "2026-03-02"), ("to_date", "2026-03-05"));

        var values = root.GetProperty("data").GetProperty("values");
        Assert.That(values.GetProperty("Login").GetProperty("2026-03-04").GetInt32(), Is.EqualTo(2));
        Assert.That(values.GetProperty("Sign Up").GetProperty("2026-03-02").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("legend_size").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Events_MissingType_Is400NamingIt()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Get("events", ("event", "[\"Login\"]"), ("unit", "day"), ("from_date", "2026-03-02"), ("to_date", "2026-03-05")));

        Assert.That(ex!.MixpanelError, Does.Contain("type"));
    }

    [Test]
    public async Task EventsTop_LatestDay_HasAmountEventPercentChange()
    {
        var root = await Get("events/top", ("type", "general"));

        Assert.That(Keys(root), Is.EquivalentTo(new[] { "events", "type" }));
        var first = root.GetProperty("events")[0];
        Assert.That(Keys(first), Is.EquivalentTo(new[] { "amount", "event", "percent_change" }));
        Assert.That(first.GetProperty("event").GetString(), Is.EqualTo("Login"));
    }

    [Test]
    public async Task EventsNames_ByVolume_IsAnArrayOfStrings()
    {
        var root = await Get("events/names", ("type", "general"), ("from_date", "2026-03-01"), ("to_date", "2026-03-21"));

        Assert.That(root.EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "Login", "Sign Up", "Create Project", "Invite Teammate" }));
    }

    [Test]
    public async Task EventsPropertiesTop_SignUp_GivesCountsPerProperty()
    {
        var root = await Get("events/properties/top", ("event", "Sign Up"));

        Assert.That(root.GetProperty("browser").GetProperty("count").GetInt32(), Is.EqualTo(5));
        Assert.That(root.GetProperty("revenue").GetProperty("count").GetInt32(), Is.EqualTo(3));
        Assert.That(Keys(root), Does.Not.Contain("time").And.Not.Contain("$insert_id"));
    }

    [Test]
    public async Task EventsPropertiesValues_Browser_MostCommonFirst()
    {
        var root = await Get("events/properties/values", ("event", "Sign Up"), ("name", "browser"));

        Assert.That(root.EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "Chrome", "Firefox", "Safari" }));
    }

    [Test]
    public async Task EventsProperties_BrowserValuesFilter_KeepsOnlyThoseValues()
    {
        var root = await Get("events/properties", ("event", "Sign Up"), ("name", "browser"), ("values", "[\"Safari\"]"), ("type", "general"), ("unit", "day"), ("from_date", "2026-03-02"), ("to_date", "2026-03-03"));

        Assert.That(Keys(root.GetProperty("data").GetProperty("values")), Is.EqualTo(new[] { "Safari" }));
    }

    [Test]
    public async Task FunnelsList_IsArrayOfIdAndName()
    {
        var root = await Get("funnels/list");

        Assert.That(root.GetArrayLength(), Is.EqualTo(1));
        Assert.That(root[0].GetProperty("funnel_id").GetInt64(), Is.EqualTo(7));
        Assert.That(root[0].GetProperty("name").GetString(), Is.EqualTo("Activation"));
    }

    [Test]
    public async Task Funnels_SavedFunnel_HasMetaDatesAndStepsWithAnalysis()
    {
        var root = await Get("funnels", ("funnel_id", "7"), ("from_date", "2026-03-02"), ("to_date", "2026-03-04"), ("interval", "3"));

        Assert.That(root.GetProperty("meta").GetProperty("dates").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "2026-03-02" }));
        var day = root.GetProperty("data").GetProperty("2026-03-02");
        var steps = day.GetProperty("steps");
        Assert.That(steps.GetArrayLength(), Is.EqualTo(3));
        Assert.That(Keys(steps[0]), Is.SupersetOf(new[] { "count", "avg_time", "avg_time_from_start", "step_conv_ratio", "overall_conv_ratio", "goal", "event" }));
        Assert.That(steps.EnumerateArray().Select(s => s.GetProperty("count").GetInt32()), Is.EqualTo(new[] { 4, 4, 1 }));
        Assert.That(steps[0].GetProperty("avg_time").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(steps[1].GetProperty("avg_time").GetInt64(), Is.EqualTo(68_400));
        var analysis = day.GetProperty("analysis");
        Assert.That(analysis.GetProperty("completion").GetInt32(), Is.EqualTo(1));
        Assert.That(analysis.GetProperty("starting_amount").GetInt32(), Is.EqualTo(4));
        Assert.That(analysis.GetProperty("steps").GetInt32(), Is.EqualTo(3));
        Assert.That(analysis.GetProperty("worst").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Funnels_On_KeepsOverallAndEverySegmentPerDate()
    {
        var root = await Get("funnels", ("funnel_id", "7"), ("from_date", "2026-03-02"), ("to_date", "2026-03-02"), ("on", "properties[\"browser\"]"));

        var day = root.GetProperty("data").GetProperty("2026-03-02");
        Assert.That(Keys(day), Is.EquivalentTo(new[] { "$overall", "Chrome", "Safari" }));
        Assert.That(day.GetProperty("Chrome").EnumerateArray().Select(s => s.GetProperty("count").GetInt32()), Is.EqualTo(new[] { 1, 1, 1 }));
        Assert.That(day.GetProperty("$overall")[0].GetProperty("count").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Funnels_UnknownFunnel_Is400()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Get("funnels", ("funnel_id", "999"), ("from_date", "2026-03-02"), ("to_date", "2026-03-02")));

        Assert.That(ex!.MixpanelError, Does.Contain("999"));
    }

    [Test]
    public async Task Retention_Birth_IsKeyedByCohortDateWithCountsAndFirst()
    {
        var root = await Get("retention", ("from_date", "2026-03-02"), ("to_date", "2026-03-03"), ("born_event", "Sign Up"), ("event", "Login"), ("interval_count", "3"));

        Assert.That(Keys(root), Is.EqualTo(new[] { "2026-03-02", "2026-03-03" }));
        Assert.That(root.GetProperty("2026-03-02").GetProperty("first").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("2026-03-02").GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()), Is.EqualTo(new[] { 0, 1, 1, 1 }));
    }

    [Test]
    public async Task Segmentation_WhereOnUserProperty_CountsOnlyEventsOfMatchingProfiles()
    {
        // Segmentation expressions may read user["..."] (the user's profile); Sign Ups of the pro users u1 (03-02) and u3 (03-03).
        var root = await Get("segmentation", ("event", "Sign Up"), ("from_date", "2026-03-02"), ("to_date", "2026-03-04"), ("where", "user[\"plan\"] == \"pro\""));

        var values = root.GetProperty("data").GetProperty("values").GetProperty("Sign Up");
        Assert.That(values.GetProperty("2026-03-02").GetInt32(), Is.EqualTo(1));
        Assert.That(values.GetProperty("2026-03-03").GetInt32(), Is.EqualTo(1));
        Assert.That(values.TryGetProperty("2026-03-04", out var day4) ? day4.GetInt32() : 0, Is.Zero, "u4's Sign Up on 03-04 is a free user's");
    }

    [Test]
    public async Task Segmentation_OnUserProperty_BreaksDownByTheProfileValue()
    {
        // Logins 03-02..03-05: u1 (pro) twice, u2 (free) twice, u5 (free) once.
        var root = await Get("segmentation", ("event", "Login"), ("from_date", "2026-03-02"), ("to_date", "2026-03-05"), ("on", "user[\"plan\"]"));

        var values = root.GetProperty("data").GetProperty("values");
        Assert.That(Keys(values), Is.EquivalentTo(new[] { "pro", "free" }));
        Assert.That(values.GetProperty("pro").EnumerateObject().Sum(p => p.Value.GetInt32()), Is.EqualTo(2));
        Assert.That(values.GetProperty("free").EnumerateObject().Sum(p => p.Value.GetInt32()), Is.EqualTo(3));
    }

    [Test]
    public async Task Retention_BornWhereOnUserProperty_KeepsOnlyThoseUsersInTheCohorts()
    {
        // Pro users: u1 born 03-02 (logins on day 1 and day 3), u3 born 03-03 (next login on day 7, past the 3 buckets).
        var root = await Get("retention", ("from_date", "2026-03-02"), ("to_date", "2026-03-03"), ("born_event", "Sign Up"), ("event", "Login"), ("interval_count", "3"), ("born_where", "user[\"plan\"] == \"pro\""));

        Assert.That(root.GetProperty("2026-03-02").GetProperty("first").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("2026-03-02").GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()), Is.EqualTo(new[] { 0, 1, 0, 1 }));
        Assert.That(root.GetProperty("2026-03-03").GetProperty("first").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("2026-03-03").GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()), Is.EqualTo(new[] { 0, 0, 0, 0 }));
    }

    [Test]
    public async Task Retention_IntervalAndUnitTogether_Is400()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Get("retention", ("from_date", "2026-03-02"), ("to_date", "2026-03-03"), ("born_event", "Sign Up"), ("interval", "2"), ("unit", "day")));

        Assert.That(ex!.MixpanelError, Does.Contain("interval and unit"));
    }

    [Test]
    public async Task RetentionAddiction_WeeklyByDay_IsDataKeyedByPeriod()
    {
        var root = await Get("retention/addiction", ("from_date", "2026-03-02"), ("to_date", "2026-03-08"), ("unit", "week"), ("addiction_unit", "day"), ("event", "Login"));

        Assert.That(root.GetProperty("data").GetProperty("2026-03-02").EnumerateArray().Select(c => c.GetInt32()), Is.EqualTo(new[] { 3, 2, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public async Task Engage_WhereOnProfiles_PagesWithSessionId()
    {
        var response = await _connection.SendAsync(new PipelineRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = [new("where", "properties[\"plan\"] == \"pro\"")] });
        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;

        Assert.That(Keys(root), Is.EquivalentTo(new[] { "page", "page_size", "session_id", "status", "total", "results" }));
        Assert.That(root.GetProperty("total").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("page_size").GetInt32(), Is.EqualTo(1000));
        Assert.That(root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("$distinct_id").GetString()), Is.EqualTo(new[] { "u1", "u3" }));
        Assert.That(root.GetProperty("results")[0].GetProperty("$properties").GetProperty("$email").GetString(), Is.EqualTo("u1@example.com"));

        var session = root.GetProperty("session_id").GetString();
        var next = await _connection.SendAsync(new PipelineRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = [new("where", "properties[\"plan\"] == \"pro\""), new("session_id", session), new("page", "1")] });
        using var nextDocument = JsonDocument.Parse(next.Body);
        Assert.That(nextDocument.RootElement.GetProperty("results").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Engage_JsonBodyCohortAndOutputProperties_AreHonoured()
    {
        var response = await _connection.SendAsync(new PipelineRequest(ApiFamily.Query, "engage")
        {
            Method = HttpMethod.Post,
            JsonBody = """{"filter_by_cohort": "{\"id\": 1000}", "output_properties": "[\"plan\"]"}""",
        });
        using var document = JsonDocument.Parse(response.Body);

        var results = document.RootElement.GetProperty("results");
        Assert.That(results.GetArrayLength(), Is.EqualTo(2));
        Assert.That(Keys(results[0].GetProperty("$properties")), Is.EqualTo(new[] { "plan" }));
    }

    [Test]
    public async Task Engage_PageWithoutSession_Is400() =>
        await Assert.ThrowsAsync<QueryException>(() => _connection.SendAsync(new PipelineRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = [new("page", "1")] }));

    [Test]
    public async Task CohortsList_HasDocumentedFieldsAndRealCount()
    {
        var root = await Get("cohorts/list");

        var cohort = root[0];
        Assert.That(Keys(cohort), Is.EquivalentTo(new[] { "count", "is_visible", "description", "created", "project_id", "id", "name" }));
        Assert.That(cohort.GetProperty("count").GetInt32(), Is.EqualTo(2));
        Assert.That(cohort.GetProperty("is_visible").GetInt32(), Is.EqualTo(1));
        Assert.That(cohort.GetProperty("created").GetString(), Is.EqualTo("2026-01-05 10:00:00"));
    }

    [Test]
    public async Task StreamQuery_OneUser_ListsTheirEventsInOrder()
    {
        var root = await Get("stream/query", ("distinct_ids", "[\"u1\"]"), ("from_date", "2026-03-02"), ("to_date", "2026-03-03"));

        Assert.That(root.GetProperty("status").GetString(), Is.EqualTo("ok"));
        var events = root.GetProperty("results").GetProperty("events");
        Assert.That(events.EnumerateArray().Select(e => e.GetProperty("event").GetString()), Is.EqualTo(new[] { "Sign Up", "Create Project", "Invite Teammate", "Login" }));
        Assert.That(events[0].GetProperty("properties").GetProperty("time").GetInt64(), Is.EqualTo(1772442000));
    }

    [Test]
    public async Task Insights_SavedInsightsReport_HasSeriesAndDateRange()
    {
        var root = await Get("insights", ("bookmark_id", "500"));

        Assert.That(Keys(root), Is.SupersetOf(new[] { "computed_at", "date_range", "headers", "series" }));
        Assert.That(root.GetProperty("date_range").GetProperty("to_date").GetString(), Is.EqualTo("2026-03-20T23:59:59.999000+00:00"));
        var series = root.GetProperty("series").GetProperty("Sign Up [Total Events]");
        Assert.That(series.GetProperty("2026-03-02T00:00:00+00:00").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Insights_UnknownBookmark_Is404() =>
        await Assert.ThrowsAsync<NotFoundException>(() => Get("insights", ("bookmark_id", "12345")));

    [Test]
    public async Task Jql_AnyScript_Is412WithAClearMessage()
    {
        var ex = await Assert.ThrowsAsync<JqlException>(() => _connection.SendAsync(new PipelineRequest(ApiFamily.Query, "jql") { Method = HttpMethod.Post, Form = [new("script", "function main() { return Events({}); }")] }));

        Assert.That(ex!.MixpanelError, Does.Contain("does not execute JavaScript"));
    }

    [Test]
    public async Task Me_AppApi_HasResultsWithProjectsKeyedById()
    {
        var response = await _connection.SendAsync(new PipelineRequest(ApiFamily.App, "me"));
        using var document = JsonDocument.Parse(response.Body);
        var results = document.RootElement.GetProperty("results");

        Assert.That(document.RootElement.GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(results.GetProperty("projects").GetProperty("1").GetProperty("domain").GetString(), Is.EqualTo("mixpanel.com"));
        Assert.That(Keys(results), Is.SupersetOf(new[] { "user_id", "user_email", "organizations", "projects", "workspaces" }));
    }

    [Test]
    public async Task Bookmarks_TypeFilter_ListsOnlyThatType()
    {
        var response = await _connection.SendAsync(new PipelineRequest(ApiFamily.App, "projects/1/bookmarks") { Query = [new("v", "2"), new("type", "funnels")] });
        using var document = JsonDocument.Parse(response.Body);
        var results = document.RootElement.GetProperty("results");

        Assert.That(results.GetArrayLength(), Is.EqualTo(1));
        Assert.That(results[0].GetProperty("id").GetInt64(), Is.EqualTo(501));
        Assert.That(Keys(results[0]), Is.SupersetOf(new[] { "id", "name", "type", "project_id", "created", "modified", "params" }));
    }

    [Test]
    public async Task Schemas_EventEntries_NameTheirPropertiesAndTypes()
    {
        var response = await _connection.SendAsync(new PipelineRequest(ApiFamily.App, "projects/1/schemas"));
        using var document = JsonDocument.Parse(response.Body);
        var signUp = document.RootElement.GetProperty("results").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "Sign Up");

        Assert.That(signUp.GetProperty("entityType").GetString(), Is.EqualTo("event"));
        var properties = signUp.GetProperty("schemaJson").GetProperty("properties");
        Assert.That(properties.GetProperty("browser").GetProperty("type").GetString(), Is.EqualTo("string"));
        Assert.That(properties.GetProperty("revenue").GetProperty("type").GetString(), Is.EqualTo("integer"));
    }

    [Test]
    public async Task AnyCall_WrongSecret_Is401()
    {
        await using var wrong = _fixture.Connect(secret: "nope");

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => wrong.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list")));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(ex.MixpanelError, Is.EqualTo("Unable to authenticate request"));
    }

    [Test]
    public async Task AnyCall_OtherRegionsHost_Is401()
    {
        await using var eu = _fixture.Connect(region: MixpanelRegion.Eu);

        await Assert.ThrowsAsync<AuthenticationException>(() => eu.SendAsync(new PipelineRequest(ApiFamily.App, "me")));
    }

    [Test]
    public async Task AnyCall_OtherProject_Is403()
    {
        await using var other = new MixpanelConnection(new MixpanelClientOptions
        {
            Credentials = new Credentials("demo", "demo", 2, MixpanelRegion.Us),
            Endpoints = MixpanelEndpoints.ForRegion(MixpanelRegion.Us),
            PrimaryHandler = _fixture.Emulator,
            RateLimits = new RateLimitOptions { Disabled = true },
        });

        await Assert.ThrowsAsync<PermissionDeniedException>(() => other.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list")));
    }
}
