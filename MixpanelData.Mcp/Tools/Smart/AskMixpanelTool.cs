using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MixpanelData.Insights;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// <c>ask_mixpanel</c>: maps <see cref="InsightsClient.AskAsync"/>. With client sampling the client's model is lent to the
/// library as an <see cref="IInsightsModel"/> (its plan is validated there before anything runs); without it the
/// question is answered deterministically.
/// </summary>
[McpServerToolType]
[Toolset("intelligent")]
internal sealed class AskMixpanelTool(WorkspaceHolder workspaces, TimeProvider time)
{
    [McpServerTool(Name = "ask_mixpanel", ReadOnly = true, Idempotent = false, OpenWorld = true), Spends("query")]
    [Description("Answer an analytics question in plain words (totals, per day/week/month series, which X had the most/least Y, shares by a property, change against the previous period, exact distinct users, conversion between named events, retention). With client sampling the model plans allow-listed read-only queries, validated before they run; otherwise common forms are answered directly, else the closest tool calls are returned. Spends at most budget Query API calls (measured). Dates YYYY-MM-DD, default the 30 days ending yesterday.")]
    public async Task<CallToolResult> AskMixpanel(
        McpServer server,
        [Description("The question, e.g. 'How many Sign Ups last week?'.")] string question,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Most Query API calls to spend (1-30).")] int budget = 8,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(question) || question.Length > 1000)
        {
            throw new ArgumentException("question must be 1 to 1000 characters of plain text, e.g. 'How many Sign Ups last week?'.");
        }

        Guard.Range(budget, 1, 30, "budget");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var lastDay = today.AddDays(-1);
        var stated = from_date is not null || to_date is not null;
        var (from, to) = Guard.Range(from_date, to_date ?? (stated ? null : lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), today);
        var options = new AskOptions
        {
            From = stated ? from : null,
            To = stated ? to : null,
            Budget = budget,
            Today = today,
            Model = ClientLlm.Offered(server) ? new SamplingModel(server) : null,
            NoModelNote = "The client offers no sampling: the question was answered without a model.",
        };
        return Report(await workspaces.Current.Insights.AskAsync(question, options, cancellationToken).ConfigureAwait(false));
    }

    private static CallToolResult Report(InsightAnswer answer)
    {
        var node = new JsonObject
        {
            ["question"] = answer.Question,
            ["mode"] = answer.Mode,
            ["form"] = answer.Form,
            ["range"] = new JsonObject { ["from_date"] = answer.Range.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["to_date"] = answer.Range.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["label"] = answer.Range.Label },
            ["answer"] = answer.Text,
            ["answer_source"] = answer.AnswerSource,
            ["plan_source"] = answer.PlanSource,
            ["steps"] = new JsonArray([.. answer.Steps.Select(s => s.ToJson())]),
            ["rejected"] = new JsonArray([.. answer.Rejected.Select(r => new JsonObject { ["step"] = r.Index, ["op"] = r.Op, ["reason"] = r.Reason, ["suggestions"] = r.Suggestions is null ? null : new JsonArray([.. r.Suggestions.Select(x => JsonValue.Create(x))]) })]),
            ["suggested_calls"] = new JsonArray([.. answer.Suggestions.Select(s => new JsonObject { ["tool"] = s.Tool, ["arguments"] = System.Text.Json.JsonSerializer.SerializeToNode(s.Arguments, ToolJson.Options), ["why"] = s.Why })]),
            ["notes"] = new JsonArray([.. answer.Notes.Select(n => JsonValue.Create(n))]),
            ["budget"] = System.Text.Json.JsonSerializer.SerializeToNode(answer.Spend, ToolJson.Options),
        };
        var text = new StringBuilder(answer.Text);
        if (answer.Rejected.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nRejected (not run): {string.Join("; ", answer.Rejected.Select(r => $"{r.Op} — {r.Reason}"))}.");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nQuery API calls: {answer.Spend.Spent} of a budget of {answer.Spend.Limit}.");
        return ToolJson.Result(node, text.ToString());
    }
}
