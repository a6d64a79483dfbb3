using System.Globalization;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Discovery;

namespace MixpanelData.Insights;

/// <summary>A tool call the host model can make next, with its arguments filled in.</summary>
/// <param name="Tool">The MCP tool (or library call of the same name).</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="Why">What it would answer.</param>
public sealed record SuggestedCall(string Tool, IReadOnlyDictionary<string, object?> Arguments, string Why);

/// <summary>What the project is known to hold when a question is planned without the client's model.</summary>
/// <param name="Events">Every event name.</param>
/// <param name="Funnels">Saved funnels, or null when they were not listed.</param>
/// <param name="Properties">Top properties of the question's first event, or null when not listed.</param>
internal sealed record ProjectFacts(IReadOnlyCollection<string> Events, IReadOnlyList<FunnelSummary>? Funnels, IReadOnlyList<string>? Properties);

/// <summary>The deterministic answer's plan: steps to run (validated like any plan), what they mean, or the closest calls to make.</summary>
internal sealed record DeterministicPlan(QuestionForm Form, IReadOnlyList<PlanStep> Steps, DayRange Range, string Meaning, IReadOnlyList<SuggestedCall> Suggestions, IReadOnlyList<string> Notes);

/// <summary>Turns a recognised question into plan steps over real names; pure, so each decision can be tested by hand.</summary>
internal static class DeterministicPlanner
{
    private static readonly HashSet<string> GenericWords =
    [
        "funnel", "funnels", "conversion", "convert", "converts", "from", "to", "the", "what", "whats", "is", "our", "of", "how", "does", "do", "rate",
        "show", "me", "a", "an", "and", "in", "for", "last", "week", "month", "days", "step", "steps", "users", "user", "did", "well", "doing",
    ];

    /// <summary>The retention cohorts' default window: long enough that day-30 retention can be measured.</summary>
    public const int RetentionWindowDays = 60;

    public static DeterministicPlan Plan(ParsedQuestion question, ProjectFacts facts, DayRange defaultRange, DateOnly lastDay)
    {
        var range = question.Range ?? defaultRange;
        var notes = new List<string>();
        switch (question.Form)
        {
            case QuestionForm.Count:
                return Count(question, range, notes);
            case QuestionForm.Trend:
                {
                    var unit = range.Days > 92 ? "week" : "day";
                    var type = question.Unique ? "unique" : "general";
                    var previous = range.Previous();
                    var e = question.Events[0];
                    return new DeterministicPlan(QuestionForm.Trend, [Segmentation(e, range, type, unit), Segmentation(e, previous, type, unit)], range, $"{e} per {unit} over {range.Label}, against the {range.Days} days before", [], notes);
                }

            case QuestionForm.Breakdown:
                {
                    var e = question.Events[0];
                    var property = facts.Properties is null ? null : PhraseMatcher.MatchProperty(question.ByPhrase!, facts.Properties);
                    if (property is null)
                    {
                        notes.Add($"No property of {e} matches '{question.ByPhrase}'{(facts.Properties is { Count: > 0 } p ? $" (its top properties: {string.Join(", ", p.Take(12))})" : string.Empty)}; counted {e} without a breakdown.");
                        var counted = Count(question with { Form = QuestionForm.Count }, range, notes);
                        return counted with { Suggestions = [new SuggestedCall("list_properties", new Dictionary<string, object?> { ["event"] = e }, "to find the property to break down by")] };
                    }

                    var args = new Dictionary<string, object?> { ["event"] = e, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To), ["on"] = MixpanelExpression.Property(property), ["type"] = question.Unique ? "unique" : "general", ["limit"] = 20 };
                    return new DeterministicPlan(QuestionForm.Breakdown, [PlanStep.Of("segmentation", args)], range, $"{e} by {property} over {range.Label}", [], notes);
                }

            case QuestionForm.Funnel:
                return Funnel(question, facts, range, notes);
            case QuestionForm.Retention:
                return Retention(question, facts, lastDay, notes);
            default:
                return new DeterministicPlan(QuestionForm.Unrecognised, [], range, "not one of the question forms answered without a model", Suggest(question, facts, range, lastDay), notes);
        }
    }

    private static DeterministicPlan Count(ParsedQuestion question, DayRange range, List<string> notes)
    {
        var type = question.Unique ? "unique" : "general";
        if (question.Events.Count > 1)
        {
            var events = question.Events.Take(10).ToList();
            return new DeterministicPlan(QuestionForm.Count, [PlanStep.Of("event_counts", new Dictionary<string, object?> { ["events"] = events, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To), ["type"] = type })], range, $"{string.Join(", ", events)} over {range.Label}", [], notes);
        }

        if (question.Unique)
        {
            notes.Add("Unique counts are per day and summed: a user active on several days counts once per day.");
        }

        var e = question.Events[0];
        return new DeterministicPlan(QuestionForm.Count, [Segmentation(e, range, type, "day")], range, $"{e} over {range.Label}", [], notes);
    }

    private static DeterministicPlan Funnel(ParsedQuestion question, ProjectFacts facts, DayRange range, List<string> notes)
    {
        var funnel = facts.Funnels is null ? null : MatchFunnel(question, facts);
        if (funnel is null)
        {
            var suggestions = new List<SuggestedCall>();
            if (facts.Funnels is { Count: > 0 } saved)
            {
                notes.Add($"No saved funnel matches the question; saved funnels: {string.Join("; ", saved.Select(f => $"{f.FunnelId} {f.Name}"))}.");
                suggestions.AddRange(saved.Take(4).Select(f => new SuggestedCall("funnel", new Dictionary<string, object?> { ["funnel_id"] = f.FunnelId, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To) }, $"the saved funnel '{f.Name}'")));
            }

            if (question.Events.Count >= 2)
            {
                suggestions.Add(new SuggestedCall("local_funnel", new Dictionary<string, object?> { ["steps"] = question.Events.Take(6).ToList(), ["from_date"] = Day(range.From), ["to_date"] = Day(range.To) }, "an ad-hoc funnel over these events, after fetch_events for the range (costs no Query API calls)"));
            }

            suggestions.Add(new SuggestedCall("list_funnels", new Dictionary<string, object?>(), "to see every saved funnel"));
            return new DeterministicPlan(QuestionForm.Funnel, [], range, "no saved funnel matches", suggestions, notes);
        }

        return new DeterministicPlan(QuestionForm.Funnel, [PlanStep.Of("funnel", new Dictionary<string, object?> { ["funnel_id"] = funnel.FunnelId, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To) })], range, $"the saved funnel '{funnel.Name}' over {range.Label}", [], notes);
    }

    /// <summary>
    /// The saved funnel a question means: one whose name mentions every event the question names (in order), else the one
    /// sharing the most distinctive words with the question (e.g. "activation", "checkout").
    /// </summary>
    public static FunnelSummary? MatchFunnel(ParsedQuestion question, ProjectFacts facts)
    {
        var funnels = facts.Funnels ?? [];
        if (question.Events.Count >= 2)
        {
            var byEvents = funnels.FirstOrDefault(f =>
            {
                var named = PhraseMatcher.FindEvents(f.Name, facts.Events).Select(m => m.Event).ToList();
                var at = 0;
                foreach (var e in question.Events)
                {
                    at = named.IndexOf(e, at);
                    if (at < 0)
                    {
                        return false;
                    }

                    at++;
                }

                return true;
            });
            // Two named events are the funnel's steps: a funnel that does not have them is not the one asked about.
            return byEvents;
        }

        return MatchFunnelByWords(question.Text, funnels);
    }

    /// <summary>The saved funnel sharing the most distinctive words with <paramref name="question"/>, or null.</summary>
    public static FunnelSummary? MatchFunnelByWords(string question, IReadOnlyList<FunnelSummary> funnels)
    {
        var words = PhraseMatcher.Words(question).Where(w => !GenericWords.Contains(w) && w.Length > 2).ToList();
        return funnels
            .Select(f => (Funnel: f, Score: PhraseMatcher.Words(f.Name).Distinct().Count(n => !GenericWords.Contains(n) && words.Any(w => PhraseMatcher.SameWord(w, n)))))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Funnel.FunnelId)
            .Select(x => x.Funnel)
            .FirstOrDefault();
    }

    private static DeterministicPlan Retention(ParsedQuestion question, ProjectFacts facts, DateOnly lastDay, List<string> notes)
    {
        var born = question.Events.Count > 0 ? question.Events[0] : ProjectRoles.Detect(facts.Events).Signup;
        var range = question.Range ?? new DayRange(lastDay.AddDays(1 - RetentionWindowDays), lastDay, $"cohorts of the last {RetentionWindowDays} days");
        if (born is null)
        {
            return new DeterministicPlan(QuestionForm.Retention, [], range, "no event to start the cohorts", [new SuggestedCall("list_events", new Dictionary<string, object?>(), "to pick the event that starts a cohort (e.g. a sign-up)")], notes);
        }

        if (question.Events.Count == 0)
        {
            notes.Add($"No event was named; cohorts start at {born}, the project's sign-up event.");
        }

        if (question.Range is null)
        {
            notes.Add($"Cohorts are the users who did {born} in the last {RetentionWindowDays} days, so that day-30 retention can be measured on the older ones.");
        }

        var args = new Dictionary<string, object?> { ["born_event"] = born, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To), ["unit"] = "day", ["interval_count"] = 30 };
        var returning = question.Events.Count > 1 ? question.Events[1] : null;
        if (returning is not null)
        {
            args["event"] = returning;
        }

        return new DeterministicPlan(QuestionForm.Retention, [PlanStep.Of("retention", args)], range, $"retention of users after {born}{(returning is null ? string.Empty : $" (returning with {returning})")}", [], notes);
    }

    private static List<SuggestedCall> Suggest(ParsedQuestion question, ProjectFacts facts, DayRange range, DateOnly lastDay)
    {
        var calls = new List<SuggestedCall>();
        var events = question.Events.Count > 0 ? question.Events : [.. new[] { ProjectRoles.Detect(facts.Events).Signup }.OfType<string>()];
        foreach (var e in events.Take(2))
        {
            calls.Add(new SuggestedCall("segmentation", new Dictionary<string, object?> { ["event"] = e, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To) }, $"daily counts of {e}"));
            calls.Add(new SuggestedCall("retention", new Dictionary<string, object?> { ["born_event"] = e, ["from_date"] = Day(lastDay.AddDays(1 - RetentionWindowDays)), ["to_date"] = Day(lastDay), ["interval_count"] = 30 }, $"whether users come back after {e}"));
        }

        calls.Add(new SuggestedCall("list_events", new Dictionary<string, object?>(), "the project's events, to name one in the question"));
        calls.Add(new SuggestedCall("list_funnels", new Dictionary<string, object?>(), "saved funnels, for conversion questions"));
        return calls;
    }

    private static PlanStep Segmentation(string e, DayRange range, string type, string unit) =>
        PlanStep.Of("segmentation", new Dictionary<string, object?> { ["event"] = e, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To), ["type"] = type, ["unit"] = unit });

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
