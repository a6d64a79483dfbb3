using System.ComponentModel;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Queries;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools;

/// <summary>
/// Mixpanel's segmentation, funnel, retention and frequency answered from fetched tables (fetch_events first):
/// same semantics as the live queries, no Query API budget spent.
/// </summary>
[McpServerToolType]
[Toolset("analytics")]
internal sealed class LocalAnalyticsTools(WorkspaceHolder workspaces, TimeProvider time)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    [McpServerTool(Name = "local_segmentation", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Count an event per day/week/month in a fetched table, optionally broken down (on) and filtered (where), without spending Query API budget. Dates YYYY-MM-DD, UTC, inclusive; default the last 30 days.")]
    public async Task<CallToolResult> LocalSegmentation(
        [Description("Event name, e.g. Sign Up.")] string @event,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Bucket: hour, day, week or month.")] string unit = "day",
        [Description("general (events), unique (users) or average (events per user).")] string type = "general",
        [Description("Breakdown expression, e.g. properties[\"$browser\"].")] string? on = null,
        [Description("Filter expression, e.g. properties[\"plan\"] == \"pro\".")] string? where = null,
        [Description("Most segments with on (1-200).")] int limit = 20,
        [Description("Events table.")] string table = "events",
        CancellationToken cancellationToken = default)
    {
        Guard.Range(limit, 1, 200, "limit");
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var query = new SegmentationQuery(@event, from, to)
        {
            Unit = Guard.Enum(unit, TimeUnit.Day, "unit"),
            Type = Guard.Enum(type, CountType.General, "type"),
            On = on,
            Where = where,
            Limit = limit,
        };
        var result = await workspaces.Current.Analytics.SegmentationAsync(query, table, cancellationToken).ConfigureAwait(false);
        var top = string.Join(", ", result.Segments.Take(5).Select(s => $"{s.Name} {s.Total:0.##}"));
        return ToolJson.Result(result, $"{@event} {query.Type.ToWire()} by {query.Unit.ToWire()}, {from:yyyy-MM-dd}..{to:yyyy-MM-dd}: {top}{(result.SegmentLimitHit ? " (more segments exist; raise limit)" : string.Empty)}.");
    }

    [McpServerTool(Name = "local_funnel", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("A funnel over ad-hoc ordered steps in a fetched table: users entering at step 1 in the range and converting within the window. Optional breakdown (on) by the entry event's property. No Query API budget spent.")]
    public async Task<CallToolResult> LocalFunnel(
        [Description("Event names in order, at least two.")] string[] steps,
        [Description("First entry day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last entry day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Conversion window in days (1-90).")] int window_days = 14,
        [Description("Breakdown expression on the entry event, e.g. properties[\"platform\"].")] string? on = null,
        [Description("Filter on every step's events.")] string? where = null,
        [Description("Events table.")] string table = "events",
        CancellationToken cancellationToken = default)
    {
        Guard.Range(window_days, 1, 90, "window_days");
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await workspaces.Current.Analytics.FunnelAsync(
            new FunnelQuery(steps, from, to) { WindowLength = window_days, On = on, Where = where, Limit = 50 }, table, cancellationToken).ConfigureAwait(false);
        var overall = result.Overall;
        var worst = overall.WorstStep;
        var text = $"{string.Join(" → ", steps)}: {overall.Entered} entered, {overall.Completed} completed ({overall.ConversionRate:P1}); weakest step {worst + 1} ({steps[worst]}) at {overall.Steps[worst].StepConversion:P1}.";
        return ToolJson.Result(new { result.Steps, result.FromDate, result.ToDate, overall = result.Overall, segments = result.Segments, result.SegmentLimitHit }, text);
    }

    [McpServerTool(Name = "local_retention", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Cohort retention in a fetched table: users first doing born_event, and how many did event (any event when omitted) in each later day/week/month. No Query API budget spent.")]
    public async Task<CallToolResult> LocalRetention(
        [Description("The event that starts a cohort, e.g. Sign Up.")] string born_event,
        [Description("The returning event; omit for any event.")] string? @event = null,
        [Description("First cohort day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last cohort day, YYYY-MM-DD.")] string? to_date = null,
        [Description("day, week or month.")] string unit = "day",
        [Description("Buckets after the first (1-90).")] int interval_count = 14,
        [Description("Breakdown expression on the born event, e.g. properties[\"utm_source\"].")] string? on = null,
        [Description("Events table.")] string table = "events",
        CancellationToken cancellationToken = default)
    {
        Guard.Range(interval_count, 1, 90, "interval_count");
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var query = new RetentionQuery(from, to) { BornEvent = born_event, Event = @event, Unit = Guard.Enum(unit, TimeUnit.Day, "unit"), IntervalCount = interval_count, On = on, Limit = 20 };
        var result = await workspaces.Current.Analytics.RetentionAsync(query, table, cancellationToken).ConfigureAwait(false);
        var rates = result.Overall.WeightedRates(interval_count + 1);
        var text = $"Retention after {born_event}: {string.Join(", ", new[] { 1, 7, 30 }.Where(i => i < rates.Count).Select(i => $"{unit} {i} {rates[i]:P1}"))} ({result.Overall.Cohorts.Sum(c => c.First)} users in {result.Overall.Cohorts.Count} cohorts).";
        return ToolJson.Result(new { overall = result.Overall, weighted_rates = rates, segments = result.Segments.Select(s => new { s.Segment, users = s.Cohorts.Sum(c => c.First), weighted_rates = s.WeightedRates(interval_count + 1) }) }, text);
    }

    [McpServerTool(Name = "local_frequency", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("How habitual an event is, from a fetched table: per period, how many users did it on at least 1, 2, 3… distinct days (or hours). No Query API budget spent.")]
    public async Task<CallToolResult> LocalFrequency(
        [Description("Event name; omit for any event.")] string? @event = null,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Period: day, week or month.")] string unit = "week",
        [Description("Counted within the period: hour or day.")] string addiction_unit = "day",
        [Description("Events table.")] string table = "events",
        CancellationToken cancellationToken = default)
    {
        var (from, to) = Guard.Range(from_date, to_date, Today);
        var result = await workspaces.Current.Analytics.FrequencyAsync(
            new FrequencyQuery(from, to) { Event = @event, Unit = Guard.Enum(unit, TimeUnit.Week, "unit"), AddictionUnit = Guard.Enum(addiction_unit, TimeUnit.Day, "addiction_unit") }, table, cancellationToken).ConfigureAwait(false);
        return ToolJson.Result(result, $"{result.Periods.Count} period(s); counts[i] = users active on at least i+1 distinct {addiction_unit}s.");
    }
}
