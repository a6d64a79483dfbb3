using MixpanelData.Analytics.Expressions;
using MixpanelData.Discovery;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>The kinds of product goal a GQM investigation recognises.</summary>
public enum GoalCategory
{
    /// <summary>Users coming back.</summary>
    Retention,

    /// <summary>New users reaching value.</summary>
    Activation,

    /// <summary>Purchases and upgrades.</summary>
    Conversion,

    /// <summary>How much and how often users use the product.</summary>
    Engagement,

    /// <summary>More users and activity.</summary>
    Growth,
}

/// <summary>How a question's answer is computed from its queries' results.</summary>
internal enum GqmMeasure
{
    OverallRetention,
    RetentionBySegment,
    RetentionCompare,
    Frequency,
    WeeklyActiveTrend,
    Trend,
    Breakdown,
    FunnelOverall,
    FunnelBySegment,
    RevenueTrend,
    TopEventsTrend,
}

/// <summary>The goal's category, with the words that decided it.</summary>
/// <param name="Category">The category.</param>
/// <param name="Matched">The goal's words that decided it.</param>
/// <param name="Assumed">No category word was found, so the category is assumed.</param>
public sealed record GoalClassification(GoalCategory Category, IReadOnlyList<string> Matched, bool Assumed);

/// <summary>One query a question needs; questions sharing a <see cref="Key"/> share one call.</summary>
internal sealed record GqmQuery(string Key, string Purpose, object Request);

/// <summary>A GQM question: what it asks, the metric over the project's real names, its queries, or why it cannot be answered.</summary>
internal sealed record GqmQuestion(string Id, string Text, string Metric, GqmMeasure Measure, IReadOnlyList<GqmQuery> Queries, string? Unanswerable = null);

/// <summary>
/// Goal–Question–Metric: classifies a goal, derives 3 to 5 questions for its category, and maps each to metrics over the
/// events and properties found in the project (<see cref="ProjectRoles"/>), never to assumed names. Pure.
/// </summary>
internal static class GqmPlanner
{
    private static readonly (GoalCategory Category, string[] Strong, string[] Weak)[] Vocabulary =
    [
        (GoalCategory.Retention, ["retention", "retain", "churn"], ["come back", "return", "returning", "stick", "sticky", "loyal", "repeat", "keep", "lapsed", "dormant"]),
        (GoalCategory.Activation, ["activation", "activate", "onboarding", "onboard"], ["first project", "setup", "set up", "aha", "time to value", "first week"]),
        (GoalCategory.Conversion, ["conversion", "convert", "monetisation", "monetization", "revenue"], ["purchase", "pay", "paying", "paid", "upgrade", "checkout", "subscription", "subscribe", "trial", "mrr", "arpu", "ltv", "sales"]),
        (GoalCategory.Engagement, ["engagement", "engage", "engaged"], ["active", "usage", "use", "habit", "dau", "wau", "mau", "frequency", "feature", "adoption", "adopt"]),
        (GoalCategory.Growth, ["growth", "acquisition", "acquire"], ["grow", "sign up", "signup", "sign-up", "traffic", "channel", "marketing", "campaign", "inflow", "new users", "top of funnel"]),
    ];

    /// <summary>Strong words count 2, others 1; ties go to the earlier category (retention first); no match assumes retention.</summary>
    public static GoalClassification Classify(string goal)
    {
        var text = " " + string.Join(" ", PhraseMatcher.Words(goal)) + " ";
        var best = (Category: GoalCategory.Retention, Score: 0, Matched: new List<string>());
        foreach (var (category, strong, weak) in Vocabulary)
        {
            var matched = new List<string>();
            var score = 0;
            foreach (var word in strong.Concat(weak))
            {
                var phrase = " " + string.Join(" ", PhraseMatcher.Words(word)) + " ";
                if (Contains(text, phrase))
                {
                    matched.Add(word);
                    score += strong.Contains(word) ? 2 : 1;
                }
            }

            if (score > best.Score)
            {
                best = (category, score, matched);
            }
        }

        return new GoalClassification(best.Category, best.Matched, best.Score == 0);
    }

    /// <summary>The questions for <paramref name="category"/>, with metrics over <paramref name="roles"/> and the saved funnels.</summary>
    /// <param name="range">The period asked about (trends compare it with the period before).</param>
    /// <param name="cohorts">The sign-up cohorts retention is measured on (long enough for D30).</param>
    public static IReadOnlyList<GqmQuestion> Questions(GoalCategory category, ProjectRoles roles, IReadOnlyList<FunnelSummary>? funnels, IReadOnlyList<string> events, DayRange range, DayRange cohorts)
    {
        var q = new Catalogue(roles, funnels, events, range, cohorts);
        return category switch
        {
            GoalCategory.Retention => [q.RetentionOverall(), q.RetentionBy("channel", roles.Channel), q.RetentionBy("platform", roles.Platform), q.Habit(), q.Inflow()],
            GoalCategory.Activation => [q.FunnelTo("activation", roles.Activation), q.FunnelToBy("activation", roles.Activation, "platform", roles.Platform), q.FunnelToBy("activation", roles.Activation, "channel", roles.Channel), q.ActivatedRetention()],
            GoalCategory.Conversion => [q.FunnelTo("purchase", roles.Purchase), q.Revenue(), q.FunnelToBy("purchase", roles.Purchase, "channel", roles.Channel), q.Checkout()],
            GoalCategory.Engagement => [q.Habit(), q.TopEvents(), q.WeeklyActive()],
            _ => [q.Inflow(), q.InflowBy("channel", roles.Channel), q.RetentionBy("channel", roles.Channel), q.InflowBy("platform", roles.Platform)],
        };
    }

    /// <summary>The saved funnel from the sign-up event to <paramref name="target"/>: one whose name names both in order, else one named after the goal's words.</summary>
    public static FunnelSummary? FunnelFor(IReadOnlyList<FunnelSummary> funnels, IReadOnlyList<string> events, string? signup, string? target, params string[] nameWords)
    {
        if (signup is not null && target is not null)
        {
            var byEvents = funnels.FirstOrDefault(f =>
            {
                var named = PhraseMatcher.FindEvents(f.Name, events).Select(m => m.Event).ToList();
                var s = named.IndexOf(signup);
                return s >= 0 && named.IndexOf(target, s + 1) > s;
            });
            if (byEvents is not null)
            {
                return byEvents;
            }
        }

        return funnels.FirstOrDefault(f => PhraseMatcher.Words(f.Name).Any(w => nameWords.Any(n => PhraseMatcher.SameWord(w, n) || w.StartsWith(n, StringComparison.Ordinal))));
    }

    private static bool Contains(string text, string phrase) => text.Contains(phrase, StringComparison.Ordinal)
        || PhraseMatcher.Words(phrase).Count == 1 && PhraseMatcher.Words(text).Any(w => PhraseMatcher.SameWord(w, phrase.Trim()));

    /// <summary>The question catalogue over one project's roles.</summary>
    private sealed class Catalogue(ProjectRoles roles, IReadOnlyList<FunnelSummary>? funnels, IReadOnlyList<string> events, DayRange range, DayRange cohorts)
    {
        private const string NoSignup = "no sign-up event (Sign Up, Signup, Register, Create Account…) was found among the project's events";

        public GqmQuestion RetentionOverall() => roles.Signup is null
            ? Missing("retention", "What share of new users come back on day 1, 7 and 30?", NoSignup)
            : new("retention", $"What share of new users come back 1, 7 and 30 days after {roles.Signup}?", $"D1/D7/D30 retention after {roles.Signup} (any event), sign-up cohorts {cohorts}", GqmMeasure.OverallRetention, [RetentionQuery(roles.Channel)]);

        public GqmQuestion RetentionBy(string what, string? property) =>
            roles.Signup is null ? Missing($"retention_by_{what}", $"Which {what} keeps new users best?", NoSignup)
            : property is null ? Missing($"retention_by_{what}", $"Which {what} keeps new users best?", $"{roles.Signup} carries no {what} property ({(what == "channel" ? "utm_source, source, channel, referrer" : "platform, $os, $browser, $device")})")
            : new($"retention_by_{what}", $"Which {what} ({property}) keeps new users best?", $"D7/D30 retention after {roles.Signup} by {property}, with a z-test of the best against the worst", GqmMeasure.RetentionBySegment, [RetentionQuery(property)]);

        public GqmQuestion Habit() => new("habit", "How many days a week are active users active?", $"distinct active days per week per active user (any event), {range}", GqmMeasure.Frequency, [Frequency()]);

        public GqmQuestion WeeklyActive() => new("weekly_active", "Are weekly active users growing?", $"users active at least one day a week (any event), first against last complete week of {range}", GqmMeasure.WeeklyActiveTrend, [Frequency()]);

        public GqmQuestion Inflow() => roles.Signup is null
            ? Missing("inflow", "Is the inflow of new users growing?", NoSignup)
            : new("inflow", $"Is the inflow of new users ({roles.Signup}) growing?", $"{roles.Signup} events, {range} against the {range.Days} days before", GqmMeasure.Trend, [Segmentation(roles.Signup, range, null), Segmentation(roles.Signup, range.Previous(), null)]);

        public GqmQuestion InflowBy(string what, string? property) =>
            roles.Signup is null ? Missing($"inflow_by_{what}", $"Which {what}s bring the most new users?", NoSignup)
            : property is null ? Missing($"inflow_by_{what}", $"Which {what}s bring the most new users?", $"{roles.Signup} carries no {what} property")
            : new($"inflow_by_{what}", $"Which {what}s ({property}) bring the most new users?", $"{roles.Signup} by {property}, {range}", GqmMeasure.Breakdown, [Segmentation(roles.Signup, range, property)]);

        public GqmQuestion FunnelTo(string goal, string? target)
        {
            var text = $"What share of new users reach {target ?? goal}?";
            if (roles.Signup is null || target is null)
            {
                return Missing($"{goal}_funnel", text, roles.Signup is null ? NoSignup : $"no {goal} event was found among the project's events");
            }

            var funnel = funnels is null ? null : FunnelFor(funnels, events, roles.Signup, target, goal == "purchase" ? ["monetisation", "monetization", "purchase", "paid", "conversion"] : ["activation", "onboarding"]);
            return funnel is null
                ? Missing($"{goal}_funnel", text, $"no saved funnel from {roles.Signup} to {target} (funnels are run by saved id through the Query API); save one in Mixpanel, or fetch_events and use local_funnel")
                : new($"{goal}_funnel", text, $"conversion of the saved funnel '{funnel.Name}', {range}", GqmMeasure.FunnelOverall, [new GqmQuery($"funnel:{funnel.FunnelId}", $"funnel {funnel.FunnelId}", new SavedFunnelQuery(funnel.FunnelId, range.From, range.To) { Limit = 50 })]);
        }

        public GqmQuestion FunnelToBy(string goal, string? target, string what, string? property)
        {
            var baseQuestion = FunnelTo(goal, target);
            var text = $"Which {what} {(goal == "purchase" ? "converts" : "activates")} best{(property is null ? string.Empty : $" ({property})")}?";
            if (baseQuestion.Unanswerable is not null)
            {
                return baseQuestion with { Id = $"{goal}_by_{what}", Text = text };
            }

            if (property is null)
            {
                return Missing($"{goal}_by_{what}", text, $"{roles.Signup} carries no {what} property");
            }

            var funnelQuery = (SavedFunnelQuery)baseQuestion.Queries[0].Request;
            return new($"{goal}_by_{what}", text, $"{baseQuestion.Metric} by {property} (the property of the first step)", GqmMeasure.FunnelBySegment,
                [new GqmQuery($"funnel:{funnelQuery.FunnelId}:{property}", $"funnel {funnelQuery.FunnelId} by {property}", funnelQuery with { On = MixpanelExpression.Property(property) })]);
        }

        public GqmQuestion ActivatedRetention() =>
            roles.Signup is null || roles.Activation is null
                ? Missing("activated_retention", "Do users who activate come back more than new users overall?", roles.Signup is null ? NoSignup : "no activation event was found")
                : new("activated_retention", $"Do users who {roles.Activation} come back more than new users overall?", $"D7 retention after {roles.Activation} against after {roles.Signup}, cohorts {cohorts} (overlapping groups: compared, not tested)", GqmMeasure.RetentionCompare,
                    [new GqmQuery($"retention:{roles.Activation}", $"retention after {roles.Activation}", new RetentionQuery(cohorts.From, cohorts.To) { BornEvent = roles.Activation, IntervalCount = 30 }), RetentionQuery(null)]);

        public GqmQuestion Revenue() => roles.Purchase is null || roles.Revenue is null
            ? Missing("revenue", "How much revenue came in, against the previous period?", roles.Purchase is null ? "no purchase event was found" : $"{roles.Purchase} carries no revenue property (revenue, amount, price, value)")
            : new("revenue", $"How much revenue ({roles.Purchase}.{roles.Revenue}) came in, against the previous period?", $"sum of {roles.Revenue} on {roles.Purchase}, {range} against the {range.Days} days before", GqmMeasure.RevenueTrend,
                [Sum(range, "current"), Sum(range.Previous(), "previous")]);

        public GqmQuestion Checkout()
        {
            var funnel = funnels?.FirstOrDefault(f => PhraseMatcher.Words(f.Name).Any(w => w is "checkout" or "pricing" or "billing" or "cart"));
            return funnel is null
                ? Missing("checkout", "Which checkout step loses the most buyers?", "no saved checkout (pricing, billing, cart) funnel")
                : new("checkout", "Which checkout step loses the most buyers?", $"step conversion of the saved funnel '{funnel.Name}', {range}", GqmMeasure.FunnelOverall, [new GqmQuery($"funnel:{funnel.FunnelId}", $"funnel {funnel.FunnelId}", new SavedFunnelQuery(funnel.FunnelId, range.From, range.To) { Limit = 50 })]);
        }

        public GqmQuestion TopEvents()
        {
            var names = events.Take(50).ToList();
            return names.Count == 0
                ? Missing("top_events", "Which features are used most, and are they growing?", "the project has no events")
                : new("top_events", "Which features are used most, and are they growing?", $"events per action, {range} against the {range.Days} days before", GqmMeasure.TopEventsTrend,
                    [new GqmQuery("event_counts:current", "event counts, current period", new EventCountsQuery(names, range.From, range.To) { Unit = TimeUnit.Month }), new GqmQuery("event_counts:previous", "event counts, previous period", new EventCountsQuery(names, range.Previous().From, range.Previous().To) { Unit = TimeUnit.Month })]);
        }

        private GqmQuery RetentionQuery(string? by) => new(
            by is null ? $"retention:{roles.Signup}" : $"retention:{roles.Signup}:{by}",
            $"retention after {roles.Signup}{(by is null ? string.Empty : $" by {by}")}",
            new RetentionQuery(cohorts.From, cohorts.To) { BornEvent = roles.Signup, IntervalCount = 30, On = by is null ? null : MixpanelExpression.Property(by) });

        private GqmQuery Frequency() => new("frequency", "weekly active days (any event)", new FrequencyQuery(range.From, range.To) { Unit = TimeUnit.Week, AddictionUnit = TimeUnit.Day });

        private static GqmQuery Segmentation(string e, DayRange r, string? by) => new(
            $"segmentation:{e}:{r}:{by}", $"{e}{(by is null ? string.Empty : $" by {by}")} {r}",
            new SegmentationQuery(e, r.From, r.To) { On = by is null ? null : MixpanelExpression.Property(by), Limit = 20 });

        private GqmQuery Sum(DayRange r, string which) => new($"sum:{r}", $"sum of {roles.Revenue} on {roles.Purchase}, {which} period", new NumericAggregateQuery(roles.Purchase!, r.From, r.To, MixpanelExpression.Property(roles.Revenue!)));

        private static GqmQuestion Missing(string id, string text, string reason) => new(id, text, "—", GqmMeasure.Trend, [], reason);
    }
}
