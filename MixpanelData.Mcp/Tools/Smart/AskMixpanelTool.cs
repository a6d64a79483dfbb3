using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MixpanelData.Discovery;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

using MixpanelData.Analytics;
using MixpanelData.Insights;
using MixpanelData.Insights.Analysis;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// <c>ask_mixpanel</c>: a question in plain words. With client sampling the client's model writes a plan over an allow-list
/// of read-only operations, which is validated before anything runs, then words the answer from the results. Without
/// sampling (or when the model declines or answers nonsense) the common question forms are answered deterministically.
/// </summary>
[McpServerToolType]
[Toolset("intelligent")]
internal sealed class AskMixpanelTool(WorkspaceHolder workspaces, TimeProvider time)
{
    private const int MaxSteps = 6;

    [McpServerTool(Name = "ask_mixpanel", ReadOnly = true, Idempotent = false, OpenWorld = true), Spends("query")]
    [Description("Answer an analytics question in plain words (counts, trends, X by Y, saved funnels, retention). With client sampling the model plans allow-listed read-only queries, validated before they run; otherwise common forms are answered directly, else the closest tool calls are returned. Spends at most budget Query API calls (measured). Dates YYYY-MM-DD, default the 30 days ending yesterday.")]
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
        var defaultRange = new DayRange(from, to, stated ? $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}" : "the last 30 days");
        var workspace = workspaces.Current;
        var queries = new QueryBudget(budget);
        var notes = new List<string>();

        var listed = await queries.RunAsync("list events (to check names)", 1, ct => workspace.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
        if (!listed.Ok)
        {
            return Report(new Answer(question, "failed", defaultRange, $"The project's events could not be listed ({listed.Error}), so the question could not be checked against real names.", "computed"), queries);
        }

        var events = listed.Value!;
        var parsed = QuestionParser.Parse(question, events, lastDay);
        if (stated)
        {
            parsed = parsed with { Range = defaultRange };
        }

        var context = new PlanContext(events, null, today, defaultRange, MaxSteps, 0);
        IReadOnlyList<RejectedStep> rejectedByModel = [];
        if (ClientLlm.Offered(server))
        {
            var (sampled, rejected) = await AskModelAsync(server, workspace, question, parsed, context, queries, notes, cancellationToken).ConfigureAwait(false);
            if (sampled is not null)
            {
                return Report(sampled, queries);
            }

            rejectedByModel = rejected;
        }
        else
        {
            notes.Add("The client offers no sampling: the question was answered without a model.");
        }

        return Report(await AnswerDirectlyAsync(workspace, parsed, events, defaultRange, lastDay, context, queries, notes, rejectedByModel, cancellationToken).ConfigureAwait(false), queries);
    }

    /// <summary>The model's plan, validated and run, and its answer; null (with the refused steps) when the question must be answered without it.</summary>
    private static async Task<(Answer? Answer, IReadOnlyList<RejectedStep> Rejected)> AskModelAsync(McpServer server, Workspace workspace, string question, ParsedQuestion parsed, PlanContext context, QueryBudget queries, List<string> notes, CancellationToken cancellationToken)
    {
        var facts = new StringBuilder();
        foreach (var e in parsed.Events.Take(2).DefaultIfEmpty(ProjectRoles.Detect(context.Events).Signup).OfType<string>())
        {
            var properties = await queries.RunAsync($"top properties of {e} (for the plan prompt)", 1, ct => workspace.Discovery.PropertiesAsync(e, 25, ct), cancellationToken).ConfigureAwait(false);
            if (properties.Ok)
            {
                facts.Append(CultureInfo.InvariantCulture, $"Top properties of {e}: {string.Join(", ", properties.Value!.Select(p => p.Name))}\n");
            }
        }

        IReadOnlyList<FunnelSummary>? funnels = null;
        if (parsed.Form == QuestionForm.Funnel)
        {
            var listed = await queries.RunAsync("saved funnels (for the plan prompt)", 1, ct => workspace.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
            funnels = listed.Value;
            if (funnels is not null)
            {
                facts.Append(CultureInfo.InvariantCulture, $"Saved funnels: {string.Join("; ", funnels.Select(f => $"{f.FunnelId} = {f.Name}"))}\n");
            }
        }

        var planBudget = Math.Max(0, queries.Limit - queries.Spent);
        var prompt = $"""
            Question: {question}
            Today (UTC): {context.Today:yyyy-MM-dd}; data is complete up to {context.Today.AddDays(-1):yyyy-MM-dd}. Default range: {context.DefaultRange.From:yyyy-MM-dd} to {context.DefaultRange.To:yyyy-MM-dd}.
            Events of this project: {string.Join(", ", context.Events.Take(300))}
            {facts}
            """;
        var system = $$$"""
            You plan read-only Mixpanel queries that answer the user's question. Reply with one JSON object and nothing else:
            {"steps": [{"op": "<operation>", "args": {<arguments>}}]}
            Allowed operations (argument?: optional):
            {{{PlanValidator.Describe()}}}
            Rules: copy event names exactly from the list; dates are YYYY-MM-DD, never after today; at most {{{Math.Min(MaxSteps, planBudget)}}} steps;
            expressions read event properties as properties["name"] and user properties as user["name"]. Any other operation is refused.
            """;
        var plan = await ClientLlm.AskAsync(server, system, prompt, 800, cancellationToken).ConfigureAwait(false);
        if (!plan.Written)
        {
            notes.Add($"No plan from the client's model: {plan.Note}");
            return (null, []);
        }

        if (!PlanParser.TryParse(plan.Text, out var steps, out var error))
        {
            notes.Add($"The client's model returned no usable plan ({error}); the question was answered without it.");
            return (null, []);
        }

        if (funnels is null && steps.Any(s => s.Op == "funnel"))
        {
            var listed = await queries.RunAsync("saved funnels (to check funnel ids)", 1, ct => workspace.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
            funnels = listed.Value;
        }

        var validated = PlanValidator.Validate(steps, context with { FunnelIds = funnels?.Select(f => f.FunnelId).ToList(), Budget = Math.Max(0, queries.Limit - queries.Spent) });
        notes.AddRange(validated.Notes);
        if (validated.Steps.Count == 0)
        {
            notes.Add("No step of the model's plan passed validation; the question was answered without it.");
            return (null, validated.Rejected);
        }

        var outcomes = await PlanRunner.RunAsync(workspace.Insights.Sources, validated.Steps, queries, cancellationToken).ConfigureAwait(false);
        var results = string.Join("\n", outcomes.Select((o, i) => $"{i + 1}. {o.Step.Purpose}: {(o.Ok ? o.Digest!.Summary : "FAILED: " + o.Error)}"));
        var refused = validated.Rejected.Count == 0 ? string.Empty : "\nRefused steps (not run): " + string.Join("; ", validated.Rejected.Select(r => $"{r.Op}: {r.Reason}"));
        var narrative = await ClientLlm.AskAsync(
            server,
            "You are a product analyst. Answer the question in 2 to 5 sentences using only the query results given, with their numbers. Say plainly when a step failed or was refused; do not guess numbers.",
            $"Question: {question}\nQuery results:\n{results}{refused}",
            700,
            cancellationToken).ConfigureAwait(false);
        if (!narrative.Written)
        {
            notes.Add($"The answer was not worded by the model ({narrative.Note}).");
        }

        return (new Answer(question, "model_plan", context.DefaultRange, narrative.Text ?? string.Join(" ", outcomes.Select(o => o.Ok ? o.Digest!.Summary + "." : $"{o.Step.Purpose} failed: {o.Error}.")), narrative.Written ? "client_sampling" : "computed")
        {
            PlanSource = "client_sampling",
            Steps = outcomes,
            Rejected = validated.Rejected,
            Notes = notes,
        }, validated.Rejected);
    }

    private static async Task<Answer> AnswerDirectlyAsync(Workspace workspace, ParsedQuestion parsed, IReadOnlyList<string> events, DayRange defaultRange, DateOnly lastDay, PlanContext context, QueryBudget queries, List<string> notes, IReadOnlyList<RejectedStep> rejected, CancellationToken cancellationToken)
    {
        IReadOnlyList<FunnelSummary>? funnels = null;
        IReadOnlyList<string>? properties = null;
        if (parsed.Form == QuestionForm.Funnel)
        {
            var listed = await queries.RunAsync("saved funnels (to match the question)", 1, ct => workspace.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
            funnels = listed.Value;
            if (!listed.Ok)
            {
                notes.Add($"Saved funnels could not be listed: {listed.Error}");
            }
        }
        else if (parsed.Form == QuestionForm.Breakdown)
        {
            var listed = await queries.RunAsync($"top properties of {parsed.Events[0]} (to match '{parsed.ByPhrase}')", 1, ct => workspace.Discovery.PropertiesAsync(parsed.Events[0], 100, ct), cancellationToken).ConfigureAwait(false);
            properties = listed.Value?.Select(p => p.Name).ToList();
            if (!listed.Ok)
            {
                notes.Add($"Properties of {parsed.Events[0]} could not be listed: {listed.Error}");
            }
        }

        var plan = DeterministicPlanner.Plan(parsed, new ProjectFacts(events, funnels, properties), defaultRange, lastDay);
        notes.AddRange(plan.Notes);
        var validated = PlanValidator.Validate(plan.Steps, context with { FunnelIds = funnels?.Select(f => f.FunnelId).ToList(), Budget = Math.Max(0, queries.Limit - queries.Spent) });
        var outcomes = await PlanRunner.RunAsync(workspace.Insights.Sources, validated.Steps, queries, cancellationToken).ConfigureAwait(false);
        var skipped = validated.Rejected.Select(r => $"{r.Op}: {r.Reason}").ToList();
        var answer = validated.Steps.Count == 0 && plan.Steps.Count > 0
            ? $"The query for {plan.Meaning} could not run: {string.Join("; ", skipped)}."
            : DeterministicAnswer.Compose(plan, outcomes);
        return new Answer(parsed.Text, plan.Steps.Count == 0 ? "suggestions" : "deterministic", plan.Range, answer, "computed")
        {
            PlanSource = "deterministic",
            Form = plan.Form.ToString().ToLowerInvariant(),
            Steps = outcomes,
            Rejected = [.. rejected, .. validated.Rejected],
            Suggestions = plan.Suggestions,
            Notes = notes,
        };
    }

    private static CallToolResult Report(Answer answer, QueryBudget queries)
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
            ["budget"] = System.Text.Json.JsonSerializer.SerializeToNode(queries.Report(), ToolJson.Options),
        };
        var text = new StringBuilder(answer.Text);
        if (answer.Rejected.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nRejected (not run): {string.Join("; ", answer.Rejected.Select(r => $"{r.Op} — {r.Reason}"))}.");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nQuery API calls: {queries.Spent} of a budget of {queries.Limit}.");
        return ToolJson.Result(node, text.ToString());
    }

    private sealed record Answer(string Question, string Mode, DayRange Range, string Text, string AnswerSource)
    {
        public string PlanSource { get; init; } = "none";

        public string? Form { get; init; }

        public IReadOnlyList<StepOutcome> Steps { get; init; } = [];

        public IReadOnlyList<RejectedStep> Rejected { get; init; } = [];

        public IReadOnlyList<SuggestedCall> Suggestions { get; init; } = [];

        public IReadOnlyList<string> Notes { get; init; } = [];
    }
}
