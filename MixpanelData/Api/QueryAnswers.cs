using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixpanelData.Api;

/// <summary>One line of a <c>{"data": {"series", "values"}}</c> answer: a segment (or event) and its value per bucket key.</summary>
internal sealed record SeriesLine(string Name, IReadOnlyDictionary<string, double> Values);

/// <summary>
/// The answer of <c>/segmentation</c>, <c>/segmentation/numeric</c>, <c>/events</c> and <c>/events/properties</c>: the
/// bucket keys Mixpanel listed or used (unsorted, as sent) and one line per key of <c>values</c>.
/// </summary>
[JsonConverter(typeof(SeriesAnswer.Converter))]
internal sealed record SeriesAnswer(IReadOnlyCollection<string> Keys, IReadOnlyList<SeriesLine> Lines)
{
    internal sealed class Converter : AnswerConverter<SeriesAnswer>
    {
        protected override SeriesAnswer Parse(JsonElement root)
        {
            var data = ApiJson.Expect(ApiJson.Property(root, "data") ?? throw new FormatException("no data object"), JsonValueKind.Object, "data");
            var keys = new HashSet<string>(StringComparer.Ordinal);
            if (ApiJson.Property(data, "series") is { ValueKind: JsonValueKind.Array } listed)
            {
                keys.UnionWith(listed.EnumerateArray().Select(ApiJson.Text));
            }

            var lines = new List<SeriesLine>();
            if (ApiJson.Property(data, "values") is { ValueKind: JsonValueKind.Object } values)
            {
                foreach (var line in values.EnumerateObject())
                {
                    var map = new Dictionary<string, double>(StringComparer.Ordinal);
                    if (line.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var point in line.Value.EnumerateObject())
                        {
                            map[point.Name] = ApiJson.Double(point.Value) ?? 0;
                        }
                    }

                    keys.UnionWith(map.Keys);
                    lines.Add(new SeriesLine(line.Name, map));
                }
            }

            return new SeriesAnswer(keys, lines);
        }
    }
}

/// <summary>The answer of <c>/segmentation/sum</c> and <c>/segmentation/average</c>: a value per bucket key.</summary>
[JsonConverter(typeof(AggregateAnswer.Converter))]
internal sealed record AggregateAnswer(IReadOnlyDictionary<string, double> Results, DateTimeOffset? ComputedAt)
{
    internal sealed class Converter : AnswerConverter<AggregateAnswer>
    {
        protected override AggregateAnswer Parse(JsonElement root)
        {
            var results = ApiJson.Expect(ApiJson.Property(root, "results") ?? throw new FormatException("no results object"), JsonValueKind.Object, "results");
            return new AggregateAnswer(results.EnumerateObject().ToDictionary(p => p.Name, p => ApiJson.Double(p.Value) ?? 0, StringComparer.Ordinal), ApiJson.Time(root, "computed_at"));
        }
    }
}

/// <summary>One step of a funnel as Mixpanel sent it; absent numbers are null.</summary>
internal sealed record FunnelStepAnswer(string? Event, long? Count, double? StepConversion, double? OverallConversion, double? AverageTime, double? AverageTimeFromStart);

/// <summary>The steps of one segment (or <c>$overall</c>) in one date bucket.</summary>
internal sealed record FunnelSegmentAnswer(string Segment, IReadOnlyList<FunnelStepAnswer> Steps);

/// <summary>One date bucket of a funnel: its overall steps (when sent) and its segments (with <c>on</c>).</summary>
internal sealed record FunnelDateAnswer(string Date, IReadOnlyList<FunnelStepAnswer>? Overall, IReadOnlyList<FunnelSegmentAnswer> Segments);

/// <summary>The answer of <c>/funnels</c>: the date buckets as sent.</summary>
[JsonConverter(typeof(FunnelAnswer.Converter))]
internal sealed record FunnelAnswer(IReadOnlyList<FunnelDateAnswer> Dates)
{
    /// <summary>The segment name Mixpanel uses for the whole population.</summary>
    public const string Overall = "$overall";

    internal sealed class Converter : AnswerConverter<FunnelAnswer>
    {
        protected override FunnelAnswer Parse(JsonElement root)
        {
            var data = ApiJson.Expect(ApiJson.Property(root, "data") ?? throw new FormatException("no data object"), JsonValueKind.Object, "data");
            var dates = new List<FunnelDateAnswer>();
            foreach (var date in data.EnumerateObject())
            {
                ApiJson.Expect(date.Value, JsonValueKind.Object, date.Name);
                IReadOnlyList<FunnelStepAnswer>? overall = null;
                var segments = new List<FunnelSegmentAnswer>();
                if (ApiJson.Property(date.Value, "steps") is { ValueKind: JsonValueKind.Array } steps)
                {
                    overall = Steps(steps);
                }
                else
                {
                    // With "on", each date maps the segment values (and "$overall") to their steps.
                    foreach (var segment in date.Value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array))
                    {
                        if (segment.Name == Overall)
                        {
                            overall = Steps(segment.Value);
                        }
                        else
                        {
                            segments.Add(new FunnelSegmentAnswer(segment.Name, Steps(segment.Value)));
                        }
                    }
                }

                dates.Add(new FunnelDateAnswer(date.Name, overall, segments));
            }

            return new FunnelAnswer(dates);
        }

        private static List<FunnelStepAnswer> Steps(JsonElement steps) => [.. steps.EnumerateArray().Select(s =>
        {
            var eventName = ApiJson.String(s, "event") ?? ApiJson.String(s, "goal") ?? ApiJson.String(s, "step_label");
            if (eventName is not null && eventName.StartsWith("$custom_event:", StringComparison.Ordinal) && ApiJson.String(s, "step_label") is { Length: > 0 } label)
            {
                // A custom event's "event" is an id; its label is the name people know it by.
                eventName = label;
            }

            return new FunnelStepAnswer(
                eventName, ApiJson.Long(s, "count"), ApiJson.Double(s, "step_conv_ratio"), ApiJson.Double(s, "overall_conv_ratio"),
                ApiJson.Double(s, "avg_time"), ApiJson.Double(s, "avg_time_from_start"));
        })];
    }
}

/// <summary>One birth cohort of a retention answer, its date key as sent.</summary>
internal sealed record RetentionCohortAnswer(string Date, long First, IReadOnlyList<long> Counts);

/// <summary>
/// The answer of <c>/retention</c>: either one set of cohorts (<see cref="Cohorts"/>) or, with <c>on</c>, cohorts per
/// segment value (<see cref="Segments"/>, which may include <c>$overall</c>).
/// </summary>
[JsonConverter(typeof(RetentionAnswer.Converter))]
internal sealed record RetentionAnswer(IReadOnlyList<RetentionCohortAnswer>? Cohorts, IReadOnlyList<KeyValuePair<string, IReadOnlyList<RetentionCohortAnswer>>> Segments)
{
    internal sealed class Converter : AnswerConverter<RetentionAnswer>
    {
        protected override RetentionAnswer Parse(JsonElement root)
        {
            ApiJson.Expect(root, JsonValueKind.Object, "the answer");
            if (!root.EnumerateObject().Any() || root.EnumerateObject().Any(p => IsCohort(p.Value)))
            {
                return new RetentionAnswer(ReadCohorts(root), []);
            }

            // With "on" (undocumented at Mixpanel): each segment value, and "$overall", maps to its cohorts.
            return new RetentionAnswer(null, [.. root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object)
                .Select(p => new KeyValuePair<string, IReadOnlyList<RetentionCohortAnswer>>(p.Name, ReadCohorts(p.Value)))]);
        }

        private static bool IsCohort(JsonElement value) =>
            value.ValueKind == JsonValueKind.Object && (value.TryGetProperty("counts", out _) || value.TryGetProperty("first", out _));

        private static List<RetentionCohortAnswer> ReadCohorts(JsonElement cohorts) =>
        [
            .. cohorts.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Object)
                .Select(p => new RetentionCohortAnswer(
                    p.Name,
                    ApiJson.Long(p.Value, "first") ?? 0,
                    ApiJson.Property(p.Value, "counts") is { ValueKind: JsonValueKind.Array } counts ? [.. counts.EnumerateArray().Select(c => ApiJson.Long(c) ?? 0)] : [])),
        ];
    }
}

/// <summary>The answer of <c>/retention/addiction</c>: per period key (as sent), users active in at least i+1 distinct units.</summary>
[JsonConverter(typeof(FrequencyAnswer.Converter))]
internal sealed record FrequencyAnswer(IReadOnlyList<KeyValuePair<string, IReadOnlyList<long>>> Periods)
{
    internal sealed class Converter : AnswerConverter<FrequencyAnswer>
    {
        protected override FrequencyAnswer Parse(JsonElement root)
        {
            // The OpenAPI schema wraps the periods in "data"; the prose docs show them bare. Read both.
            var data = ApiJson.Property(root, "data") is { ValueKind: JsonValueKind.Object } wrapped ? wrapped : ApiJson.Expect(root, JsonValueKind.Object, "the answer");
            return new FrequencyAnswer([.. data.EnumerateObject().Select(p => new KeyValuePair<string, IReadOnlyList<long>>(
                p.Name, [.. ApiJson.Expect(p.Value, JsonValueKind.Array, p.Name).EnumerateArray().Select(c => ApiJson.Long(c) ?? 0)]))]);
        }
    }
}

/// <summary>
/// One event of an activity feed: its name, its <c>time</c> as sent (seconds, or milliseconds for <c>time_in_ms</c>;
/// numbers or numeric strings), its <c>distinct_id</c> (or <c>$distinct_id</c>) as text, and all its properties (cloned).
/// </summary>
internal sealed record ActivityItemAnswer(string? Event, double? Time, string? DistinctId, IReadOnlyDictionary<string, JsonElement> Properties)
{
    public static ActivityItemAnswer Read(JsonElement item)
    {
        var properties = ApiJson.Property(item, "properties") is { ValueKind: JsonValueKind.Object } p
            ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.Clone(), StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        return new ActivityItemAnswer(
            ApiJson.String(item, "event"),
            properties.TryGetValue("time", out var time) ? ApiJson.Double(time) : null,
            properties.TryGetValue("distinct_id", out var id) || properties.TryGetValue("$distinct_id", out id) ? ApiJson.Text(id) : null,
            properties);
    }
}

/// <summary>The answer of <c>/stream/query</c>: the events in the order sent (<c>results</c> or <c>results.events</c>).</summary>
[JsonConverter(typeof(ActivityAnswer.Converter))]
internal sealed record ActivityAnswer(IReadOnlyList<ActivityItemAnswer> Events)
{
    internal sealed class Converter : AnswerConverter<ActivityAnswer>
    {
        protected override ActivityAnswer Parse(JsonElement root)
        {
            var results = ApiJson.Property(root, "results") ?? throw new FormatException("no results");
            var events = results.ValueKind == JsonValueKind.Array ? results : ApiJson.Expect(results.GetProperty("events"), JsonValueKind.Array, "results.events");
            return new ActivityAnswer([.. events.EnumerateArray().Select(ActivityItemAnswer.Read)]);
        }
    }
}

/// <summary>The answer of <c>/insights?bookmark_id=</c>: the parts Mixpanel documents, and the whole answer.</summary>
[JsonConverter(typeof(InsightsAnswer.Converter))]
internal sealed record InsightsAnswer(
    IReadOnlyList<string> Headers, JsonElement Series, DateTimeOffset? ComputedAt, DateTimeOffset? FromDate, DateTimeOffset? ToDate, JsonElement? Meta, bool SegmentLimitHit, JsonElement Raw)
{
    internal sealed class Converter : AnswerConverter<InsightsAnswer>
    {
        protected override InsightsAnswer Parse(JsonElement root)
        {
            ApiJson.Expect(root, JsonValueKind.Object, "the answer");
            var meta = ApiJson.Property(root, "meta")?.Clone();
            var range = ApiJson.Property(root, "date_range");
            return new InsightsAnswer(
                ApiJson.Property(root, "headers") is { ValueKind: JsonValueKind.Array } headers ? [.. headers.EnumerateArray().Select(ApiJson.Text)] : [],
                ApiJson.Property(root, "series")?.Clone() ?? default,
                ApiJson.Time(root, "computed_at"),
                range is { } f ? ApiJson.Time(f, "from_date") : null,
                range is { } t ? ApiJson.Time(t, "to_date") : null,
                meta,
                meta is { } m && (ApiJson.Bool(m, "is_segmentation_limit_hit") ?? false),
                root.Clone());
        }
    }
}

/// <summary>The answer of <c>/jql</c>: the script's output values (an array is its elements, anything else one value).</summary>
[JsonConverter(typeof(JqlAnswer.Converter))]
internal sealed record JqlAnswer(IReadOnlyList<JsonElement> Values)
{
    internal sealed class Converter : AnswerConverter<JqlAnswer>
    {
        protected override JqlAnswer Parse(JsonElement root) =>
            new(root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray().Select(e => e.Clone())] : [root.Clone()]);
    }
}
