using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Discovery;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Queries;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

using MixpanelData.Analytics;
using MixpanelData.Insights;
using MixpanelData.Insights.Analysis;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// <c>gqm_investigation</c>: Goal–Question–Metric. The goal is classified, 3 to 5 questions are derived, each is mapped to
/// metrics over the project's real events and properties and answered with a query; the budget and the measured spend
/// are stated, and questions that cannot be answered say why. With client sampling the client's model may add up to two
/// questions, whose steps are validated against the same allow-list as <c>ask_mixpanel</c>.
/// </summary>
[McpServerToolType]
[Toolset("composed")]
internal sealed class GqmInvestigationTool(WorkspaceHolder workspaces, TimeProvider time)
{
    private const int MaxExtraQuestions = 2;

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
        var range = new DayRange(from, to, stated ? $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}" : "the last 30 days");
        var cohorts = new DayRange(to.AddDays(1 - DeterministicPlanner.RetentionWindowDays), to, $"sign-ups of the {DeterministicPlanner.RetentionWindowDays} days ending {to:yyyy-MM-dd}");
        var classification = GqmPlanner.Classify(goal);
        var workspace = workspaces.Current;
        var queries = new QueryBudget(budget);
        var notes = new List<string>();

        var listed = await queries.RunAsync("list events (to map metrics to real names)", 1, ct => workspace.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
        if (!listed.Ok)
        {
            throw new InvalidOperationException($"The project's events could not be listed, so no metric can be mapped: {listed.Error}");
        }

        var events = listed.Value!;
        var guess = ProjectRoles.Detect(events);
        var signupProperties = guess.Signup is null ? null : await PropertyNamesAsync(workspace, guess.Signup, queries, notes, cancellationToken).ConfigureAwait(false);
        var purchaseProperties = classification.Category == GoalCategory.Conversion && guess.Purchase is not null ? await PropertyNamesAsync(workspace, guess.Purchase, queries, notes, cancellationToken).ConfigureAwait(false) : null;
        var roles = ProjectRoles.Detect(events, signupProperties, purchaseProperties);
        IReadOnlyList<FunnelSummary>? funnels = null;
        if (classification.Category is GoalCategory.Activation or GoalCategory.Conversion)
        {
            var listedFunnels = await queries.RunAsync("list saved funnels", 1, ct => workspace.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
            funnels = listedFunnels.Value;
            if (!listedFunnels.Ok)
            {
                notes.Add($"Saved funnels could not be listed: {listedFunnels.Error}");
            }
        }

        var questions = GqmPlanner.Questions(classification.Category, roles, funnels, events, range, cohorts);
        var results = new Dictionary<string, object>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var query in questions.SelectMany(q => q.Queries))
        {
            if (results.ContainsKey(query.Key) || errors.ContainsKey(query.Key))
            {
                continue;
            }

            var outcome = await queries.RunAsync(query.Purpose, 1, ct => ExecuteAsync(workspace, query.Request, ct), cancellationToken).ConfigureAwait(false);
            if (outcome.Ok)
            {
                results[query.Key] = outcome.Value!;
            }
            else
            {
                errors[query.Key] = outcome.Error!;
            }
        }

        var answered = questions.Select(q => (Question: q, Answer: GqmAnswers.Answer(q, results, errors))).ToList();
        var extra = await ExtraQuestionsAsync(server, workspace, goal, classification, questions, events, roles, range, today, queries, notes, cancellationToken).ConfigureAwait(false);
        return Report(goal, classification, roles, range, cohorts, answered, extra, notes, queries);
    }

    private static async Task<object> ExecuteAsync(Workspace workspace, object request, CancellationToken cancellationToken) => request is NumericAggregateQuery sum
        ? await workspace.Query.SegmentationSumAsync(sum, cancellationToken).ConfigureAwait(false)
        : await PlanRunner.ExecuteAsync(workspace.Insights.Sources, request, cancellationToken).ConfigureAwait(false);

    private static async Task<IReadOnlyList<string>?> PropertyNamesAsync(Workspace workspace, string eventName, QueryBudget queries, List<string> notes, CancellationToken cancellationToken)
    {
        var listed = await queries.RunAsync($"top properties of {eventName}", 1, ct => workspace.Discovery.PropertiesAsync(eventName, 100, ct), cancellationToken).ConfigureAwait(false);
        if (!listed.Ok)
        {
            notes.Add($"Properties of {eventName} could not be listed: {listed.Error}");
        }

        return listed.Value?.Select(p => p.Name).ToList();
    }

    /// <summary>Up to two questions the client's model adds, each with plan steps that pass the same validation as ask_mixpanel's.</summary>
    private static async Task<IReadOnlyList<JsonObject>> ExtraQuestionsAsync(McpServer server, Workspace workspace, string goal, GoalClassification classification, IReadOnlyList<GqmQuestion> questions, IReadOnlyList<string> events, ProjectRoles roles, DayRange range, DateOnly today, QueryBudget queries, List<string> notes, CancellationToken cancellationToken)
    {
        var left = queries.Limit - queries.Spent;
        if (!ClientLlm.Offered(server) || left < 1)
        {
            notes.Add(left < 1 ? "No budget was left for questions from the client's model." : "The client offers no sampling, so no extra questions were proposed.");
            return [];
        }

        var system = $$$"""
            You extend a Goal-Question-Metric investigation of a Mixpanel project. Propose at most {{{MaxExtraQuestions}}} further questions that the listed ones miss,
            each answered by read-only steps. Reply with one JSON object and nothing else:
            {"questions": [{"question": "...", "steps": [{"op": "<operation>", "args": {...}}]}]}
            Allowed operations (argument?: optional):
            {{{PlanValidator.Describe()}}}
            Copy event names exactly; dates YYYY-MM-DD, never after today; at most {{{left}}} steps in all.
            """;
        var prompt = $"""
            Goal: {goal} (category: {classification.Category.ToString().ToLowerInvariant()})
            Questions already asked: {string.Join(" | ", questions.Select(q => q.Text))}
            Period: {range.From:yyyy-MM-dd} to {range.To:yyyy-MM-dd}; today {today:yyyy-MM-dd}.
            Events: {string.Join(", ", events.Take(300))}
            Roles found: sign-up {roles.Signup ?? "none"}, activation {roles.Activation ?? "none"}, purchase {roles.Purchase ?? "none"}, channel property {roles.Channel ?? "none"}, platform property {roles.Platform ?? "none"}.
            """;
        var answer = await ClientLlm.AskAsync(server, system, prompt, 700, cancellationToken).ConfigureAwait(false);
        if (!answer.Written)
        {
            notes.Add($"No extra questions from the client's model: {answer.Note}");
            return [];
        }

        if (!PlanParser.TryFindObject(answer.Text, "questions", out var root, out var error))
        {
            notes.Add($"The client's model proposed no usable questions ({error}).");
            return [];
        }

        var extra = new List<JsonObject>();
        foreach (var item in root.GetProperty("questions").EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).Take(MaxExtraQuestions))
        {
            var text = item.TryGetProperty("question", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString()! : "(no question text)";
            var steps = item.TryGetProperty("steps", out var s) && s.ValueKind == JsonValueKind.Array ? PlanParser.ReadSteps(s) : [];
            var validated = PlanValidator.Validate(steps, new PlanContext(events, null, today, range, 3, Math.Max(0, queries.Limit - queries.Spent)));
            var outcomes = await PlanRunner.RunAsync(workspace.Insights.Sources, validated.Steps, queries, cancellationToken).ConfigureAwait(false);
            extra.Add(new JsonObject
            {
                ["question"] = text,
                ["source"] = "client_sampling",
                ["status"] = outcomes.Count == 0 ? "unanswerable" : outcomes.All(o => o.Ok) ? "answered" : "failed",
                ["answer"] = outcomes.Count == 0 ? $"no step passed validation ({string.Join("; ", validated.Rejected.Select(r => $"{r.Op}: {r.Reason}"))})" : string.Join(" ", outcomes.Select(o => o.Ok ? o.Digest!.Summary + "." : $"{o.Step.Purpose} failed: {o.Error}.")),
                ["steps"] = new JsonArray([.. outcomes.Select(o => o.ToJson())]),
                ["rejected"] = new JsonArray([.. validated.Rejected.Select(r => new JsonObject { ["op"] = r.Op, ["reason"] = r.Reason })]),
            });
        }

        return extra;
    }

    private static CallToolResult Report(string goal, GoalClassification classification, ProjectRoles roles, DayRange range, DayRange cohorts, IReadOnlyList<(GqmQuestion Question, GqmAnswer Answer)> answered, IReadOnlyList<JsonObject> extra, IReadOnlyList<string> notes, QueryBudget queries)
    {
        var node = new JsonObject
        {
            ["goal"] = goal,
            ["category"] = classification.Category.ToString().ToLowerInvariant(),
            ["category_words"] = new JsonArray([.. classification.Matched.Select(m => JsonValue.Create(m))]),
            ["category_assumed"] = classification.Assumed,
            ["roles"] = JsonSerializer.SerializeToNode(roles, ToolJson.Options),
            ["from_date"] = Day(range.From),
            ["to_date"] = Day(range.To),
            ["retention_cohorts"] = cohorts.ToString(),
            ["questions"] = new JsonArray([.. answered.Select(a => new JsonObject
            {
                ["id"] = a.Question.Id,
                ["question"] = a.Question.Text,
                ["metric"] = a.Question.Metric,
                ["queries"] = new JsonArray([.. a.Question.Queries.Select(q => JsonValue.Create(q.Purpose))]),
                ["status"] = a.Answer.Status,
                ["answer"] = a.Answer.Text,
                ["numbers"] = a.Answer.Numbers,
            })]),
            ["extra_questions"] = new JsonArray([.. extra]),
            ["unanswered"] = new JsonArray([.. answered.Where(a => a.Answer.Status != "answered").Select(a => new JsonObject { ["question"] = a.Question.Text, ["status"] = a.Answer.Status, ["reason"] = a.Answer.Text })]),
            ["notes"] = new JsonArray([.. notes.Select(n => JsonValue.Create(n))]),
            ["budget"] = JsonSerializer.SerializeToNode(queries.Report(), ToolJson.Options),
        };
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Goal: {goal} → {classification.Category.ToString().ToLowerInvariant()}{(classification.Assumed ? " (assumed: no category words)" : $" ({string.Join(", ", classification.Matched)})")}; {range}.\n");
        var n = 1;
        foreach (var (question, answer) in answered)
        {
            text.Append(CultureInfo.InvariantCulture, $"Q{n++}. {question.Text}\n   Metric: {question.Metric}\n   {(answer.Status == "answered" ? "A" : answer.Status.ToUpperInvariant())}: {answer.Text}\n");
        }

        foreach (var item in extra)
        {
            text.Append(CultureInfo.InvariantCulture, $"Q{n++} (from the client's model). {item["question"]}\n   {item["status"]}: {item["answer"]}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Query API calls: {queries.Spent} of a budget of {queries.Limit}.");
        return ToolJson.Result(node, text.ToString());
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
