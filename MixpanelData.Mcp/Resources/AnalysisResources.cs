using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Mcp.Tools;
using MixpanelData.Queries;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Resources;

/// <summary>
/// Ready-made live analyses addressed by URI. Each read spends Query API budget (one request, plus the event-name
/// check when it is not cached), so they belong to the <c>live</c> toolset and are cached for five minutes.
/// Days are whole UTC days ending yesterday, the last complete day; a user's journey runs to today.
/// </summary>
[McpServerResourceType]
[Toolset("live")]
internal sealed class AnalysisResources(WorkspaceHolder workspaces, ServerSettings settings, TimeProvider time)
{
    public const int MaxTrendDays = 90;
    public const int RetentionWeeks = 12;
    public const int JourneyDays = 90;
    public const int JourneyEvents = 200;

    private QueryClient Query => workspaces.Current.Query;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    [McpServerResource(UriTemplate = "analysis://trends/{event}/{days}", Name = "event_trend", Title = "Daily trend of an event", MimeType = ResourceJson.MimeType), Cacheable]
    [Description("Daily counts of an event over the last {days} complete UTC days (1-90, ending yesterday), with the total and the change against the previous period of the same length. 1 Query API call. Cached 5 min.")]
    public async Task<ResourceContents> Trend(RequestContext<ReadResourceRequestParams> request, string @event, string days, CancellationToken cancellationToken)
    {
        var name = EventName(@event);
        var span = Days(days);
        var to = Today.AddDays(-1);
        var from = to.AddDays(1 - span);
        var previousFrom = from.AddDays(-span);

        // One request covers both periods; each day is its own bucket, so the split is exact.
        var result = await Query.SegmentationAsync(new SegmentationQuery(name, previousFrom, to) { Unit = TimeUnit.Day }, cancellationToken).ConfigureAwait(false);
        var values = result.Segments.FirstOrDefault()?.Values ?? [];
        var byDay = result.Series.Zip(values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        double At(int day) => byDay.GetValueOrDefault(Day(previousFrom.AddDays(day))); // day 0 = previousFrom
        var previousTotal = Enumerable.Range(0, span).Sum(At);
        var total = Enumerable.Range(span, span).Sum(At);
        var rows = Enumerable.Range(span, span).Select(i => (object?)new { date = Day(previousFrom.AddDays(i)), count = At(i) }).ToList();

        var node = new JsonObject
        {
            ["event"] = name,
            ["days"] = span,
            ["from_date"] = Day(from),
            ["to_date"] = Day(to),
            ["unit"] = "day",
            ["total"] = total,
            ["previous"] = new JsonObject { ["from_date"] = Day(previousFrom), ["to_date"] = Day(from.AddDays(-1)), ["total"] = previousTotal },
            ["change"] = total - previousTotal,
            ["change_percent"] = previousTotal == 0 ? null : Math.Round(100 * (total - previousTotal) / previousTotal, 1),
        };
        var listed = ResourceJson.AddRows(new JsonObject(), "series", rows, settings.ResponseBudgetBytes - Size(node), "Ask for fewer days.");
        node["series"] = listed["series"]!.DeepClone();
        node["truncated"] = listed["truncated"]!.DeepClone();
        if (listed["hint"] is { } hint)
        {
            node["hint"] = hint.DeepClone();
        }

        return ResourceJson.Contents(request.Params!.Uri, node);
    }

    [McpServerResource(UriTemplate = "analysis://retention/{event}/weekly", Name = "weekly_retention", Title = "Weekly retention after an event", MimeType = ResourceJson.MimeType), Cacheable]
    [Description("Weekly cohorts of users who first did {event} in the last 12 weeks (ending yesterday), and the share active again (any event) 1-12 weeks later. 1 Query API call. Cached 5 min.")]
    public async Task<ResourceContents> Retention(RequestContext<ReadResourceRequestParams> request, string @event, CancellationToken cancellationToken)
    {
        var name = EventName(@event);
        var to = Today.AddDays(-1);
        var from = to.AddDays(1 - (7 * RetentionWeeks));
        var result = await Query.RetentionAsync(new RetentionQuery(from, to) { BornEvent = name, Unit = TimeUnit.Week, IntervalCount = RetentionWeeks }, cancellationToken).ConfigureAwait(false);
        var weighted = result.Overall.WeightedRates(RetentionWeeks + 1);
        var node = new JsonObject
        {
            ["born_event"] = name,
            ["returning_event"] = "any event",
            ["from_date"] = Day(from),
            ["to_date"] = Day(to),
            ["unit"] = "week",
            ["users"] = result.Overall.Cohorts.Sum(c => c.First),
            ["weighted_rates"] = new JsonArray([.. weighted.Select(r => (JsonNode?)JsonValue.Create(Math.Round(r, 4)))]),
            ["note"] = "weighted_rates[n] = share of all cohort users active again n weeks after their first week (week 0 = the first week); recent cohorts have had fewer weeks to return.",
        };
        var cohorts = result.Overall.Cohorts.Select(c => (object?)new { date = c.Date, users = c.First, counts = c.Counts, rates = c.Rates.Select(r => Math.Round(r, 4)) }).ToList();
        var listed = ResourceJson.AddRows(new JsonObject(), "cohorts", cohorts, settings.ResponseBudgetBytes - Size(node), "Use the retention tool for a shorter range.");
        foreach (var (key, value) in listed.ToList())
        {
            node[key == "total" ? "cohort_count" : key] = value?.DeepClone();
        }

        return ResourceJson.Contents(request.Params!.Uri, node);
    }

    [McpServerResource(UriTemplate = "users://{id}/journey", Name = "user_journey", Title = "A user's recent events", MimeType = ResourceJson.MimeType), Cacheable]
    [Description("A user's (distinct_id) latest events of the last 90 days, newest first (at most 200, fewer if they exceed the response budget), with a count per event. 1 Query API call. Cached 5 min.")]
    public async Task<ResourceContents> Journey(RequestContext<ReadResourceRequestParams> request, string id, CancellationToken cancellationToken)
    {
        var user = Unescape(id).Trim();
        if (user.Length == 0)
        {
            throw new ArgumentException("The user id is empty: write users://<distinct_id>/journey, e.g. with a distinct_id from stream_events or sql.");
        }

        var to = Today;
        var from = to.AddDays(1 - JourneyDays);
        var feed = await Query.ActivityFeedAsync(new ActivityFeedQuery([user], from, to) { Limit = JourneyEvents }, cancellationToken).ConfigureAwait(false);
        var newestFirst = feed.Events.Reverse().ToList();
        var node = new JsonObject
        {
            ["distinct_id"] = user,
            ["from_date"] = Day(from),
            ["to_date"] = Day(to),
            ["events_in_range"] = feed.Total,
            ["event_counts"] = new JsonObject([.. newestFirst.GroupBy(e => e.Event, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)JsonValue.Create(g.Count())))]),
        };
        if (feed.Total == 0)
        {
            node["note"] = $"No events for distinct_id '{user}' in {Day(from)}..{Day(to)}. Check the id: ids look like those in stream_events or sql over a fetched table.";
        }

        var rows = newestFirst.Select(e => (object?)new { time = e.Time, @event = e.Event, properties = e.Properties }).ToList();
        var listed = ResourceJson.AddRows(new JsonObject(), "events", rows, settings.ResponseBudgetBytes - Size(node), "The newest events are kept; for the full history use activity_feed with a shorter date range, or fetch_events then sql.");
        node["events"] = listed["events"]!.DeepClone();
        node["returned"] = ((JsonArray)node["events"]!).Count;
        node["truncated"] = listed["truncated"]!.GetValue<bool>() || feed.Truncated || feed.Total > rows.Count;
        if (listed["hint"] is { } hint)
        {
            node["hint"] = hint.DeepClone();
        }
        else if (feed.Total > rows.Count)
        {
            node["hint"] = $"Only the newest {rows.Count} of {feed.Total} events are listed; for older ones use activity_feed with an earlier to_date.";
        }

        return ResourceJson.Contents(request.Params!.Uri, node);
    }

    private static string EventName(string text)
    {
        var name = Unescape(text).Trim();
        return name.Length > 0 ? name : throw new ArgumentException("The event name is empty: put an event name in the URI, e.g. analysis://trends/Sign%20Up/30 (names from schema://events).");
    }

    private static int Days(string text)
    {
        var value = Unescape(text).Trim();
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days < 1 || days > MaxTrendDays)
        {
            throw new ArgumentException($"days must be a whole number from 1 to {MaxTrendDays}, not '{value}': e.g. analysis://trends/Sign%20Up/30.");
        }

        return days;
    }

    // URI template variables arrive as written in the URI; names with spaces must be percent-encoded there.
    private static string Unescape(string text) => text.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(text) : text;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static int Size(JsonNode node) => System.Text.Encoding.UTF8.GetByteCount(node.ToJsonString(ToolJson.Options));
}
