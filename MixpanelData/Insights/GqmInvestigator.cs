using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Discovery;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>A goal to investigate.</summary>
/// <param name="Goal">The goal in words, e.g. "improve retention of new users".</param>
/// <param name="From">First day.</param>
/// <param name="To">Last day.</param>
public sealed record GqmRequest(string Goal, DateOnly From, DateOnly To)
{
    /// <summary>How answers name the range; default "the last 30 days" unless the dates were given.</summary>
    public string? RangeLabel { get; init; }

    /// <summary>Most Query API calls to spend (3-30).</summary>
    public int Budget { get; init; } = 12;

    /// <summary>A model that may add up to two questions (their steps validated like <see cref="InsightsClient.AskAsync"/>'s).</summary>
    public IInsightsModel? Model { get; init; }

    /// <summary>The note an investigation without a model carries.</summary>
    public string NoModelNote { get; init; } = "No model was given, so no extra questions were proposed.";

    /// <summary>Today (UTC); default the workspace's clock.</summary>
    public DateOnly? Today { get; init; }
}

/// <summary>One derived question and its answer.</summary>
/// <param name="Id">The question's id.</param>
/// <param name="Question">The question.</param>
/// <param name="Metric">The metric that answers it, over real names.</param>
/// <param name="Queries">What each query was run for.</param>
/// <param name="Status"><c>answered</c>, <c>unanswerable</c> or <c>failed</c>.</param>
/// <param name="Answer">The answer with its figures, or why there is none.</param>
/// <param name="Numbers">The figures, compactly.</param>
public sealed record GqmFinding(string Id, string Question, string Metric, IReadOnlyList<string> Queries, string Status, string Answer, JsonObject? Numbers);

/// <summary>A question the model added, and its validated steps.</summary>
/// <param name="Question">The question.</param>
/// <param name="Source">The model's source label.</param>
/// <param name="Status"><c>answered</c>, <c>unanswerable</c> or <c>failed</c>.</param>
/// <param name="Answer">The computed answer.</param>
/// <param name="Steps">The steps run.</param>
/// <param name="Rejected">Steps refused by validation.</param>
public sealed record GqmExtraQuestion(string Question, string Source, string Status, string Answer, IReadOnlyList<StepOutcome> Steps, IReadOnlyList<RejectedStep> Rejected);

/// <summary>A Goal–Question–Metric investigation.</summary>
/// <param name="Goal">The goal.</param>
/// <param name="Classification">Its category and the words that decided it.</param>
/// <param name="Roles">The project's events and properties found for each role.</param>
/// <param name="Range">The period.</param>
/// <param name="Cohorts">The sign-up cohorts retention is measured on.</param>
/// <param name="Findings">Each derived question, answered or not.</param>
/// <param name="Extra">Questions the model added.</param>
/// <param name="Notes">Caveats.</param>
/// <param name="Summary">The investigation in a few lines, with the spend.</param>
/// <param name="Spend">The Query API budget and what was spent.</param>
public sealed record GqmInvestigation(string Goal, GoalClassification Classification, ProjectRoles Roles, DayRange Range, DayRange Cohorts, IReadOnlyList<GqmFinding> Findings, IReadOnlyList<GqmExtraQuestion> Extra, IReadOnlyList<string> Notes, string Summary, QuerySpend Spend);

/// <summary>
/// Goal–Question–Metric: the goal is classified, 3 to 5 questions are derived, each is mapped to metrics over the
/// project's real events and properties and answered with a query; questions that cannot be answered say why. A model
/// may add up to two questions, whose steps are validated against the same allow-list as <see cref="InsightsClient.AskAsync"/>.
/// </summary>
internal sealed class GqmInvestigator(InsightSources sources)
{
    private const int MaxExtraQuestions = 2;

    public async Task<GqmInvestigation> InvestigateAsync(GqmRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var goal = request.Goal;
        if (string.IsNullOrWhiteSpace(goal) || goal.Length > 500)
        {
            throw new ArgumentException("goal must be 1 to 500 characters, e.g. 'improve retention of new users'.");
        }

        InsightArguments.Range(request.Budget, 3, 30, "budget");
        var (from, to) = InsightArguments.Days(request.From, request.To);

        var today = request.Today ?? sources.Today;
        var range = new DayRange(from, to, request.RangeLabel ?? $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}");
        var cohorts = new DayRange(to.AddDays(1 - DeterministicPlanner.RetentionWindowDays), to, $"sign-ups of the {DeterministicPlanner.RetentionWindowDays} days ending {to:yyyy-MM-dd}");
        var classification = GqmPlanner.Classify(goal);
        var queries = new QueryBudget(request.Budget);
        var notes = new List<string>();

        var listed = await queries.RunAsync("list events (to map metrics to real names)", 1, ct => sources.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
        if (!listed.Ok)
        {
            throw new InvalidOperationException($"The project's events could not be listed, so no metric can be mapped: {listed.Error}");
        }

        var events = listed.Value!;
        var guess = ProjectRoles.Detect(events);
        var signupProperties = guess.Signup is null ? null : await PropertyNamesAsync(guess.Signup, queries, notes, cancellationToken).ConfigureAwait(false);
        var purchaseProperties = classification.Category == GoalCategory.Conversion && guess.Purchase is not null ? await PropertyNamesAsync(guess.Purchase, queries, notes, cancellationToken).ConfigureAwait(false) : null;
        var roles = ProjectRoles.Detect(events, signupProperties, purchaseProperties);
        IReadOnlyList<FunnelSummary>? funnels = null;
        if (classification.Category is GoalCategory.Activation or GoalCategory.Conversion)
        {
            var listedFunnels = await queries.RunAsync("list saved funnels", 1, ct => sources.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
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

            var outcome = await queries.RunAsync(query.Purpose, 1, ct => ExecuteAsync(query.Request, ct), cancellationToken).ConfigureAwait(false);
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
        var extra = await ExtraQuestionsAsync(request, goal, classification, questions, events, roles, range, today, queries, notes, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Goal: {goal} → {classification.Category.ToString().ToLowerInvariant()}{(classification.Assumed ? " (assumed: no category words)" : $" ({string.Join(", ", classification.Matched)})")}; {range}.\n");
        var n = 1;
        foreach (var (question, answer) in answered)
        {
            text.Append(CultureInfo.InvariantCulture, $"Q{n++}. {question.Text}\n   Metric: {question.Metric}\n   {(answer.Status == "answered" ? "A" : answer.Status.ToUpperInvariant())}: {answer.Text}\n");
        }

        foreach (var item in extra)
        {
            text.Append(CultureInfo.InvariantCulture, $"Q{n++} (from the {request.Model?.Name ?? "model"}). {item.Question}\n   {item.Status}: {item.Answer}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Query API calls: {queries.Spent} of a budget of {queries.Limit}.");
        var findings = answered.Select(a => new GqmFinding(a.Question.Id, a.Question.Text, a.Question.Metric, [.. a.Question.Queries.Select(q => q.Purpose)], a.Answer.Status, a.Answer.Text, a.Answer.Numbers)).ToList();
        return new GqmInvestigation(goal, classification, roles, range, cohorts, findings, extra, notes, text.ToString(), queries.Report());
    }

    private async Task<object> ExecuteAsync(object request, CancellationToken cancellationToken) => request is NumericAggregateQuery sum
        ? await sources.Query.SegmentationSumAsync(sum, cancellationToken).ConfigureAwait(false)
        : await PlanRunner.ExecuteAsync(sources, request, cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<string>?> PropertyNamesAsync(string eventName, QueryBudget queries, List<string> notes, CancellationToken cancellationToken)
    {
        var listed = await queries.RunAsync($"top properties of {eventName}", 1, ct => sources.Discovery.PropertiesAsync(eventName, 100, ct), cancellationToken).ConfigureAwait(false);
        if (!listed.Ok)
        {
            notes.Add($"Properties of {eventName} could not be listed: {listed.Error}");
        }

        return listed.Value?.Select(p => p.Name).ToList();
    }

    /// <summary>Up to two questions the model adds, each with plan steps that pass the same validation as ask_mixpanel's.</summary>
    private async Task<IReadOnlyList<GqmExtraQuestion>> ExtraQuestionsAsync(GqmRequest request, string goal, GoalClassification classification, IReadOnlyList<GqmQuestion> questions, IReadOnlyList<string> events, ProjectRoles roles, DayRange range, DateOnly today, QueryBudget queries, List<string> notes, CancellationToken cancellationToken)
    {
        var left = queries.Limit - queries.Spent;
        if (request.Model is not { } model || left < 1)
        {
            notes.Add(left < 1 ? $"No budget was left for questions from the {request.Model?.Name ?? "model"}." : request.NoModelNote);
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
        var answer = await ModelReply.AskAsync(model, system, prompt, 700, cancellationToken).ConfigureAwait(false);
        if (!answer.Written)
        {
            notes.Add($"No extra questions from the {model.Name}: {answer.Note}");
            return [];
        }

        if (!PlanParser.TryFindObject(answer.Text, "questions", out var root, out var error))
        {
            notes.Add($"The {model.Name} proposed no usable questions ({error}).");
            return [];
        }

        var extra = new List<GqmExtraQuestion>();
        foreach (var item in root.GetProperty("questions").EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).Take(MaxExtraQuestions))
        {
            var text = item.TryGetProperty("question", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString()! : "(no question text)";
            var steps = item.TryGetProperty("steps", out var s) && s.ValueKind == JsonValueKind.Array ? PlanParser.ReadSteps(s) : [];
            var validated = PlanValidator.Validate(steps, new PlanContext(events, null, today, range, 3, Math.Max(0, queries.Limit - queries.Spent)));
            var outcomes = await PlanRunner.RunAsync(sources, validated.Steps, queries, cancellationToken).ConfigureAwait(false);
            extra.Add(new GqmExtraQuestion(
                text,
                model.Source,
                outcomes.Count == 0 ? "unanswerable" : outcomes.All(o => o.Ok) ? "answered" : "failed",
                outcomes.Count == 0 ? $"no step passed validation ({string.Join("; ", validated.Rejected.Select(r => $"{r.Op}: {r.Reason}"))})" : string.Join(" ", outcomes.Select(o => o.Ok ? o.Digest!.Summary + "." : $"{o.Step.Purpose} failed: {o.Error}.")),
                outcomes,
                validated.Rejected));
        }

        return extra;
    }
}
