using System.Globalization;
using System.Net;
using MixpanelData.Analytics;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Emulation;

/// <summary><c>/stream/query</c>, <c>/insights</c> (saved reports) and <c>/jql</c>.</summary>
internal sealed class ReportEndpoints(EmulatorContext context)
{
    private const int StreamCap = 100_000;

    public async Task<HttpResponseMessage> StreamAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var ids = request.StringArray("distinct_ids") ?? throw new EmulatorError(HttpStatusCode.BadRequest, "distinct_ids is a required parameter");
        var (from, to) = context.Range(request);
        var table = new EngineTable(context.Project.Store, context.Project.EventsTable);
        var parameters = new SqlParameters();
        var idList = ids.Count == 0 ? "NULL" : string.Join(", ", ids.Select(parameters.Add));
        var fromSql = parameters.Add(TimeBuckets.Midnight(from));
        var toSql = parameters.Add(TimeBuckets.Midnight(to.AddDays(1)));
        var rows = await table.QueryAsync(
            $"""
            SELECT event_name, CAST(properties AS VARCHAR) FROM {table.Sql}
            WHERE distinct_id IN ({idList}) AND event_time >= CAST({fromSql} AS TIMESTAMP) AND event_time < CAST({toSql} AS TIMESTAMP)
            ORDER BY event_time, insert_id LIMIT {StreamCap}
            """,
            parameters,
            cancellationToken).ConfigureAwait(false);
        var response = EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            w.WriteStartObject("results");
            w.WriteStartArray("events");
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("event", (string)row[0]!);
                w.WritePropertyName("properties");
                EmulatorJson.WriteRaw(w, (string?)row[1]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        });
        response.Headers.TryAddWithoutValidation("Deprecation", "true");
        return response;
    }

    public async Task<HttpResponseMessage> InsightsAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var idText = request.Required("bookmark_id");
        var report = long.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
            ? context.Project.Reports.FirstOrDefault(r => r.Id == id)
            : null;
        if (report is null)
        {
            throw new EmulatorError(HttpStatusCode.NotFound, $"Bookmark {idText} not found");
        }

        var to = context.Today.AddDays(-1);
        var from = to.AddDays(-(report.LastDays - 1));
        var computedAt = context.Options.TimeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
        switch (report.Type)
        {
            case "funnels":
                {
                    var funnel = context.Project.Funnels.First(f => f.Id == report.FunnelId);
                    var result = await context.Analytics.FunnelAsync(new FunnelQuery(funnel.Steps, from, to) { WindowLength = funnel.Window.Length, WindowUnit = funnel.Window.Unit, StepFilters = funnel.StepFilters, StepLabels = funnel.StepLabels }, context.Project.EventsTable, cancellationToken).ConfigureAwait(false);
                    return Insights(computedAt, from, to, ["$funnel_step"], report, w =>
                    {
                        for (var i = 0; i < result.Overall.Steps.Count; i++)
                        {
                            var step = result.Overall.Steps[i];
                            w.WriteStartObject($"{i + 1}. {step.Label ?? step.Event}");
                            w.WriteNumber("all", step.Count);
                            w.WriteEndObject();
                        }
                    });
                }

            case "retention":
                {
                    var result = await context.Analytics.RetentionAsync(
                        new RetentionQuery(from, to) { BornEvent = report.BornEvent, Event = report.ReturnEvent, Unit = report.Unit, IntervalCount = report.Unit == TimeUnit.Week ? 8 : 30 },
                        context.Project.EventsTable,
                        cancellationToken).ConfigureAwait(false);
                    return Insights(computedAt, from, to, ["$retention", "segment"], report, w =>
                    {
                        w.WriteStartObject(FunnelSteps.Overall);
                        foreach (var cohort in result.Overall.Cohorts)
                        {
                            w.WriteStartObject(cohort.Date + "T00:00:00");
                            w.WriteNumber("first", cohort.First);
                            w.WriteStartArray("counts");
                            foreach (var count in cohort.Counts)
                            {
                                w.WriteNumberValue(count);
                            }

                            w.WriteEndArray();
                            w.WriteStartArray("rates");
                            foreach (var rate in cohort.Rates)
                            {
                                w.WriteNumberValue(rate);
                            }

                            w.WriteEndArray();
                            w.WriteEndObject();
                        }

                        w.WriteEndObject();
                    });
                }

            default:
                {
                    var lines = new List<(string Label, SegmentationResult Result)>();
                    foreach (var eventName in report.Events)
                    {
                        var result = await context.Analytics.SegmentationAsync(new SegmentationQuery(eventName, from, to) { Type = report.Math, Unit = report.Unit, On = report.On }, context.Project.EventsTable, cancellationToken).ConfigureAwait(false);
                        lines.Add(($"{eventName} [{(report.Math == CountType.Unique ? "Unique Users" : "Total Events")}]", result));
                    }

                    string[] headers = report.On is null ? ["$metric"] : ["$metric", report.On];
                    return Insights(computedAt, from, to, headers, report, w =>
                    {
                        foreach (var (label, result) in lines)
                        {
                            w.WriteStartObject(label);
                            foreach (var line in result.Segments)
                            {
                                if (report.On is not null)
                                {
                                    w.WriteStartObject(line.Name);
                                }

                                for (var i = 0; i < result.Series.Count; i++)
                                {
                                    EmulatorJson.WriteNumber(w, Iso(result.Series[i]), line.Values[i]);
                                }

                                if (report.On is not null)
                                {
                                    w.WriteEndObject();
                                }
                            }

                            w.WriteEndObject();
                        }
                    });
                }
        }
    }

    public static HttpResponseMessage Jql(EmulatorRequest request)
    {
        request.Required("script");
        throw new EmulatorError(
            HttpStatusCode.PreconditionFailed,
            "UserVisiblePreconditionFailedError: JQL cannot run in the MixpanelData emulator, which does not execute JavaScript. JQL is in maintenance mode at Mixpanel; use segmentation, funnels or retention instead.");
    }

    private static HttpResponseMessage Insights(string computedAt, DateOnly from, DateOnly to, string[] headers, SavedReport report, Action<System.Text.Json.Utf8JsonWriter> writeSeries) => EmulatorJson.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("computed_at", computedAt);
        w.WriteStartObject("date_range");
        w.WriteString("from_date", Iso(TimeBuckets.Format(from)));
        w.WriteString("to_date", TimeBuckets.Format(to) + "T23:59:59.999000+00:00");
        w.WriteEndObject();
        w.WriteStartArray("headers");
        foreach (var header in headers)
        {
            w.WriteStringValue(header);
        }

        w.WriteEndArray();
        w.WriteStartObject("meta");
        w.WriteBoolean("is_segmentation_limit_hit", false);
        w.WriteNumber("min_sampling_factor", 1.0);
        w.WriteString("report_name", report.Name);
        w.WriteNumber("sub_query_count", Math.Max(1, report.Events.Count));
        w.WriteEndObject();
        w.WriteStartObject("series");
        writeSeries(w);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static string Iso(string day) => day.Length == 10 ? day + "T00:00:00+00:00" : day;
}
