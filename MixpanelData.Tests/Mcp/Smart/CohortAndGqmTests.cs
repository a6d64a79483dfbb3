using MixpanelData.Discovery;
using MixpanelData.Insights;
using MixpanelData.Queries;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>The pure parts of cohort_comparison and gqm_investigation, on hand-built inputs.</summary>
public sealed class CohortAndGqmTests
{
    private static readonly string[] Events = ["Page View", "Sign Up", "Create Project", "Purchase", "Payment Failed"];
    private static readonly DayRange Range = new(new DateOnly(2026, 2, 14), new DateOnly(2026, 3, 15), "the last 30 days");
    private static readonly DayRange Cohorts = new(new DateOnly(2026, 1, 15), new DateOnly(2026, 3, 15), "sign-ups");

    [TestCase("user[\"utm_source\"] == \"referral\"", null)]
    [TestCase("user[\"plan\"] in [\"pro\", \"business\"] and defined(user[\"company\"])", null)]
    [TestCase("properties[\"utm_source\"] == \"referral\"", "user properties only")]
    [TestCase("user[\"a\"] == 1 and properties[\"b\"] == 2", "user properties only")]
    [TestCase("user[\"a\"] = 1", "write '==' to compare")]
    public void RequireUserExpression_AcceptsOnlyUserPropertyFilters(string text, string? problem)
    {
        if (problem is null)
        {
            Assert.That(CohortFilter.RequireUserExpression(text, "cohort_a"), Is.EqualTo(text));
        }
        else
        {
            Assert.That(Assert.Throws<ArgumentException>(() => CohortFilter.RequireUserExpression(text, "cohort_a"))!.Message, Does.Contain(problem));
        }
    }

    [Test]
    public void CohortActivity_CountsRetentionActivityAndEventsFromTheMembersOwnEvents()
    {
        static (string, DateOnly, string, long) E(string name, int march, string user, long count = 1) => (name, new DateOnly(2026, 3, march), user, count);
        var events = new ExportedEvents(
        [
            E("Sign Up", 2, "u1"), E("Login", 3, "u1"), E("Login", 9, "u1"), E("Login", 10, "u1"),
            E("Sign Up", 5, "u2"),
            E("Sign Up", 2, "u3"), E("Login", 9, "u3"), E("Login", 12, "u3", count: 2),
            E("Sign Up", 2, "u4"), E("Login", 3, "u4"),
        ], 11, 4, "test rows");
        var from = new DateOnly(2026, 3, 2);
        var to = new DateOnly(2026, 3, 15);

        var joined = CohortActivity.Join(events, new HashSet<string> { "u1", "u2" }, new HashSet<string> { "u3", "u5" }, "Sign Up", from, to);

        Assert.That((joined.A.Retention(1, to).Users, joined.A.Retention(1, to).Returned), Is.EqualTo((2L, 1L)), "u1 came back on day 1, u2 did not; u4 is in neither cohort");
        Assert.That((joined.A.Retention(7, to).Users, joined.A.Retention(7, to).Returned), Is.EqualTo((2L, 1L)));
        Assert.That(joined.A.Retention(30, to).Users, Is.Zero, "nobody was born 30 days before the last day");
        Assert.That((joined.B.Retention(1, to).Returned, joined.B.Retention(7, to).Returned), Is.EqualTo((0L, 1L)));
        Assert.That(CohortActivity.LastCompleteWeek(from, to), Is.EqualTo(new DateOnly(2026, 3, 9)), "15 March 2026 is a Sunday");
        Assert.That(CohortActivity.LastCompleteWeek(from, new DateOnly(2026, 3, 14)), Is.EqualTo(from), "a week that ends after the range is not complete");
        Assert.That(CohortActivity.LastCompleteWeek(new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 14)), Is.Null);
        var week = joined.Activity(new DateOnly(2026, 3, 9));
        Assert.That((week.ActiveA, week.MembersA, week.DaysA, week.ActiveB, week.MembersB, week.DaysB), Is.EqualTo((1L, 2L, 2.0, 1L, 2L, 2.0)), "u5 has no events but is a member");
        var top = joined.TopEvents(5);
        Assert.That(top.Select(e => (e.Event, e.TotalA, e.PerMemberA, e.TotalB, e.PerMemberB)), Is.EqualTo(new[] { ("Login", 3.0, 1.5, 3.0, 1.5), ("Sign Up", 2.0, 1.0, 1.0, 0.5) }), "a row of two events (as the store's GROUP BY reads them) counts twice, and its day once");
    }

    [Test]
    public void Findings_NameTheBetterCohortOnlyWhenSignificant()
    {
        static RetentionContrast C(int day, long ra, long na, long rb, long nb) =>
            new(day, new BucketRate(day, ra, na), new BucketRate(day, rb, nb), Statistics.TwoProportions(ra, na, rb, nb));
        RetentionContrast[] contrasts = [C(1, 30, 100, 10, 100), C(7, 30, 100, 10, 100), C(30, 30, 100, 0, 0)];

        var findings = CohortComparison.Findings("Referral", "Paid", contrasts, null, [CohortComparison.Events("Login", 500, 100, 100, 100)]);

        Assert.That(contrasts[1].Test.Z, Is.EqualTo(3.535533905932737).Within(1e-9));
        Assert.That(findings[1], Does.StartWith("D7: Referral retains better — 30.0 % (n=100) vs 10.0 % (n=100)"));
        Assert.That(findings[2], Does.StartWith("D30 retention cannot be compared"), "B's cohort has not reached day 30");
        Assert.That(findings[3], Does.Contain("Login 5.00 vs 1.00 (5.00×)"));
    }

    [TestCase("improve retention of new users", "Retention")]
    [TestCase("reduce churn", "Retention")]
    [TestCase("increase revenue from upgrades", "Conversion")]
    [TestCase("get more new users to onboard", "Activation")]
    [TestCase("grow sign-ups from marketing campaigns", "Growth")]
    [TestCase("make people use the product more often", "Engagement")]
    public void Classify_Goals_FallInTheirCategory(string goal, string category)
    {
        Assert.That(GqmPlanner.Classify(goal).Category.ToString(), Is.EqualTo(category));
    }

    [Test]
    public void Classify_NoCategoryWords_AssumesRetentionAndSaysSo()
    {
        var classification = GqmPlanner.Classify("make things better");

        Assert.That(classification.Category, Is.EqualTo(GoalCategory.Retention));
        Assert.That(classification.Assumed, Is.True);
    }

    [Test]
    public void Questions_Retention_MapToRealNamesAndSayWhatIsMissing()
    {
        var roles = new ProjectRoles("Sign Up", "Create Project", "Purchase", null, null, "platform");

        var questions = GqmPlanner.Questions(GoalCategory.Retention, roles, null, Events, Range, Cohorts);

        Assert.That(questions.Select(q => q.Id), Is.EqualTo(new[] { "retention", "retention_by_channel", "retention_by_platform", "habit", "inflow" }));
        var overall = (RetentionQuery)questions[0].Queries.Single().Request;
        Assert.That((overall.BornEvent, overall.FromDate, overall.ToDate, overall.IntervalCount, overall.On), Is.EqualTo(("Sign Up", Cohorts.From, Cohorts.To, 30, (string?)null)));
        Assert.That(questions[1].Unanswerable, Does.Contain("no channel property"));
        Assert.That(((RetentionQuery)questions[2].Queries.Single().Request).On, Is.EqualTo("properties[\"platform\"]"));
        var inflow = questions[4].Queries.Select(q => (SegmentationQuery)q.Request).ToList();
        Assert.That(inflow.Select(q => (q.FromDate, q.ToDate)), Is.EqualTo(new[] { (Range.From, Range.To), (new DateOnly(2026, 1, 15), new DateOnly(2026, 2, 13)) }));
    }

    [Test]
    public void Questions_ActivationAndConversion_UseTheSavedFunnelFromSignUpToTheTarget()
    {
        var roles = new ProjectRoles("Sign Up", "Create Project", "Purchase", "revenue", "utm_source", "platform");
        FunnelSummary[] funnels = [new(7011, "Activation: Sign Up → Create Project → Invite Teammate"), new(7012, "Monetisation: Sign Up → Upgrade Plan → Purchase")];

        var activation = GqmPlanner.Questions(GoalCategory.Activation, roles, funnels, Events, Range, Cohorts);
        var conversion = GqmPlanner.Questions(GoalCategory.Conversion, roles, funnels, Events, Range, Cohorts);
        var noFunnels = GqmPlanner.Questions(GoalCategory.Activation, roles, [], Events, Range, Cohorts);

        Assert.That(((SavedFunnelQuery)activation[0].Queries[0].Request).FunnelId, Is.EqualTo(7011));
        Assert.That(((SavedFunnelQuery)activation[1].Queries[0].Request).On, Is.EqualTo("properties[\"platform\"]"));
        Assert.That(((SavedFunnelQuery)conversion[0].Queries[0].Request).FunnelId, Is.EqualTo(7012));
        Assert.That(conversion[1].Queries.Select(q => q.Request), Is.EqualTo(new object[]
        {
            new NumericAggregateQuery("Purchase", Range.From, Range.To, "properties[\"revenue\"]"),
            new NumericAggregateQuery("Purchase", new DateOnly(2026, 1, 15), new DateOnly(2026, 2, 13), "properties[\"revenue\"]"),
        }));
        Assert.That(conversion[3].Unanswerable, Does.Contain("no saved checkout"));
        Assert.That(noFunnels[0].Unanswerable, Does.Contain("no saved funnel from Sign Up to Create Project"));
    }

    [Test]
    public void Answer_RetentionBySegment_BestAgainstWorstWithTheTest()
    {
        var query = new RetentionQuery(Cohorts.From, Cohorts.To) { BornEvent = "Sign Up", IntervalCount = 30, On = "properties[\"utm_source\"]" };
        RetentionSegment Segment(string name, long d7) => new(name, [new RetentionCohort("2026-01-15", 100, [.. Enumerable.Range(0, 31).Select(i => i == 7 ? d7 : 20L)])]);
        var result = new RetentionResult(query, Segment("$overall", 40), [Segment("referral", 30), Segment("tiny", 99) with { Cohorts = [new RetentionCohort("2026-01-15", 10, [.. Enumerable.Repeat(9L, 31)])] }, Segment("paid_social", 10)]);
        var question = new GqmQuestion("retention_by_channel", "Which channel keeps new users best?", "metric", GqmMeasure.RetentionBySegment, [new GqmQuery("k", "retention by utm_source", query)]);

        var answer = GqmAnswers.Answer(question, new Dictionary<string, object> { ["k"] = result }, new Dictionary<string, string>());

        Assert.That(answer.Status, Is.EqualTo("answered"));
        Assert.That(answer.Text, Does.StartWith("Best at D7: referral 30.0 % (n=100); worst: paid_social 10.0 % (n=100); z = 3.54"), "segments under 30 users are left out");
        Assert.That(answer.Numbers!["best_vs_worst_d7"]!["significant"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public void Answer_MissingResult_IsFailedOrSkippedNeverZero()
    {
        var question = new GqmQuestion("inflow", "Is the inflow growing?", "metric", GqmMeasure.Trend, [new GqmQuery("a", "Sign Up now", new object()), new GqmQuery("b", "Sign Up before", new object())]);

        var failed = GqmAnswers.Answer(question, new Dictionary<string, object>(), new Dictionary<string, string> { ["a"] = "Mixpanel answered 500" });
        var skipped = GqmAnswers.Answer(question, new Dictionary<string, object>(), new Dictionary<string, string> { ["a"] = "skipped: it would take the Query API spend over this call's budget of 3" });
        var unanswerable = GqmAnswers.Answer(question with { Unanswerable = "no sign-up event" }, new Dictionary<string, object>(), new Dictionary<string, string>());

        Assert.That((failed.Status, failed.Text, failed.Numbers), Is.EqualTo(("failed", "Sign Up now: Mixpanel answered 500", (System.Text.Json.Nodes.JsonObject?)null)));
        Assert.That(skipped.Status, Is.EqualTo("skipped"));
        Assert.That((unanswerable.Status, unanswerable.Text), Is.EqualTo(("unanswerable", "no sign-up event")));
    }

    [Test]
    public void Answer_Trend_IsTheChangeAgainstThePreviousPeriod()
    {
        var now = new SegmentationResult("Sign Up", Range.From, Range.To, TimeUnit.Day, CountType.General, null, ["d1", "d2"], [new SegmentSeries("Sign Up", [70, 50])], false);
        var before = now with { Segments = [new SegmentSeries("Sign Up", [60, 40])] };
        var question = new GqmQuestion("inflow", "Is the inflow growing?", "metric", GqmMeasure.Trend, [new GqmQuery("a", "now", new object()), new GqmQuery("b", "before", new object())]);

        var answer = GqmAnswers.Answer(question, new Dictionary<string, object> { ["a"] = now, ["b"] = before }, new Dictionary<string, string>());

        Assert.That(answer.Text, Is.EqualTo("Sign Up: 120 against 100 in the period before (+20.0%)."));
        Assert.That(answer.Numbers!["change"]!.GetValue<double>(), Is.EqualTo(0.2));
    }
}
