using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Insights;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary><c>cohort_comparison</c>: maps <see cref="InsightsClient.CompareCohortsAsync"/>.</summary>
[McpServerToolType]
[Toolset("composed")]
internal sealed class CohortComparisonTool(WorkspaceHolder workspaces, TimeProvider time)
{
    private const int DefaultDays = 60;

    [McpServerTool(Name = "cohort_comparison", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Compare two cohorts — saved cohorts by id or name (list_cohorts) or user-property expressions like user[\"utm_source\"] == \"referral\" — on D1/D7/D30 retention after sign-up (z-tests with sample sizes), weekly activity and event volume per member, counted exactly from each cohort's Engage members joined to the export of the range's events. Budget: at most 4 Query API calls (cohort list, one Engage read per cohort, event list unless cached; the export is not a Query API call). Dates YYYY-MM-DD, default the 60 days ending yesterday.")]
    public async Task<CallToolResult> CohortComparisonAsync(
        [Description("Cohort A: a saved cohort's id or name, or a user-property expression.")] string cohort_a,
        [Description("Cohort B: a saved cohort's id or name, or a user-property expression.")] string cohort_b,
        [Description("First day (sign-up cohorts and activity), YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Most Query API calls to spend (3-40).")] int budget = 20,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(budget, 3, 40, "budget");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var end = Guard.Date(to_date, today.AddDays(-1), "to_date");
        var (from, to) = Guard.Range(from_date ?? end.AddDays(1 - DefaultDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today);
        var r = await workspaces.Current.Insights.CompareCohortsAsync(new CohortComparisonRequest(cohort_a, cohort_b, from, to) { Budget = budget }, cancellationToken).ConfigureAwait(false);
        var node = new JsonObject
        {
            ["cohorts"] = new JsonArray(Shape(r.A), Shape(r.B)),
            ["from_date"] = Day(r.From),
            ["to_date"] = Day(r.To),
            ["born_event"] = r.BornEvent,
            ["retention"] = new JsonArray([.. r.Retention.Select(x => new JsonObject
            {
                ["day"] = x.Day,
                ["a"] = Rate(x.A),
                ["b"] = Rate(x.B),
                ["z"] = x.Test.Z is { } z ? Math.Round(z, 3) : null,
                ["p_value"] = x.Test.PValue is { } p ? Math.Round(p, 6) : null,
                ["significant"] = x.Test.Significant,
                ["not_testable"] = x.Test.NotTestable,
            })]),
            ["activity"] = r.Activity is null ? null : JsonSerializer.SerializeToNode(r.Activity, ToolJson.Options),
            ["events_per_member"] = JsonSerializer.SerializeToNode(r.EventsPerMember, ToolJson.Options),
            ["findings"] = new JsonArray([.. r.Findings.Select(f => JsonValue.Create(f))]),
            ["unanswered"] = new JsonArray([.. r.Unanswered.Select(u => new JsonObject { ["what"] = u.What, ["reason"] = u.Reason })]),
            ["event_source"] = r.EventSource,
            ["budget"] = JsonSerializer.SerializeToNode(r.Spend, ToolJson.Options),
        };
        return ToolJson.Result(node, r.Summary);
    }

    private static JsonObject Shape(ComparedCohort c) => new()
    {
        ["label"] = c.Label,
        ["given"] = c.Given,
        ["saved_cohort_id"] = c.Id,
        ["members"] = c.Members,
        ["filter"] = c.Filter,
        ["membership"] = c.Membership,
        ["problem"] = c.Problem,
    };

    private static JsonObject Rate(BucketRate rate) => new() { ["rate"] = rate.Rate is { } r ? Math.Round(r, 4) : null, ["returned"] = rate.Returned, ["users"] = rate.Users };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
