using MixpanelData.Queries;

namespace MixpanelData.Tests.Contracts;

/// <summary>
/// The shapes Mixpanel documents but the emulator (which answers tidily) does not produce: series out of order, dates
/// missing from value maps, property entries without counts, custom-event funnel steps, saved reports without
/// <c>meta</c>, frequency without its <c>data</c> wrapper. Each body is the documentation's own example
/// (reference/mixpanel-api.md §7), served by WireMock over loopback.
/// </summary>
public sealed class MixpanelWireShapeTests
{
    private static (MixpanelData.Workspace Workspace, MixpanelWire Server) Create(params (string Path, string Body)[] answers)
    {
        var server = new MixpanelWire();
        foreach (var (path, body) in answers)
        {
            server.Answer("GET", path, body);
        }

        return (server.Workspace(), server);
    }

    [Test]
    public async Task SegmentationAsync_UnsortedSeriesAndMissingDates_SortsAndFillsWithZero()
    {
        var (ws, server) = Create(("/api/query/segmentation", """
            {"data": {"series": ["2011-08-08", "2011-08-09", "2011-08-06", "2011-08-07"],
                      "values": {"Signed up": {"2011-08-06": 147, "2011-08-07": 146, "2011-08-08": 776, "2011-08-09": 1376}}},
             "legend_size": 1}
            """));
        await using var _ = ws;
        using var __ = server;

        var result = await ws.Query.SegmentationAsync(new SegmentationQuery("Signed up", new(2011, 8, 5), new(2011, 8, 10)));

        Assert.That(result.Series, Is.EqualTo(new[] { "2011-08-05", "2011-08-06", "2011-08-07", "2011-08-08", "2011-08-09", "2011-08-10" }));
        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 0, 147, 146, 776, 1376, 0 }));
    }

    [Test]
    public async Task SegmentationAsync_ValuesMapMissingASeriesDate_FillsItWithZero()
    {
        var (ws, server) = Create(("/api/query/segmentation", """
            {"data": {"series": ["2011-08-07 10:00:00", "2011-08-07 09:00:00"],
                      "values": {"iOS": {"2011-08-07 10:00:00": 3}, "Android": {"2011-08-07 09:00:00": 5}}},
             "legend_size": 2}
            """));
        await using var _ = ws;
        using var __ = server;

        var result = await ws.Query.SegmentationAsync(new SegmentationQuery("Open", new(2011, 8, 7), new(2011, 8, 7)) { Unit = TimeUnit.Hour, On = "properties[\"os\"]" });

        Assert.That(result.Series, Has.Count.EqualTo(24));
        Assert.That(result.Series[9], Is.EqualTo("2011-08-07 09:00:00"));
        Assert.That(result.Segments.Select(s => (s.Name, s.Values[9], s.Values[10])), Is.EqualTo(new[] { ("Android", 5.0, 0.0), ("iOS", 0.0, 3.0) }));
        Assert.That(MixpanelWire.Query(server.Requests[^1])["limit"], Is.EqualTo("61"), "one more than the limit, to know whether segments were cut off");
    }

    [Test]
    public async Task PropertiesAsync_EntryWithoutCount_KeepsThePropertyWithNoCount()
    {
        var (ws, server) = Create(("/api/query/events/properties/top", """
            {"ad version": {"count": 295}, "$duration_s": {}, "user type": {"count": 91}}
            """));
        await using var _ = ws;
        using var __ = server;

        var properties = await ws.Discovery.PropertiesAsync("Viewed");

        Assert.That(properties.Select(p => (p.Name, p.Count)), Is.EqualTo(new (string, long?)[] { ("ad version", 295), ("user type", 91), ("$duration_s", null) }));
    }

    [Test]
    public async Task FunnelAsync_CustomEventStep_IsNamedByItsLabel()
    {
        var (ws, server) = Create(
            ("/api/query/funnels/list", """[{"funnel_id": 7509, "name": "Signup funnel"}]"""),
            ("/api/query/funnels", """
            {"meta": {"dates": ["2016-09-12"]},
             "data": {"2016-09-12": {
               "steps": [
                 {"count": 32688, "avg_time": null, "avg_time_from_start": null, "step_conv_ratio": 1,
                  "overall_conv_ratio": 1, "goal": "App Open", "event": "App Open"},
                 {"count": 20524, "avg_time": 133, "avg_time_from_start": 133, "step_conv_ratio": 0.627875673029858,
                  "overall_conv_ratio": 0.627875673029858, "goal": "$custom_event:12345", "event": "$custom_event:12345",
                  "step_label": "Game Played", "custom_event": true, "custom_event_id": 12345}],
               "analysis": {"completion": 20524, "starting_amount": 32688, "steps": 2, "worst": 1}}}}
            """));
        await using var _ = ws;
        using var __ = server;

        var result = await ws.Query.FunnelAsync(new SavedFunnelQuery(7509, new(2016, 9, 12), new(2016, 9, 18)));

        Assert.That(result.Name, Is.EqualTo("Signup funnel"));
        Assert.That(result.Funnel.Steps, Is.EqualTo(new[] { "App Open", "Game Played" }));
        Assert.That(result.Overall.Steps[1].StepConversion, Is.EqualTo(0.627875673029858));
        Assert.That(result.Overall.Steps[1].AverageSecondsFromPrevious, Is.EqualTo(133));
        Assert.That(result.Overall.WorstStep, Is.EqualTo(1));
    }

    [Test]
    public async Task SavedReportAsync_WithoutMeta_IsRead()
    {
        var (ws, server) = Create(("/api/query/insights", """
            {"computed_at": "2025-12-08T22:48:12.977017+00:00",
             "date_range": {"from_date": "2020-08-31T00:00:00-07:00", "to_date": "2020-09-12T23:59:59.999000-07:00"},
             "headers": ["$event"],
             "series": {"Logged in": {"2020-08-31T00:00:00-07:00": 9852, "2020-09-07T00:00:00-07:00": 4325},
                        "Viewed page": {"2020-08-31T00:00:00-07:00": 10246, "2020-09-07T00:00:00-07:00": 11432}}}
            """));
        await using var _ = ws;
        using var __ = server;

        var result = await ws.Query.SavedReportAsync(new SavedReportQuery(63877017));

        Assert.That(result.Meta, Is.Null);
        Assert.That(result.SegmentLimitHit, Is.False);
        Assert.That(result.FromDate, Is.EqualTo(new DateTimeOffset(2020, 8, 31, 0, 0, 0, TimeSpan.FromHours(-7))));
        Assert.That(result.Values, Has.Count.EqualTo(4));
        Assert.That(result.Values.Where(v => v.Path[0] == "Viewed page").Sum(v => v.Value), Is.EqualTo(21678));
    }

    [Test]
    public async Task FrequencyAsync_PeriodsWithoutDataWrapper_AreReadToo()
    {
        var (ws, server) = Create(("/api/query/retention/addiction", """
            {"2012-01-02": [495, 204, 117], "2012-01-01": [305, 107, 60]}
            """));
        await using var _ = ws;
        using var __ = server;

        var result = await ws.Query.FrequencyAsync(new FrequencyQuery(new(2012, 1, 1), new(2012, 1, 2)) { AddictionUnit = TimeUnit.Hour });

        Assert.That(result.Periods.Select(p => p.Date), Is.EqualTo(new[] { "2012-01-01", "2012-01-02" }));
        Assert.That(result.Periods[1].Counts, Is.EqualTo(new long[] { 495, 204, 117 }));
        Assert.That(MixpanelWire.Query(server.Requests[^1])["unit"], Is.EqualTo("day"));
        Assert.That(MixpanelWire.Query(server.Requests[^1])["addiction_unit"], Is.EqualTo("hour"));
    }

    [Test]
    public async Task RetentionAsync_SavedReportStyleKeys_AreReadAsDays()
    {
        var (ws, server) = Create(("/api/query/retention", """
            {"2024-03-19T00:00:00": {"counts": [9, 7, 6], "first": 10}, "2024-03-18T00:00:00": {"counts": [2, 1, 2], "first": 2}}
            """));
        await using var _ = ws;
        using var __ = server;

        var result = await ws.Query.RetentionAsync(new RetentionQuery(new(2024, 3, 18), new(2024, 3, 19)) { BornEvent = "Signup", IntervalCount = 2 });

        Assert.That(result.Overall.Cohorts.Select(c => (c.Date, c.First)), Is.EqualTo(new[] { ("2024-03-18", 2L), ("2024-03-19", 10L) }));
        Assert.That(MixpanelWire.Query(server.Requests[^1])["unit"], Is.EqualTo("day"));
        Assert.That(MixpanelWire.Query(server.Requests[^1]).ContainsKey("interval"), Is.False, "never interval and unit together");
    }

    [Test]
    public async Task SegmentationAsync_EventListAtMixpanelsCap_DoesNotClaimTheEventIsUnknown()
    {
        // 5,000 names is Mixpanel's cap: the list may be incomplete, so a name missing from it proves nothing.
        var names = "[" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"Event {i}\"")) + "]";
        var (ws, server) = Create(
            ("/api/query/events/names", names),
            ("/api/query/segmentation", """{"data": {"series": ["2026-03-02"], "values": {}}, "legend_size": 0}"""));
        await using var _ = ws;
        using var __ = server;

        var result = await ws.Query.SegmentationAsync(new SegmentationQuery("Rare Event", new(2026, 3, 2), new(2026, 3, 2)));

        Assert.That(result.Segments, Is.Empty);
        Assert.That(server.Requests.Select(r => r.RequestMessage.Path), Is.EqualTo(new[] { "/api/query/segmentation", "/api/query/events/names" }));
    }

    [Test]
    public async Task SegmentationAsync_UnexpectedShape_IsAnInvalidResponse()
    {
        var (ws, server) = Create(("/api/query/segmentation", """["not", "an", "envelope"]"""));
        await using var _ = ws;
        using var __ = server;

        var ex = await Assert.ThrowsAsync<InvalidResponseException>(() => ws.Query.SegmentationAsync(new SegmentationQuery("Signed up", new(2011, 8, 5), new(2011, 8, 10))));

        Assert.That(ex!.RequestPath, Is.EqualTo("/api/query/segmentation"));
        Assert.That(ex.ResponseExcerpt, Does.Contain("envelope"));
    }
}
