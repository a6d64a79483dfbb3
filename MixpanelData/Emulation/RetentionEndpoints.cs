using System.Net;
using System.Text.Json;
using MixpanelData.Queries;

namespace MixpanelData.Emulation;

/// <summary><c>/retention</c> and <c>/retention/addiction</c>.</summary>
internal sealed class RetentionEndpoints(EmulatorContext context)
{
    public async Task<HttpResponseMessage> RetentionAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var (from, to) = context.Range(request);
        var typeText = request.Optional("retention_type");
        var type = RetentionType.Birth;
        if (typeText is not null && !QueryNames.TryParseRetentionType(typeText, out type))
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, $"retention_type must be birth or compounded (got '{typeText}')");
        }

        if (request.Optional("interval") is not null && request.Optional("unit") is not null)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "interval and unit cannot both be given");
        }

        var bornEvent = request.Optional("born_event");
        if (type == RetentionType.Birth && bornEvent is null)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "born_event is required for birth retention");
        }

        var unit = QueryEndpoints.Unit(request, TimeUnit.Day, false, TimeUnit.Day, TimeUnit.Week, TimeUnit.Month);
        var query = new RetentionQuery(from, to)
        {
            Type = type,
            BornEvent = bornEvent,
            Event = request.Optional("event"),
            BornWhere = request.Optional("born_where"),
            Where = request.Optional("where"),
            Interval = request.Integer("interval", 1, 1, unit == TimeUnit.Day ? 90 : 10_000),
            IntervalCount = request.Integer("interval_count", 1, 1, 366),
            Unit = unit,
            Unbounded = request.Boolean("unbounded_retention", false),
            On = request.Optional("on"),
            Limit = request.Integer("limit", 60, 1, 10_000),
        };
        var result = await context.Analytics.RetentionAsync(query, context.Project.EventsTable, cancellationToken).ConfigureAwait(false);
        return EmulatorJson.Json(w =>
        {
            if (string.IsNullOrWhiteSpace(query.On))
            {
                WriteCohorts(w, null, result.Overall);
                return;
            }

            // Undocumented at Mixpanel; the emulator nests the cohorts under each segment value and "$overall".
            w.WriteStartObject();
            WriteCohorts(w, FunnelSteps.Overall, result.Overall);
            foreach (var segment in result.Segments)
            {
                WriteCohorts(w, segment.Segment, segment);
            }

            w.WriteEndObject();
        });
    }

    public async Task<HttpResponseMessage> FrequencyAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var (from, to) = context.Range(request);
        var unit = QueryEndpoints.Unit(request, TimeUnit.Day, true, TimeUnit.Day, TimeUnit.Week, TimeUnit.Month);
        var addiction = QueryEndpoints.Unit(request.Required("addiction_unit"), "addiction_unit", TimeUnit.Hour, TimeUnit.Hour, TimeUnit.Day);
        var result = await context.Analytics.FrequencyAsync(
            new FrequencyQuery(from, to) { Event = request.Optional("event"), Unit = unit, AddictionUnit = addiction, Where = request.Optional("where") },
            context.Project.EventsTable,
            cancellationToken).ConfigureAwait(false);
        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("data");
            foreach (var period in result.Periods)
            {
                w.WriteStartArray(period.Date);
                foreach (var count in period.Counts)
                {
                    w.WriteNumberValue(count);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void WriteCohorts(Utf8JsonWriter w, string? name, RetentionSegment segment)
    {
        if (name is null)
        {
            w.WriteStartObject();
        }
        else
        {
            w.WriteStartObject(name);
        }

        foreach (var cohort in segment.Cohorts)
        {
            w.WriteStartObject(cohort.Date);
            w.WriteStartArray("counts");
            foreach (var count in cohort.Counts)
            {
                w.WriteNumberValue(count);
            }

            w.WriteEndArray();
            w.WriteNumber("first", cohort.First);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
