using System.Globalization;
using System.Net;
using System.Text.Json;
using MixpanelData.Queries;

namespace MixpanelData.Emulation;

/// <summary><c>/funnels</c> and <c>/funnels/list</c>.</summary>
internal sealed class FunnelEndpoints(EmulatorContext context)
{
    public HttpResponseMessage List() => EmulatorJson.Json(w =>
    {
        w.WriteStartArray();
        foreach (var funnel in context.Project.Funnels)
        {
            w.WriteStartObject();
            w.WriteNumber("funnel_id", funnel.Id);
            w.WriteString("name", funnel.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public async Task<HttpResponseMessage> FunnelAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var idText = request.Required("funnel_id");
        var funnel = long.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
            ? context.Project.Funnels.FirstOrDefault(f => f.Id == id)
            : null;
        if (funnel is null)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"Invalid funnel_id: {idText} is not a saved funnel of this project");
        }

        var (from, to) = context.Range(request);
        var lengthUnit = request.Optional("length_unit");
        var windowUnit = WindowUnit.Day;
        if (lengthUnit is not null && !QueryNames.TryParseWindowUnit(lengthUnit, out windowUnit))
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"length_unit must be one of day, hour, minute, second (got '{lengthUnit}')");
        }

        if (lengthUnit is null)
        {
            windowUnit = funnel.Window.Unit;
        }

        var length = request.Integer("length", lengthUnit is null ? funnel.Window.Length : 1, 1, int.MaxValue);
        var unitText = request.Optional("unit");
        var query = new FunnelQuery(funnel.Steps, from, to)
        {
            WindowLength = length,
            WindowUnit = windowUnit,
            StepFilters = funnel.StepFilters,
            StepLabels = funnel.StepLabels,
            Where = request.Optional("where"),
            On = request.Optional("on"),
            Limit = request.Integer("limit", 255, 1, 10_000),
            BucketUnit = unitText is null ? null : QueryEndpoints.Unit(unitText, "unit", TimeUnit.Day, TimeUnit.Day, TimeUnit.Week, TimeUnit.Month),
            BucketDays = unitText is null ? request.Integer("interval", 1, 1, 10_000) : null,
        };
        if (Analytics.FunnelEngine.WindowSeconds(query) > 90L * 86_400)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "length cannot be longer than 90 days");
        }

        var result = await context.Analytics.FunnelAsync(query, context.Project.EventsTable, cancellationToken).ConfigureAwait(false);
        var segmented = !string.IsNullOrWhiteSpace(query.On);
        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("meta");
            w.WriteStartArray("dates");
            foreach (var bucket in result.Buckets)
            {
                w.WriteStringValue(bucket.Date);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("data");
            foreach (var bucket in result.Buckets)
            {
                w.WriteStartObject(bucket.Date);
                if (segmented)
                {
                    WriteSteps(w, FunnelSteps.Overall, bucket.Overall);
                    foreach (var segment in bucket.Segments)
                    {
                        WriteSteps(w, segment.Segment, segment);
                    }
                }
                else
                {
                    WriteSteps(w, "steps", bucket.Overall);
                    w.WriteStartObject("analysis");
                    w.WriteNumber("completion", bucket.Overall.Completed);
                    w.WriteNumber("starting_amount", bucket.Overall.Entered);
                    w.WriteNumber("steps", bucket.Overall.Steps.Count);
                    w.WriteNumber("worst", bucket.Overall.WorstStep);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void WriteSteps(Utf8JsonWriter w, string name, FunnelSteps steps)
    {
        w.WriteStartArray(name);
        foreach (var step in steps.Steps)
        {
            w.WriteStartObject();
            w.WriteNumber("count", step.Count);
            WriteSeconds(w, "avg_time", step.AverageSecondsFromPrevious);
            WriteSeconds(w, "avg_time_from_start", step.AverageSecondsFromStart);
            EmulatorJson.WriteNumber(w, "step_conv_ratio", step.StepConversion);
            EmulatorJson.WriteNumber(w, "overall_conv_ratio", step.OverallConversion);
            w.WriteString("goal", step.Event);
            w.WriteString("event", step.Event);
            w.WriteString("step_label", step.Label ?? step.Event);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteSeconds(Utf8JsonWriter w, string name, double? seconds)
    {
        if (seconds is { } value)
        {
            w.WriteNumber(name, (long)Math.Round(value));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
