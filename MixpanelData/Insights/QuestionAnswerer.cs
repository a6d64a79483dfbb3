using System.Globalization;
using System.Text;
using MixpanelData.Discovery;

namespace MixpanelData.Insights;

/// <summary>How <see cref="InsightsClient.AskAsync"/> answers.</summary>
public sealed record AskOptions
{
    /// <summary>First day of the default range (used when the question names none); default 30 days before <see cref="To"/>.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last day of the default range; default yesterday (UTC).</summary>
    public DateOnly? To { get; init; }

    /// <summary>Most Query API calls to spend (1-30).</summary>
    public int Budget { get; init; } = 8;

    /// <summary>A model that may plan and word the answer (its plan is validated; figures still come from the queries). Null: answered without a model.</summary>
    public IInsightsModel? Model { get; init; }

    /// <summary>The note an answer without a model carries.</summary>
    public string NoModelNote { get; init; } = "No model was given: the question was answered without one.";

    /// <summary>Today (UTC), for relative ranges ("last week"); default the workspace's clock.</summary>
    public DateOnly? Today { get; init; }
}

/// <summary>An answer to a plain question, with its provenance.</summary>
/// <param name="Question">The question as asked.</param>
/// <param name="Mode"><c>deterministic</c>, <c>model_plan</c>, <c>suggestions</c> (not answerable by a query: see <see cref="Suggestions"/>) or <c>failed</c>.</param>
/// <param name="Range">The range answered for.</param>
/// <param name="Text">The answer, naming its figures.</param>
/// <param name="AnswerSource"><c>computed</c>, or the model's source when the model worded it.</param>
public sealed record InsightAnswer(string Question, string Mode, DayRange Range, string Text, string AnswerSource)
{
    /// <summary><c>deterministic</c>, the model's source, or <c>none</c>.</summary>
    public string PlanSource { get; init; } = "none";

    /// <summary>The question's form (count, trend, series, breakdown, top, share, distinct, funnel, retention, unrecognised) when answered without a model.</summary>
    public string? Form { get; init; }

    /// <summary>The requests run (the library's query records, reproducible) and how each ended.</summary>
    public IReadOnlyList<StepOutcome> Steps { get; init; } = [];

    /// <summary>Plan steps refused by validation (never run).</summary>
    public IReadOnlyList<RejectedStep> Rejected { get; init; } = [];

    /// <summary>The closest calls to make when the question could not be answered by a query.</summary>
    public IReadOnlyList<SuggestedCall> Suggestions { get; init; } = [];

    /// <summary>How the question was read, corrections made, and caveats.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The Query API budget and what was spent.</summary>
    public QuerySpend Spend { get; init; } = new(0, 0, []);
}

/// <summary>
/// Answers a question in plain words. With a model, the model writes a plan over an allow-list of read-only
/// operations, which is validated before anything runs, then words the answer from the results. Without one (or when
/// the model declines or answers nonsense) the common question forms are answered deterministically.
/// </summary>
internal sealed class QuestionAnswerer(InsightSources sources)
{
    private const int MaxSteps = 6;

    public async Task<InsightAnswer> AskAsync(string question, AskOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(question) || question.Length > 1000)
        {
            throw new ArgumentException("question must be 1 to 1000 characters of plain text, e.g. 'How many Sign Ups last week?'.");
        }

        InsightArguments.Range(options.Budget, 1, 30, "budget");
        var today = options.Today ?? sources.Today;
        var lastDay = today.AddDays(-1);
        var stated = options.From is not null || options.To is not null;
        var end = options.To ?? lastDay;
        var (from, to) = InsightArguments.Days(options.From ?? end.AddDays(-29), end);

        var defaultRange = new DayRange(from, to, stated ? $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}" : "the last 30 days");
        var queries = new QueryBudget(options.Budget);
        var notes = new List<string>();

        var listed = await queries.RunAsync("list events (to check names)", 1, ct => sources.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
        if (!listed.Ok)
        {
            return new InsightAnswer(question, "failed", defaultRange, $"The project's events could not be listed ({listed.Error}), so the question could not be checked against real names.", "computed") { Spend = queries.Report() };
        }

        var events = listed.Value!;
        var parsed = QuestionParser.Parse(question, events, lastDay);
        if (stated)
        {
            parsed = parsed with { Range = defaultRange };
        }

        var context = new PlanContext(events, null, today, defaultRange, MaxSteps, 0);
        IReadOnlyList<RejectedStep> rejectedByModel = [];
        if (options.Model is { } model)
        {
            var (sampled, rejected) = await AskModelAsync(model, question, parsed, context, queries, notes, cancellationToken).ConfigureAwait(false);
            if (sampled is not null)
            {
                return sampled;
            }

            rejectedByModel = rejected;
        }
        else
        {
            notes.Add(options.NoModelNote);
        }

        return await AnswerDirectlyAsync(parsed, events, defaultRange, lastDay, context, queries, notes, rejectedByModel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The model's plan, validated and run, and its answer; null (with the refused steps) when the question must be answered without it.</summary>
    private async Task<(InsightAnswer? Answer, IReadOnlyList<RejectedStep> Rejected)> AskModelAsync(IInsightsModel model, string question, ParsedQuestion parsed, PlanContext context, QueryBudget queries, List<string> notes, CancellationToken cancellationToken)
    {
        var facts = new StringBuilder();
        foreach (var e in parsed.Events.Take(2).DefaultIfEmpty(ProjectRoles.Detect(context.Events).Signup).OfType<string>())
        {
            var properties = await queries.RunAsync($"top properties of {e} (for the plan prompt)", 1, ct => sources.Discovery.PropertiesAsync(e, 25, ct), cancellationToken).ConfigureAwait(false);
            if (properties.Ok)
            {
                facts.Append(CultureInfo.InvariantCulture, $"Top properties of {e}: {string.Join(", ", properties.Value!.Select(p => p.Name))}\n");
            }
        }

        IReadOnlyList<FunnelSummary>? funnels = null;
        if (parsed.Form == QuestionForm.Funnel)
        {
            var listed = await queries.RunAsync("saved funnels (for the plan prompt)", 1, ct => sources.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
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
        var plan = await ModelReply.AskAsync(model, system, prompt, 800, cancellationToken).ConfigureAwait(false);
        if (!plan.Written)
        {
            notes.Add($"No plan from the {model.Name}: {plan.Note}");
            return (null, []);
        }

        if (!PlanParser.TryParse(plan.Text, out var steps, out var error))
        {
            notes.Add($"The {model.Name} returned no usable plan ({error}); the question was answered without it.");
            return (null, []);
        }

        if (funnels is null && steps.Any(s => s.Op == "funnel"))
        {
            var listed = await queries.RunAsync("saved funnels (to check funnel ids)", 1, ct => sources.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
            funnels = listed.Value;
        }

        var validated = PlanValidator.Validate(steps, context with { FunnelIds = funnels?.Select(f => f.FunnelId).ToList(), Budget = Math.Max(0, queries.Limit - queries.Spent) });
        notes.AddRange(validated.Notes);
        if (validated.Steps.Count == 0)
        {
            notes.Add($"No step of the {model.Name}'s plan passed validation; the question was answered without it.");
            return (null, validated.Rejected);
        }

        var outcomes = await PlanRunner.RunAsync(sources, validated.Steps, queries, cancellationToken).ConfigureAwait(false);
        var results = string.Join("\n", outcomes.Select((o, i) => $"{i + 1}. {o.Step.Purpose}: {(o.Ok ? o.Digest!.Summary : "FAILED: " + o.Error)}"));
        var refused = validated.Rejected.Count == 0 ? string.Empty : "\nRefused steps (not run): " + string.Join("; ", validated.Rejected.Select(r => $"{r.Op}: {r.Reason}"));
        var narrative = await ModelReply.AskAsync(
            model,
            "You are a product analyst. Answer the question in 2 to 5 sentences using only the query results given, with their numbers. Say plainly when a step failed or was refused; do not guess numbers.",
            $"Question: {question}\nQuery results:\n{results}{refused}",
            700,
            cancellationToken).ConfigureAwait(false);
        if (!narrative.Written)
        {
            notes.Add($"The answer was not worded by the {model.Name} ({narrative.Note}).");
        }

        return (new InsightAnswer(question, "model_plan", context.DefaultRange, narrative.Text ?? string.Join(" ", outcomes.Select(o => o.Ok ? o.Digest!.Summary + "." : $"{o.Step.Purpose} failed: {o.Error}.")), narrative.Written ? model.Source : "computed")
        {
            PlanSource = model.Source,
            Steps = outcomes,
            Rejected = validated.Rejected,
            Notes = notes,
            Spend = queries.Report(),
        }, validated.Rejected);
    }

    private async Task<InsightAnswer> AnswerDirectlyAsync(ParsedQuestion parsed, IReadOnlyList<string> events, DayRange defaultRange, DateOnly lastDay, PlanContext context, QueryBudget queries, List<string> notes, IReadOnlyList<RejectedStep> rejected, CancellationToken cancellationToken)
    {
        IReadOnlyList<FunnelSummary>? funnels = null;
        IReadOnlyList<string>? properties = null;
        if (parsed.Form == QuestionForm.Funnel)
        {
            var listed = await queries.RunAsync("saved funnels (to match the question)", 1, ct => sources.Discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);
            funnels = listed.Value;
            if (!listed.Ok)
            {
                notes.Add($"Saved funnels could not be listed: {listed.Error}");
            }
        }
        else if (parsed.Form is QuestionForm.Breakdown or QuestionForm.Top or QuestionForm.Share)
        {
            var listed = await queries.RunAsync($"top properties of {parsed.Events[0]} (to match '{parsed.ByPhrase}')", 1, ct => sources.Discovery.PropertiesAsync(parsed.Events[0], 100, ct), cancellationToken).ConfigureAwait(false);
            properties = listed.Value?.Select(p => p.Name).ToList();
            if (!listed.Ok)
            {
                notes.Add($"Properties of {parsed.Events[0]} could not be listed: {listed.Error}");
            }
        }

        var plan = DeterministicPlanner.Plan(parsed, new ProjectFacts(events, funnels, properties), defaultRange, lastDay);
        notes.AddRange(plan.Notes);
        var validated = PlanValidator.Validate(plan.Steps, context with { FunnelIds = funnels?.Select(f => f.FunnelId).ToList(), Budget = Math.Max(0, queries.Limit - queries.Spent) });
        var outcomes = await PlanRunner.RunAsync(sources, validated.Steps, queries, cancellationToken).ConfigureAwait(false);
        if (plan.Export == PlanExport.DistinctUsers && validated.Steps.Count > 0)
        {
            outcomes = [.. outcomes, await DistinctUsers.CountAsync(sources, parsed.Events[0], plan.Range, plan.Steps.Count, queries, cancellationToken).ConfigureAwait(false)];
        }
        else if (plan.Export == PlanExport.Funnel)
        {
            outcomes = [.. outcomes, await ExportFunnel.RunAsync(sources, plan.AskedSteps, plan.Range, lastDay, plan.Steps.Count, queries, cancellationToken).ConfigureAwait(false)];
        }

        var skipped = validated.Rejected.Select(r => $"{r.Op}: {r.Reason}").ToList();
        var answer = validated.Steps.Count == 0 && plan.Steps.Count > 0
            ? $"The query for {plan.Meaning} could not run: {string.Join("; ", skipped)}."
            : DeterministicAnswer.Compose(plan, outcomes);
        return new InsightAnswer(parsed.Text, plan.Steps.Count == 0 && plan.Export == PlanExport.None ? "suggestions" : "deterministic", plan.Range, answer, "computed")
        {
            PlanSource = "deterministic",
            Form = plan.Form.ToString().ToLowerInvariant(),
            Steps = outcomes,
            Rejected = [.. rejected, .. validated.Rejected],
            Suggestions = plan.Suggestions,
            Notes = notes,
            Spend = queries.Report(),
        };
    }
}
