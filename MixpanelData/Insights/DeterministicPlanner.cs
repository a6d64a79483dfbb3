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

/// <summary>What a plan reads from the Export API after its Query API steps.</summary>
internal enum PlanExport
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>The question's event, to count its distinct users exactly.</summary>
    DistinctUsers,

    /// <summary>The named events, for a funnel no saved funnel starts with.</summary>
    Funnel,
}

/// <summary>The deterministic answer's plan: steps to run (validated like any plan), what they mean, or the closest calls to make.</summary>
internal sealed record DeterministicPlan(QuestionForm Form, IReadOnlyList<PlanStep> Steps, DayRange Range, string Meaning, IReadOnlyList<SuggestedCall> Suggestions, IReadOnlyList<string> Notes)
{
    /// <summary>For a top question: the least rather than the most.</summary>
    public bool Least { get; init; }

    /// <summary>For a series asked as "which day had the most …": the answer leads with the top bucket and the next ones.</summary>
    public bool Ranked { get; init; }

    /// <summary>What is read from the Export API after the steps.</summary>
    public PlanExport Export { get; init; }

    /// <summary>For a series: <c>day</c>, <c>week</c> or <c>month</c>.</summary>
    public string? Unit { get; init; }

    /// <summary>For a breakdown, top or share: the property broken down by.</summary>
    public string? Property { get; init; }

    /// <summary>For a funnel: the events the question named, in order (the saved funnel may have more steps).</summary>
    public IReadOnlyList<string> AskedSteps { get; init; } = [];

    /// <summary>For an unanswerable question: the closest question that is answered without a model.</summary>
    public string? ClosestQuestion { get; init; }
}

/// <summary>Turns a recognised question into plan steps over real names; pure, so each decision can be tested by hand.</summary>
internal static class DeterministicPlanner
{
    private static readonly HashSet<string> GenericWords =
    [
        "funnel", "funnels", "conversion", "convert", "converts", "from", "to", "the", "what", "whats", "is", "our", "of", "how", "does", "do", "rate",
        "show", "me", "a", "an", "and", "in", "for", "last", "week", "month", "days", "step", "steps", "users", "user", "did", "well", "doing",
    ];

    /// <summary>The most named events an ad-hoc funnel takes.</summary>
    public const int MaxFunnelSteps = 5;

    /// <summary>The retention cohorts' default window: long enough that day-30 retention can be measured.</summary>
    public const int RetentionWindowDays = 60;

    public static DeterministicPlan Plan(ParsedQuestion question, ProjectFacts facts, DayRange defaultRange, DateOnly lastDay)
    {
        var range = question.Range ?? defaultRange;
        var notes = new List<string>();
        var type = question.Unique ? "unique" : "general";
        switch (question.Form)
        {
            case QuestionForm.Count:
                return Count(question, range, notes);
            case QuestionForm.Trend:
                {
                    var previous = range.Previous();
                    var e = question.Events[0];
                    return new DeterministicPlan(QuestionForm.Trend, [Segmentation(e, range, type, "day"), Segmentation(e, previous, type, "day")], range, $"{e} over {range.Label}, against the {range.Days} days before", [], notes);
                }

            case QuestionForm.Series:
                {
                    var e = question.Events[0];
                    var unit = question.Unit ?? "day";
                    if (question.Unique)
                    {
                        notes.Add($"Unique users are counted per {unit}: a user active in several {unit}s counts once in each.");
                    }

                    var meaning = question.Ranked ? $"the {unit} with the {(question.Least ? "fewest" : "most")} {e} over {range.Label}" : $"{e} per {unit} over {range.Label}";
                    return new DeterministicPlan(QuestionForm.Series, [Segmentation(e, range, type, unit)], range, meaning, [], notes) { Unit = unit, Least = question.Least, Ranked = question.Ranked };
                }

            case QuestionForm.Breakdown:
            case QuestionForm.Top:
            case QuestionForm.Share:
                return ByProperty(question, facts, range, notes);
            case QuestionForm.Distinct:
                {
                    var e = question.Events[0];
                    notes.Add($"Mixpanel's segmentation counts unique users per day and sums the days, so a user active on several days counts several times; the exact number of distinct users is counted from the export of {e} over the range (an Export API call, not a Query API call).");
                    return new DeterministicPlan(QuestionForm.Distinct, [Segmentation(e, range, "unique", "day")], range, $"distinct users who did {e} over {range.Label}", [], notes) { Export = PlanExport.DistinctUsers };
                }

            case QuestionForm.Funnel:
                return Funnel(question, facts, range, notes);
            case QuestionForm.Retention:
                return Retention(question, facts, lastDay, notes);
            default:
                return new DeterministicPlan(QuestionForm.Unrecognised, [], range, "not one of the question forms answered without a model", Suggest(question, facts, range, lastDay), notes) { ClosestQuestion = Closest(question, facts, range) };
        }
    }

    /// <summary>A breakdown, "which … most/least" or shares: one segmentation on the property the question's words name.</summary>
    private static DeterministicPlan ByProperty(ParsedQuestion question, ProjectFacts facts, DayRange range, List<string> notes)
    {
        var e = question.Events[0];
        var property = facts.Properties is null ? null : PhraseMatcher.MatchProperty(question.ByPhrase!, facts.Properties);
        if (property is null)
        {
            notes.Add($"No property of {e} matches '{question.ByPhrase}'{(facts.Properties is { Count: > 0 } p ? $" (its top properties: {string.Join(", ", p.Take(12))})" : string.Empty)}; counted {e} without a breakdown.");
            var counted = Count(question with { Form = QuestionForm.Count }, range, notes);
            var suggestions = new List<SuggestedCall> { new("list_properties", new Dictionary<string, object?> { ["event"] = e }, "to find the property to break down by") };
            if (facts.Properties is { Count: > 0 } known && PhraseMatcher.Closest(question.ByPhrase!, known, 1) is [var close])
            {
                suggestions.Insert(0, new SuggestedCall("segmentation", BreakdownArgs(e, close, range, question.Unique), $"{e} by {close}, the closest property name"));
            }

            return counted with { Suggestions = suggestions };
        }

        if (question.Unique)
        {
            notes.Add("Unique users are counted per day and summed over the days in each segment.");
        }

        var meaning = question.Form switch
        {
            QuestionForm.Top => $"the {property} with the {(question.Least ? "fewest" : "most")} {e} over {range.Label}",
            QuestionForm.Share => $"shares of {e} by {property} over {range.Label}",
            _ => $"{e} by {property} over {range.Label}",
        };
        return new DeterministicPlan(question.Form, [PlanStep.Of("segmentation", BreakdownArgs(e, property, range, question.Unique))], range, meaning, [], notes) { Least = question.Least, Property = property };
    }

    private static Dictionary<string, object?> BreakdownArgs(string e, string property, DayRange range, bool unique) =>
        new() { ["event"] = e, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To), ["on"] = MixpanelExpression.Property(property), ["type"] = unique ? "unique" : "general", ["limit"] = 50 };

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
        var asked = question.Events.Count >= 2 ? question.Events.Take(MaxFunnelSteps).ToList() : [];
        if (asked.Count >= 2 && (funnel is null || !FunnelEvents(funnel, facts).Take(asked.Count).SequenceEqual(asked)))
        {
            // No saved funnel starts with the named events: the Query API cannot compute an ad-hoc funnel, the export can.
            notes.Add($"No saved funnel starts with {string.Join(" → ", asked)}{(funnel is null ? string.Empty : $" (the saved funnel '{funnel.Name}' has them with other steps between)")}; the conversion is counted from the export of these events, within {ExportFunnel.WindowDays} days of the first step.");
            var alternatives = new List<SuggestedCall> { new("local_funnel", new Dictionary<string, object?> { ["steps"] = asked, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To) }, "the same funnel over a fetched table, with breakdowns (after fetch_events for the range)") };
            if (funnel is not null)
            {
                alternatives.Add(new SuggestedCall("funnel", new Dictionary<string, object?> { ["funnel_id"] = funnel.FunnelId, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To) }, $"the saved funnel '{funnel.Name}'"));
            }

            return new DeterministicPlan(QuestionForm.Funnel, [], range, $"conversion {string.Join(" → ", asked)} over {range.Label}", alternatives, notes) { AskedSteps = asked, Export = PlanExport.Funnel };
        }

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

        return new DeterministicPlan(QuestionForm.Funnel, [PlanStep.Of("funnel", new Dictionary<string, object?> { ["funnel_id"] = funnel.FunnelId, ["from_date"] = Day(range.From), ["to_date"] = Day(range.To) })], range, $"the saved funnel '{funnel.Name}' over {range.Label}", [], notes) { AskedSteps = asked };
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
            // Prefer a funnel whose first steps are the named events: its step counts are then exactly their conversion.
            var byEvents = funnels.OrderByDescending(f => FunnelEvents(f, facts).Take(question.Events.Count).SequenceEqual(question.Events)).FirstOrDefault(f =>
            {
                var named = FunnelEvents(f, facts).ToList();
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

    /// <summary>The project's events a saved funnel's name lists, in order (e.g. "Activation: Sign Up → Create Project").</summary>
    public static IReadOnlyList<string> FunnelEvents(FunnelSummary funnel, ProjectFacts facts) =>
        [.. PhraseMatcher.FindEvents(funnel.Name, facts.Events).Select(m => m.Event)];

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

    /// <summary>A question of an answered form over a real event that is nearest to what was asked.</summary>
    private static string? Closest(ParsedQuestion question, ProjectFacts facts, DayRange range)
    {
        var e = question.Events.Count > 0 ? question.Events[0] : ProjectRoles.Detect(facts.Events).Signup ?? facts.Events.FirstOrDefault();
        return e is null ? null : $"How many {e} events from {Day(range.From)} to {Day(range.To)}, per day?";
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
