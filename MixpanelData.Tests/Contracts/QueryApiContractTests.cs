using MixpanelData.Discovery;
using MixpanelData.Queries;
using static MixpanelData.Tests.Contracts.MixpanelWire;

namespace MixpanelData.Tests.Contracts;

/// <summary>
/// One contract test per Query API endpoint (reference/mixpanel-api.md §7): the documented answer served over a
/// real loopback socket by WireMock, and both sides checked — the request we send (method, path, every query
/// parameter, auth, extra headers, no secret in the URL) and the record we return (values worked out by hand
/// from the body). Bodies carry a field the documentation does not name, which must be ignored.
/// </summary>
public sealed class QueryApiContractTests
{
    private MixpanelWire _wire = null!;

    [SetUp]
    public void SetUp() => _wire = new MixpanelWire();

    [TearDown]
    public void TearDown() => _wire.Dispose();

    private static readonly Dictionary<string, string> SourceHeader = new() { ["X-Source"] = "copilot" };

    [Test]
    public async Task Segmentation_WithBreakdown_SendsEveryParameterAndSortsFillsAndOrdersSegments()
    {
        _wire.Answer("GET", "/api/query/segmentation", """
            {"data": {"series": ["2011-08-08", "2011-08-09", "2011-08-06", "2011-08-07"],
                      "values": {"Safari": {"2011-08-07": 5},
                                 "Chrome": {"2011-08-06": 147, "2011-08-07": 146, "2011-08-08": 776, "2011-08-09": 1376}}},
             "legend_size": 2, "not_documented": {"x": 1}}
            """);
        await using var ws = _wire.Workspace(workspaceId: 31, headers: SourceHeader);

        var result = await ws.Query.SegmentationAsync(new SegmentationQuery("Signed up", new(2011, 8, 6), new(2011, 8, 9))
        {
            Type = CountType.Unique,
            On = "properties[\"$browser\"]",
            Where = "properties[\"plan\"] == \"pro & co\"",
        });

        var request = _wire.Single("/api/query/segmentation");
        Assert.That(request.RequestMessage.Method, Is.EqualTo("GET"));
        Assert.That(Query(request), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["workspace_id"] = "31", ["event"] = "Signed up", ["from_date"] = "2011-08-06", ["to_date"] = "2011-08-09",
            ["type"] = "unique", ["unit"] = "day", ["where"] = "properties[\"plan\"] == \"pro & co\"", ["on"] = "properties[\"$browser\"]", ["limit"] = "61",
        }));
        AssertAuthenticated(request);
        Assert.That(Header(request, "X-Source"), Is.EqualTo("copilot"));
        Assert.That(Header(request, "Accept"), Does.Contain("application/json"));

        Assert.That(result.Series, Is.EqualTo(new[] { "2011-08-06", "2011-08-07", "2011-08-08", "2011-08-09" }));
        Assert.That(result.Segments.Select(s => (s.Name, s.Values)), Is.EqualTo(new (string, IReadOnlyList<double>)[]
        {
            ("Chrome", [147, 146, 776, 1376]), ("Safari", [0, 5, 0, 0]),
        }));
        Assert.That(result.SegmentLimitHit, Is.False);
    }

    [Test]
    public async Task SegmentationNumeric_SendsOnAndReadsBucketRanges()
    {
        _wire.Answer("GET", "/api/query/segmentation/numeric", """
            {"data": {"series": ["2011-08-08", "2011-08-09"],
                      "values": {"2,100 - 2,200": {"2011-08-08": 7, "2011-08-09": 15}, "2,000 - 2,100": {"2011-08-08": 4, "2011-08-09": 15}}},
             "legend_size": 2}
            """);
        await using var ws = _wire.Workspace();

        var result = await ws.Query.SegmentationNumericAsync(new NumericSegmentationQuery("Purchase", new(2011, 8, 8), new(2011, 8, 9), "properties[\"amount\"]"));

        Assert.That(Query(_wire.Single("/api/query/segmentation/numeric")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["event"] = "Purchase", ["from_date"] = "2011-08-08", ["to_date"] = "2011-08-09",
            ["on"] = "properties[\"amount\"]", ["unit"] = "day", ["type"] = "general",
        }));
        Assert.That(result.Series, Is.EqualTo(new[] { "2011-08-08", "2011-08-09" }));
        Assert.That(result.Ranges.Select(r => (r.Name, r.Values)), Is.EquivalentTo(new (string, IReadOnlyList<double>)[]
        {
            ("2,000 - 2,100", [4, 15]), ("2,100 - 2,200", [7, 15]),
        }));
    }

    [Test]
    public async Task SegmentationSum_ReadsResultsByDayAndComputedAt()
    {
        _wire.Answer("GET", "/api/query/segmentation/sum", """
            {"status": "ok", "computed_at": "2019-10-07T23:02:11.666218+00:00", "results": {"2019-10-07": 4, "2019-10-06": 7.5}}
            """);
        await using var ws = _wire.Workspace();

        var result = await ws.Query.SegmentationSumAsync(new NumericAggregateQuery("Purchase", new(2019, 10, 6), new(2019, 10, 7), "properties[\"amount\"]"));

        Assert.That(Query(_wire.Single("/api/query/segmentation/sum")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["event"] = "Purchase", ["from_date"] = "2019-10-06", ["to_date"] = "2019-10-07",
            ["on"] = "properties[\"amount\"]", ["unit"] = "day",
        }));
        Assert.That(result.Aggregate, Is.EqualTo(NumericAggregate.Sum));
        Assert.That(result.Series, Is.EqualTo(new[] { "2019-10-06", "2019-10-07" }));
        Assert.That(result.Values, Is.EqualTo(new[] { 7.5, 4 }));
        Assert.That(result.ComputedAt, Is.EqualTo(new DateTimeOffset(2019, 10, 7, 23, 2, 11, TimeSpan.Zero).AddTicks(6662180)));
    }

    [Test]
    public async Task SegmentationAverage_ReadsResultsWithoutComputedAt()
    {
        _wire.Answer("GET", "/api/query/segmentation/average", """
            {"results": {"2011-08-06": 8.64705882352939, "2011-08-07": 4.640625}, "status": "ok"}
            """);
        await using var ws = _wire.Workspace();

        var result = await ws.Query.SegmentationAverageAsync(new NumericAggregateQuery("Purchase", new(2011, 8, 6), new(2011, 8, 7), "properties[\"amount\"]"));

        var request = _wire.Single("/api/query/segmentation/average");
        Assert.That(request.RequestMessage.Method, Is.EqualTo("GET"));
        Assert.That(Query(request), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["event"] = "Purchase", ["from_date"] = "2011-08-06", ["to_date"] = "2011-08-07",
            ["on"] = "properties[\"amount\"]", ["unit"] = "day",
        }));
        AssertAuthenticated(request);
        Assert.That(result.Series, Is.EqualTo(new[] { "2011-08-06", "2011-08-07" }));
        Assert.That(result.Aggregate, Is.EqualTo(NumericAggregate.Average));
        Assert.That(result.Values, Is.EqualTo(new[] { 8.64705882352939, 4.640625 }));
        Assert.That(result.ComputedAt, Is.Null);
    }

    [Test]
    public async Task EventCounts_SendsEventsAsJsonArrayAndReadsEverySeries()
    {
        _wire.Answer("GET", "/api/query/events", """
            {"data": {"series": ["2010-05-29", "2010-05-30", "2010-05-31"],
                      "values": {"account-page": {"2010-05-30": 1}, "splash features": {"2010-05-29": 6, "2010-05-30": 4, "2010-05-31": 5}}},
             "legend_size": 2}
            """);
        await using var ws = _wire.Workspace();

        var result = await ws.Query.EventCountsAsync(new EventCountsQuery(["account-page", "splash features"], new(2010, 5, 29), new(2010, 5, 31)));

        Assert.That(Query(_wire.Single("/api/query/events")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["event"] = "[\"account-page\",\"splash features\"]", ["type"] = "general", ["unit"] = "day",
            ["from_date"] = "2010-05-29", ["to_date"] = "2010-05-31",
        }));
        Assert.That(result.Segments.Select(s => (s.Name, s.Values)), Is.EqualTo(new (string, IReadOnlyList<double>)[]
        {
            ("splash features", [6, 4, 5]), ("account-page", [0, 1, 0]),
        }));
    }

    [Test]
    public async Task PropertyCounts_SendsNameValuesAndProbeLimit()
    {
        _wire.Answer("GET", "/api/query/events/properties", """
            {"data": {"series": ["2010-05-29", "2010-05-30", "2010-05-31"],
                      "values": {"splash features": {"2010-05-29": 6, "2010-05-30": 4, "2010-05-31": 5}}},
             "legend_size": 2}
            """);
        await using var ws = _wire.Workspace();

        var result = await ws.Query.PropertyCountsAsync(new PropertyCountsQuery("Viewed page", "feature", new(2010, 5, 29), new(2010, 5, 31))
        {
            Values = ["splash features"],
            Type = CountType.Unique,
            Limit = 10,
        });

        Assert.That(Query(_wire.Single("/api/query/events/properties")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["event"] = "Viewed page", ["name"] = "feature", ["values"] = "[\"splash features\"]", ["type"] = "unique",
            ["unit"] = "day", ["from_date"] = "2010-05-29", ["to_date"] = "2010-05-31", ["limit"] = "11",
        }));
        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 6, 4, 5 }));
    }

    [Test]
    public async Task SavedFunnel_SendsWindowAndReadsStepsWithCustomEventsAndTheFunnelName()
    {
        _wire.Answer("GET", "/api/query/funnels", """
            {"meta": {"dates": ["2016-09-12"]},
             "data": {"2016-09-12": {
               "steps": [
                 {"count": 32688, "avg_time": null, "avg_time_from_start": null, "step_conv_ratio": 1, "overall_conv_ratio": 1, "goal": "App Open", "event": "App Open"},
                 {"count": 20524, "avg_time": 133, "avg_time_from_start": 133, "step_conv_ratio": 0.627875673029858, "overall_conv_ratio": 0.627875673029858,
                  "goal": "$custom_event:12345", "event": "$custom_event:12345", "step_label": "Game Played", "custom_event": true, "custom_event_id": 12345}],
               "analysis": {"completion": 20524, "starting_amount": 32688, "steps": 2, "worst": 1}}}}
            """);
        _wire.Answer("GET", "/api/query/funnels/list", """[{"funnel_id": 7509, "name": "Signup funnel"}, {"funnel_id": 9070, "name": "Funnel tutorial"}]""");
        await using var ws = _wire.Workspace();

        var result = await ws.Query.FunnelAsync(new SavedFunnelQuery(7509, new(2016, 9, 12), new(2016, 9, 18)) { WindowLength = 14, WindowUnit = WindowUnit.Day });

        Assert.That(Query(_wire.Single("/api/query/funnels")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["funnel_id"] = "7509", ["from_date"] = "2016-09-12", ["to_date"] = "2016-09-18", ["length"] = "14", ["length_unit"] = "day",
        }));
        Assert.That(Query(_wire.Single("/api/query/funnels/list")), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242" }));
        Assert.That(result.Name, Is.EqualTo("Signup funnel"));
        var steps = result.Overall.Steps;
        Assert.That(steps.Select(s => (s.Event, s.Count)), Is.EqualTo(new[] { ("App Open", 32688L), ("Game Played", 20524L) }));
        Assert.That(steps[1].StepConversion, Is.EqualTo(0.627875673029858).Within(1e-12));
        Assert.That(steps[1].AverageSecondsFromPrevious, Is.EqualTo(133));
        Assert.That(steps[0].AverageSecondsFromPrevious, Is.Null);
        Assert.That(result.Buckets.Select(b => b.Date), Is.EqualTo(new[] { "2016-09-12" }));
    }

    [Test]
    public async Task FunnelsList_ReadsIdsAndNames()
    {
        _wire.Answer("GET", "/api/query/funnels/list", """[{"funnel_id": 9070, "name": "Funnel tutorial", "extra": 1}, {"funnel_id": 7509, "name": "Signup funnel"}]""");
        await using var ws = _wire.Workspace(workspaceId: 31);

        var funnels = await ws.Discovery.FunnelsAsync();

        Assert.That(Query(_wire.Single("/api/query/funnels/list")), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242", ["workspace_id"] = "31" }));
        Assert.That(funnels.Select(f => (f.FunnelId, f.Name)), Is.EquivalentTo(new[] { (9070L, "Funnel tutorial"), (7509L, "Signup funnel") }));
    }

    [Test]
    public async Task Retention_Birth_SendsUnitForIntervalOneAndReadsCohortsInDateOrder()
    {
        _wire.Answer("GET", "/api/query/retention", """
            {"2012-01-02": {"counts": [9, 7, 6], "first": 10}, "2012-01-01": {"counts": [2, 1, 2], "first": 2}}
            """);
        await using var ws = _wire.Workspace();

        var result = await ws.Query.RetentionAsync(new RetentionQuery(new(2012, 1, 1), new(2012, 1, 2))
        {
            BornEvent = "Sign Up",
            Event = "Login",
            BornWhere = "properties[\"utm_source\"] == \"ads\"",
            IntervalCount = 2,
        });

        Assert.That(Query(_wire.Single("/api/query/retention")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["from_date"] = "2012-01-01", ["to_date"] = "2012-01-02", ["retention_type"] = "birth", ["born_event"] = "Sign Up",
            ["event"] = "Login", ["born_where"] = "properties[\"utm_source\"] == \"ads\"", ["unit"] = "day", ["interval_count"] = "2",
        }));
        Assert.That(result.Overall.Cohorts.Select(c => (c.Date, c.First, c.Counts)), Is.EqualTo(new (string, long, IReadOnlyList<long>)[]
        {
            ("2012-01-01", 2, [2, 1, 2]), ("2012-01-02", 10, [9, 7, 6]),
        }));
    }

    [Test]
    public async Task Retention_TwoWeekBuckets_SendsIntervalInDaysNotUnit()
    {
        _wire.Answer("GET", "/api/query/retention", """{"2012-01-01": {"counts": [5], "first": 5}}""");
        await using var ws = _wire.Workspace();

        await ws.Query.RetentionAsync(new RetentionQuery(new(2012, 1, 1), new(2012, 1, 1)) { Type = RetentionType.Compounded, Event = "Login", Unit = TimeUnit.Week, Interval = 2 });

        var query = Query(_wire.Single("/api/query/retention"));
        Assert.That(query["interval"], Is.EqualTo("14"));
        Assert.That(query, Does.Not.ContainKey("unit").And.Not.ContainKey("born_event"));
        Assert.That(query["retention_type"], Is.EqualTo("compounded"));
    }

    [Test]
    public async Task Frequency_ReadsTheDataWrapperAndTheBareForm()
    {
        _wire.Answer("GET", "/api/query/retention/addiction", """
            {"data": {"2012-01-02": [495, 204, 117], "2012-01-01": [305, 107, 60]}}
            """);
        await using var ws = _wire.Workspace();

        var result = await ws.Query.FrequencyAsync(new FrequencyQuery(new(2012, 1, 1), new(2012, 1, 2)) { Event = "Login", Unit = TimeUnit.Day, AddictionUnit = TimeUnit.Hour });

        Assert.That(Query(_wire.Single("/api/query/retention/addiction")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["from_date"] = "2012-01-01", ["to_date"] = "2012-01-02", ["unit"] = "day", ["addiction_unit"] = "hour", ["event"] = "Login",
        }));
        Assert.That(result.Periods.Select(p => (p.Date, p.Counts)), Is.EqualTo(new (string, IReadOnlyList<long>)[]
        {
            ("2012-01-01", [305, 107, 60]), ("2012-01-02", [495, 204, 117]),
        }));

        _wire.Server.Reset();
        _wire.Answer("GET", "/api/query/retention/addiction", """{"2012-01-01": [3, 1]}""");
        var bare = await ws.Query.FrequencyAsync(new FrequencyQuery(new(2012, 1, 1), new(2012, 1, 1)) { Event = "Login" });
        Assert.That(bare.Periods.Single().Counts, Is.EqualTo(new long[] { 3, 1 }));
    }

    [Test]
    public async Task TopEvents_ReadsAmountsAndChangeLargestFirst()
    {
        _wire.Answer("GET", "/api/query/events/top", """
            {"events": [{"amount": 2, "event": "funnel", "percent_change": -0.35635745999582824},
                        {"amount": 75, "event": "pages", "percent_change": -0.20209602478821687}],
             "type": "unique"}
            """);
        await using var ws = _wire.Workspace();

        var top = await ws.Discovery.TopEventsAsync(CountType.Unique, limit: 5);

        Assert.That(Query(_wire.Single("/api/query/events/top")), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242", ["type"] = "unique", ["limit"] = "5" }));
        Assert.That(top.Events.Select(e => (e.Event, e.Amount, e.PercentChange)), Is.EqualTo(new[] { ("pages", 75.0, -0.20209602478821687), ("funnel", 2.0, -0.35635745999582824) }));
    }

    [Test]
    public async Task EventNames_AsksForTheWholeHistoryAtTheCapAndSortsNames()
    {
        _wire.Answer("GET", "/api/query/events/names", """["battle", "click signup button", "View homepage"]""");
        await using var ws = _wire.Workspace();

        var names = await ws.Discovery.EventsAsync();

        var query = Query(_wire.Single("/api/query/events/names"));
        Assert.That(query["type"], Is.EqualTo("general"));
        Assert.That(query["limit"], Is.EqualTo("5000"));
        Assert.That(query["from_date"], Is.EqualTo("2000-01-01"));
        Assert.That(DateOnly.ParseExact(query["to_date"], "yyyy-MM-dd"), Is.GreaterThanOrEqualTo(DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1))));
        Assert.That(names, Is.EquivalentTo(new[] { "battle", "click signup button", "View homepage" }));
    }

    [Test]
    public async Task TopProperties_KeepsEntriesWithoutCount()
    {
        _wire.Answer("GET", "/api/query/events/properties/top", """{"ad version": {"count": 295}, "$duration_s": {}, "user type": {"count": 91}}""");
        await using var ws = _wire.Workspace();

        var properties = await ws.Discovery.PropertiesAsync("Viewed", limit: 10);

        Assert.That(Query(_wire.Single("/api/query/events/properties/top")), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242", ["event"] = "Viewed", ["limit"] = "10" }));
        Assert.That(properties.Select(p => (p.Name, p.Count)), Is.EqualTo(new (string, long?)[] { ("ad version", 295), ("user type", 91), ("$duration_s", null) }));
    }

    [Test]
    public async Task PropertyValues_ReadsTheArray()
    {
        _wire.Answer("GET", "/api/query/events/properties/values", """["cat", "dog", "rabbit", "gecko"]""");
        await using var ws = _wire.Workspace();

        var values = await ws.Discovery.PropertyValuesAsync("Adopted", "animal", limit: 4);

        Assert.That(Query(_wire.Single("/api/query/events/properties/values")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["event"] = "Adopted", ["name"] = "animal", ["limit"] = "4",
        }));
        Assert.That(values, Is.EqualTo(new[] { "cat", "dog", "rabbit", "gecko" }));
    }

    [Test]
    public async Task CohortsList_PostsAndReadsIdsAndNames()
    {
        _wire.Answer("POST", "/api/query/cohorts/list", """
            [{"count": 150, "is_visible": 1, "description": "This cohort is visible.", "created": "2019-03-19 23:49:51", "project_id": 1, "id": 1000, "name": "Cohort One"},
             {"count": 25, "is_visible": 0, "description": "...", "created": "2019-04-02 23:22:01", "project_id": 1, "id": 2000, "name": "Cohort Two"}]
            """);
        await using var ws = _wire.Workspace();

        var cohorts = await ws.Discovery.CohortsAsync();

        var request = _wire.Single("/api/query/cohorts/list");
        Assert.That(request.RequestMessage.Method, Is.EqualTo("POST"), "documented as POST");
        Assert.That(Query(request), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242" }));
        AssertAuthenticated(request);
        Assert.That(cohorts.Select(c => (c.Id, c.Name)), Is.EqualTo(new[] { (1000L, "Cohort One"), (2000L, "Cohort Two") }));
    }

    [Test]
    public async Task ActivityFeed_SendsDistinctIdsAsJsonAndReadsEvents()
    {
        _wire.Answer("GET", "/api/query/stream/query", """
            {"status": "ok",
             "results": {"events": [
               {"event": "Game Played", "properties": {"time": 1599589453, "$distinct_id": "12a34aa5", "$browser": "Chrome", "$city": "Austin"}}]}}
            """);
        await using var ws = _wire.Workspace();

        var feed = await ws.Query.ActivityFeedAsync(new ActivityFeedQuery(["12a34aa5"], new(2020, 9, 1), new(2020, 9, 10)));

        Assert.That(Query(_wire.Single("/api/query/stream/query")), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["project_id"] = "4242", ["distinct_ids"] = "[\"12a34aa5\"]", ["from_date"] = "2020-09-01", ["to_date"] = "2020-09-10",
        }));
        var played = feed.Events.Single();
        Assert.That((played.Event, played.DistinctId, played.Time), Is.EqualTo(("Game Played", "12a34aa5", (DateTimeOffset?)DateTimeOffset.FromUnixTimeSeconds(1599589453))));
        Assert.That(played.Properties["$city"].GetString(), Is.EqualTo("Austin"));
        Assert.That((feed.Total, feed.Truncated), Is.EqualTo((1, false)));
    }

    [Test]
    public async Task SavedReport_ReadsHeadersSeriesDateRangeAndMeta()
    {
        _wire.Answer("GET", "/api/query/insights", """
            {"computed_at": "2025-12-08T22:48:12.977017+00:00",
             "date_range": {"from_date": "2020-08-31T00:00:00-07:00", "to_date": "2020-09-12T23:59:59.999000-07:00"},
             "headers": ["$event"],
             "meta": {"is_segmentation_limit_hit": true, "min_sampling_factor": 1.0, "sub_query_count": 1},
             "series": {"Logged in": {"2020-08-31T00:00:00-07:00": 9852, "2020-09-07T00:00:00-07:00": 4325},
                        "Viewed page": {"2020-08-31T00:00:00-07:00": 10246, "2020-09-07T00:00:00-07:00": 11432}}}
            """);
        await using var ws = _wire.Workspace();

        var report = await ws.Query.SavedReportAsync(new SavedReportQuery(63877017));

        Assert.That(Query(_wire.Single("/api/query/insights")), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242", ["bookmark_id"] = "63877017" }));
        Assert.That(report.Headers, Is.EqualTo(new[] { "$event" }));
        Assert.That(report.Values.Select(v => (string.Join("|", v.Path), v.Value)), Is.EquivalentTo(new[]
        {
            ("Logged in|2020-08-31T00:00:00-07:00", 9852.0), ("Logged in|2020-09-07T00:00:00-07:00", 4325.0),
            ("Viewed page|2020-08-31T00:00:00-07:00", 10246.0), ("Viewed page|2020-09-07T00:00:00-07:00", 11432.0),
        }));
        Assert.That(report.FromDate, Is.EqualTo(new DateTimeOffset(2020, 8, 31, 0, 0, 0, TimeSpan.FromHours(-7))));
        Assert.That(report.SegmentLimitHit, Is.True);
    }

    [Test]
    public async Task Jql_PostsScriptAndParamsAsFormAndReturnsTheArray()
    {
        _wire.Answer("POST", "/api/query/jql", """[{"key": ["Signup"], "value": 42}]""");
        await using var ws = _wire.Workspace();

        var result = await ws.Query.JqlAsync(new JqlQuery("function main() { return Events(params).groupBy(['name'], mixpanel.reducer.count()); }")
        {
            Params = new System.Text.Json.Nodes.JsonObject { ["from_date"] = "2026-01-01" },
        });

        var request = _wire.Single("/api/query/jql");
        Assert.That(request.RequestMessage.Method, Is.EqualTo("POST"));
        Assert.That(Query(request), Is.EquivalentTo(new Dictionary<string, string> { ["project_id"] = "4242" }));
        Assert.That(Form(request), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["script"] = "function main() { return Events(params).groupBy(['name'], mixpanel.reducer.count()); }",
            ["params"] = """{"from_date":"2026-01-01"}""",
        }));
        Assert.That(result.Results.Single().GetProperty("value").GetInt32(), Is.EqualTo(42));
    }

    [Test]
    public async Task NumberAsString_IsReadAsTheNumber()
    {
        // Mixpanel's clients see counts written as strings now and then; a tolerant reader takes them.
        _wire.Answer("GET", "/api/query/retention", """{"2012-01-01": {"counts": ["3", 1], "first": "4"}}""");
        await using var ws = _wire.Workspace();

        var result = await ws.Query.RetentionAsync(new RetentionQuery(new(2012, 1, 1), new(2012, 1, 1)) { BornEvent = "Sign Up" });

        Assert.That(result.Overall.Cohorts.Single(), Has.Property(nameof(RetentionCohort.First)).EqualTo(4));
        Assert.That(result.Overall.Cohorts.Single().Counts, Is.EqualTo(new long[] { 3, 1 }));
    }
}
