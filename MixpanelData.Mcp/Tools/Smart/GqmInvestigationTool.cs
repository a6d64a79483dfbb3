using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Insights;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary><c>gqm_investigation</c>: maps <see cref="InsightsClient.InvestigateGoalAsync"/>, lending the client's model through sampling when offered.</summary>
[McpServerToolType]
[Toolset("composed")]
internal sealed class GqmInvestigationTool(WorkspaceHolder workspaces, TimeProvider time)
{
    [McpServerTool(Name = "gqm_investigation", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Goal-Question-Metric investigation: classifies a goal (retention, activation, conversion, engagement, growth), derives 3-5 questions, maps them to the project's real events/properties and answers each with a query; says which cannot be answered and why. At most budget Query API calls (measured). Dates YYYY-MM-DD, default the 30 days ending yesterday.")]
    public async Task<CallToolResult> GqmInvestigation(
        McpServer server,
        [Description("The goal, e.g. 'improve retention of new users'.")] string goal,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Most Query API calls to spend (3-30).")] int budget = 12,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(goal) || goal.Length > 500)
        {
            throw new ArgumentException("goal must be 1 to 500 characters, e.g. 'improve retention of new users'.");
        }

        Guard.Range(budget, 3, 30, "budget");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var stated = from_date is not null || to_date is not null;
        var (from, to) = Guard.Range(from_date, to_date ?? (stated ? null : today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), today);
        var request = new GqmRequest(goal, from, to)
        {
            RangeLabel = stated ? null : "the last 30 days",
            Budget = budget,
            Today = today,
            Model = ClientLlm.Offered(server) ? new SamplingModel(server) : null,
            NoModelNote = "The client offers no sampling, so no extra questions were proposed.",
        };
        var g = await workspaces.Current.Insights.InvestigateGoalAsync(request, cancellationToken).ConfigureAwait(false);
        var node = new JsonObject
        {
            ["goal"] = g.Goal,
            ["category"] = g.Classification.Category.ToString().ToLowerInvariant(),
            ["category_words"] = new JsonArray([.. g.Classification.Matched.Select(m => JsonValue.Create(m))]),
            ["category_assumed"] = g.Classification.Assumed,
            ["roles"] = JsonSerializer.SerializeToNode(g.Roles, ToolJson.Options),
            ["from_date"] = Day(g.Range.From),
            ["to_date"] = Day(g.Range.To),
            ["retention_cohorts"] = g.Cohorts.ToString(),
            ["questions"] = new JsonArray([.. g.Findings.Select(f => new JsonObject
            {
                ["id"] = f.Id,
                ["question"] = f.Question,
                ["metric"] = f.Metric,
                ["queries"] = new JsonArray([.. f.Queries.Select(q => JsonValue.Create(q))]),
                ["status"] = f.Status,
                ["answer"] = f.Answer,
                ["numbers"] = f.Numbers?.DeepClone(),
            })]),
            ["extra_questions"] = new JsonArray([.. g.Extra.Select(e => new JsonObject
            {
                ["question"] = e.Question,
                ["source"] = e.Source,
                ["status"] = e.Status,
                ["answer"] = e.Answer,
                ["steps"] = new JsonArray([.. e.Steps.Select(o => o.ToJson())]),
                ["rejected"] = new JsonArray([.. e.Rejected.Select(r => new JsonObject { ["op"] = r.Op, ["reason"] = r.Reason })]),
            })]),
            ["unanswered"] = new JsonArray([.. g.Findings.Where(f => f.Status != "answered").Select(f => new JsonObject { ["question"] = f.Question, ["status"] = f.Status, ["reason"] = f.Answer })]),
            ["notes"] = new JsonArray([.. g.Notes.Select(n => JsonValue.Create(n))]),
            ["budget"] = JsonSerializer.SerializeToNode(g.Spend, ToolJson.Options),
        };
        return ToolJson.Result(node, g.Summary);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
