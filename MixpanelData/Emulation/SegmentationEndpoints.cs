using System.Globalization;
using System.Text.Json;
using MixpanelData.Analytics;
using MixpanelData.Queries;

namespace MixpanelData.Emulation;

/// <summary><c>/segmentation</c>, <c>/segmentation/numeric</c>, <c>/segmentation/sum</c>, <c>/segmentation/average</c>.</summary>
internal sealed class SegmentationEndpoints(EmulatorContext context)
{
    public async Task<HttpResponseMessage> SegmentationAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var eventName = request.Required("event");
        var (from, to) = context.Range(request);
        var query = new SegmentationQuery(eventName, from, to)
        {
            Type = QueryEndpoints.Type(request),
            Unit = QueryEndpoints.Unit(request, TimeUnit.Day),
            Where = request.Optional("where"),
            On = request.Optional("on"),
            Limit = request.Integer("limit", 60, 1, 10_000),
        };

        SegmentationResult result;
        try
        {
            result = await context.Analytics.SegmentationAsync(query, context.Project.EventsTable, cancellationToken).ConfigureAwait(false);
        }
        catch (EventNotFoundException)
        {
            // Mixpanel answers an event it has never seen with empty values, not an error.
            result = new SegmentationResult(eventName, from, to, query.Unit, query.Type, query.On, TimeBuckets.Series(query.Unit, from, to), [], false);
        }

        return Envelope(result.Series, result.Segments);
    }

    public async Task<HttpResponseMessage> NumericAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var eventName = request.Required("event");
        var (from, to) = context.Range(request);
        var on = request.Required("on");
        var unit = QueryEndpoints.Unit(request, TimeUnit.Day, false, TimeUnit.Hour, TimeUnit.Day);
        var (series, ranges) = await NumericEngine.BucketsAsync(Table(), eventName, from, to, on, unit, request.Optional("where"), QueryEndpoints.Type(request), cancellationToken).ConfigureAwait(false);
        return Envelope(series, ranges);
    }

    public async Task<HttpResponseMessage> SumAsync(EmulatorRequest request, bool average, CancellationToken cancellationToken)
    {
        var eventName = request.Required("event");
        var (from, to) = context.Range(request);
        var on = request.Required("on");
        var unit = QueryEndpoints.Unit(request, TimeUnit.Day, false, TimeUnit.Hour, TimeUnit.Day);
        var values = await NumericEngine.AggregateAsync(Table(), eventName, from, to, on, unit, request.Optional("where"), average, cancellationToken).ConfigureAwait(false);
        var computedAt = context.Options.TimeProvider.GetUtcNow();
        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            if (!average)
            {
                w.WriteString("computed_at", computedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture));
            }

            w.WriteStartObject("results");
            foreach (var (bucket, value) in values)
            {
                EmulatorJson.WriteNumber(w, bucket, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>The <c>{"data": {"series", "values"}, "legend_size"}</c> envelope shared by segmentation and <c>/events</c>.</summary>
    public static HttpResponseMessage Envelope(IReadOnlyList<string> series, IReadOnlyList<SegmentSeries> lines) => EmulatorJson.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("data");
        w.WriteStartArray("series");
        foreach (var key in series)
        {
            w.WriteStringValue(key);
        }

        w.WriteEndArray();
        WriteValues(w, series, lines);
        w.WriteEndObject();
        w.WriteNumber("legend_size", lines.Count);
        w.WriteEndObject();
    });

    private static void WriteValues(Utf8JsonWriter w, IReadOnlyList<string> series, IReadOnlyList<SegmentSeries> lines)
    {
        w.WriteStartObject("values");
        foreach (var line in lines)
        {
            w.WriteStartObject(line.Name);
            for (var i = 0; i < series.Count; i++)
            {
                EmulatorJson.WriteNumber(w, series[i], line.Values[i]);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private EngineTable Table() => new(context.Project.Store, context.Project.EventsTable, context.Project.ProfilesTable);
}
