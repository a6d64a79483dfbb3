using System.ComponentModel;
using System.Text.Json.Nodes;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Queries;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools;

/// <summary>Live queries to Mixpanel's Query API. Each call spends one of the project's 60 queries an hour.</summary>
[McpServerToolType]
[Toolset("live")]
internal sealed class LiveQueryTools(WorkspaceHolder workspaces, ServerSettings settings, TimeProvider time)
{
    private QueryClient Query => workspaces.Current.Query;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    [McpServerTool(Name = "segmentation", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Count an event over time from Mixpanel, optionally broken down (on) and filtered (where). 1 Query API call. Dates YYYY-MM-DD UTC inclusive, default the last 30 days.")]
    public async Task<CallToolResult> Segmentation(
        [Description("Event name.")] string @event,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("minute, hour, day, week or month.")] string unit = "day",
        [Description("general (events), unique (users) or average.")] string type = "general",
        [Description("Breakdown expression, e.g. properties[\"$browser\"].")] string? on = null,
        [Description("Filter expression.")] string? where = null,
        [Description("Most segments with on (1-200).")] int limit = 20,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 200, "limit");
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await Query.SegmentationAsync(new SegmentationQuery(@event, from, to) { Unit = Guard.Enum(unit, TimeUnit.Day, "unit"), Type = Guard.Enum(type, CountType.General, "type"), On = on, Where = where, Limit = limit }, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, $"{@event} {from:yyyy-MM-dd}..{to:yyyy-MM-dd}: {string.Join(", ", result.Segments.Take(8).Select(s => $"{s.Name} {s.Total:N0}"))}{(result.SegmentLimitHit ? " (more segments exist)" : string.Empty)}.");
    }

    [McpServerTool(Name = "funnel", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("A saved funnel's conversion (funnel_id from list_funnels) over a date range, optionally broken down (on) — every segment is kept. 1 Query API call (plus 1 for the name if not cached).")]
    public async Task<CallToolResult> Funnel(
        [Description("Saved funnel id.")] long funnel_id,
        [Description("First entry day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last entry day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Breakdown expression, e.g. properties[\"platform\"].")] string? on = null,
        [Description("Filter expression.")] string? where = null,
        CancellationToken cancellationToken = default)
    {
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await Query.FunnelAsync(new SavedFunnelQuery(funnel_id, from, to) { On = on, Where = where, Limit = 50 }, cancellationToken).ConfigureAwait(false);
        var overall = result.Overall;
        var worst = overall.WorstStep;
        return ToolJson.Result(new { result.FunnelId, result.Name, overall, segments = result.Segments },
            $"{result.Name ?? $"Funnel {funnel_id}"}: {overall.Entered:N0} entered, {overall.Completed:N0} completed ({overall.ConversionRate:P1}); weakest step {worst + 1} ({overall.Steps[worst].Event}) at {overall.Steps[worst].StepConversion:P1}.");
    }

    [McpServerTool(Name = "retention", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Cohort retention from Mixpanel: users first doing born_event and how many return (event, or any) each day/week/month after. 1 Query API call.")]
    public async Task<CallToolResult> Retention(
        [Description("Event starting a cohort, e.g. Sign Up.")] string born_event,
        [Description("Returning event; omit for any.")] string? @event = null,
        [Description("First cohort day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last cohort day, YYYY-MM-DD.")] string? to_date = null,
        [Description("day, week or month.")] string unit = "day",
        [Description("Buckets after the first (1-90).")] int interval_count = 14,
        [Description("Breakdown expression.")] string? on = null,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(interval_count, 1, 90, "interval_count");
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await Query.RetentionAsync(new RetentionQuery(from, to) { BornEvent = born_event, Event = @event, Unit = Guard.Enum(unit, TimeUnit.Day, "unit"), IntervalCount = interval_count, On = on }, cancellationToken).ConfigureAwait(false);
        var rates = result.Overall.WeightedRates(interval_count + 1);
        return ToolJson.Result(new { overall = result.Overall, weighted_rates = rates, segments = result.Segments },
            $"Retention after {born_event}: {string.Join(", ", new[] { 1, 7, 30 }.Where(i => i < rates.Count).Select(i => $"{unit} {i} {rates[i]:P1}"))}.");
    }

    [McpServerTool(Name = "frequency", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("How habitual an event is, from Mixpanel: per period, users doing it on at least 1, 2, 3… distinct days (or hours). 1 Query API call.")]
    public async Task<CallToolResult> Frequency(
        [Description("Event name; omit for any.")] string? @event = null,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Period: day, week or month.")] string unit = "week",
        [Description("Counted within the period: hour or day.")] string addiction_unit = "day",
        CancellationToken cancellationToken = default)
    {
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await Query.FrequencyAsync(new FrequencyQuery(from, to) { Event = @event, Unit = Guard.Enum(unit, TimeUnit.Week, "unit"), AddictionUnit = Guard.Enum(addiction_unit, TimeUnit.Day, "addiction_unit") }, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, $"{result.Periods.Count} period(s); counts[i] = users active on at least i+1 distinct {addiction_unit}s.");
    }

    [McpServerTool(Name = "event_counts", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Counts of several events side by side over time. 1 Query API call.")]
    public async Task<CallToolResult> EventCounts(
        [Description("Event names.")] string[] events,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("general or unique.")] string type = "general",
        [Description("hour, day, week or month.")] string unit = "day",
        CancellationToken cancellationToken = default)
    {
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await Query.EventCountsAsync(new EventCountsQuery(events, from, to) { Type = Guard.Enum(type, CountType.General, "type"), Unit = Guard.Enum(unit, TimeUnit.Day, "unit") }, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, string.Join(", ", result.Segments.Select(s => $"{s.Name} {s.Total:N0}")) + ".");
    }

    [McpServerTool(Name = "property_counts", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("An event's counts over time per value of one property (e.g. Sign Up per utm_source). 1 Query API call.")]
    public async Task<CallToolResult> PropertyCounts(
        [Description("Event name.")] string @event,
        [Description("Property name, e.g. utm_source.")] string property,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("general or unique.")] string type = "general",
        [Description("day, week or month.")] string unit = "day",
        [Description("Most values (1-200).")] int limit = 20,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 200, "limit");
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await Query.PropertyCountsAsync(new PropertyCountsQuery(@event, property, from, to) { Type = Guard.Enum(type, CountType.General, "type"), Unit = Guard.Enum(unit, TimeUnit.Day, "unit"), Limit = limit }, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, $"{@event} by {property}: {string.Join(", ", result.Segments.Take(10).Select(s => $"{s.Name} {s.Total:N0}"))}.");
    }

    [McpServerTool(Name = "activity_feed", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("The events of specific users (distinct ids) in a date range, oldest first, at most limit (1-500). 1 Query API call. Maintenance mode at Mixpanel.")]
    public async Task<CallToolResult> ActivityFeed(
        [Description("User distinct ids (1-20).")] string[] distinct_ids,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Most events (1-500).")] int limit = 100,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 500, "limit");
        if (distinct_ids.Length is 0 or > 20)
        {
            throw new ArgumentException("distinct_ids needs 1 to 20 ids.");
        }

        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await Query.ActivityFeedAsync(new ActivityFeedQuery(distinct_ids, from, to) { Limit = limit }, cancellationToken).ConfigureAwait(false);
        var (rows, cut) = ToolJson.Fit(result.Events, settings.ResponseBudgetBytes);
        return ToolJson.Result(new JsonObject { ["events"] = rows, ["returned"] = rows.Count, ["total"] = result.Total, ["truncated"] = result.Truncated || cut, ["hint"] = result.Truncated || cut ? "More events exist: narrow the date range or lower the number of users." : null },
            $"{rows.Count} of {result.Total} event(s).");
    }

    [McpServerTool(Name = "jql", ReadOnly = true, Idempotent = false, OpenWorld = true), Spends("query")]
    [Description("Run a JQL script (must define main()). JQL is in maintenance mode at Mixpanel and may be unavailable; prefer segmentation/funnel/retention or fetch_events + sql. 1 Query API call.")]
    public async Task<CallToolResult> Jql([Description("JQL script.")] string script, CancellationToken cancellationToken = default)
    {
        var result = await Query.JqlAsync(new JqlQuery(script), cancellationToken).ConfigureAwait(false);
        var (rows, cut) = ToolJson.Fit(result.Results.Select(r => (object?)r), settings.ResponseBudgetBytes);
        return ToolJson.Result(new JsonObject { ["results"] = rows, ["truncated"] = cut }, $"{rows.Count} result row(s){(cut ? " (cut to the response budget)" : string.Empty)}.");
    }
}
