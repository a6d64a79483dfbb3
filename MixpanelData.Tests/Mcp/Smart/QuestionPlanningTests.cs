using System.Text.Json;
using MixpanelData.Discovery;
using MixpanelData.Insights;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>Recognising question forms and planning them over real names, on hand-written questions.</summary>
public sealed class QuestionPlanningTests
{
    private static readonly DateOnly LastDay = new(2026, 3, 15);
    private static readonly DayRange Default = new(new DateOnly(2026, 2, 14), LastDay, "the last 30 days");
    private static readonly string[] Events = ["Page View", "Login", "Sign Up", "Create Project", "Invite Teammate", "Purchase", "Upgrade Plan"];

    private static readonly FunnelSummary[] Funnels =
    [
        new(7011, "Activation: Sign Up → Create Project → Invite Teammate"),
        new(7012, "Monetisation: Sign Up → Upgrade Plan → Purchase"),
        new(7013, "Checkout: Pricing page → Upgrade Plan → Purchase"),
    ];

    private static ParsedQuestion Parse(string question) => QuestionParser.Parse(question, Events, LastDay);

    private static string Arg(PlanStep step, string name) => step.Args[name].ValueKind == JsonValueKind.String ? step.Args[name].GetString()! : step.Args[name].GetRawText();

    [TestCase("How many sign ups last week?", "Count")]
    [TestCase("Trend of purchases over 30 days", "Trend")]
    [TestCase("Are logins growing?", "Trend")]
    [TestCase("Sign ups by utm source last month", "Breakdown")]
    [TestCase("Show me the activation funnel", "Funnel")]
    [TestCase("What is the conversion from sign up to purchase?", "Funnel")]
    [TestCase("Retention of users who create a project", "Retention")]
    [TestCase("Do users who sign up come back?", "Retention")]
    [TestCase("What should we build next?", "Unrecognised")]
    [TestCase("Show me logins per day for the last two weeks", "Series")]
    [TestCase("Which country had the most sign-ups last week?", "Top")]
    [TestCase("What share of purchases comes from each plan?", "Share")]
    [TestCase("How many distinct users made a purchase this month?", "Distinct")]
    [TestCase("How many daily unique users signed up last week?", "Series")]
    [TestCase("What percent of users who sign up go on to purchase?", "Funnel")]
    public void Parse_CommonForms_AreRecognised(string question, string form)
    {
        Assert.That(Parse(question).Form.ToString(), Is.EqualTo(form));
    }

    [Test]
    public void Parse_Users_CountsUniqueAndBreakdownKeepsTheByPhrase()
    {
        var users = Parse("How many users signed up yesterday?");
        var breakdown = Parse("Purchases by utm source over the last 14 days?");

        Assert.That(users.Unique, Is.True);
        Assert.That(users.Events, Is.EqualTo(new[] { "Sign Up" }));
        Assert.That(breakdown.ByPhrase, Is.EqualTo("utm source"));
        Assert.That(breakdown.Range!.Days, Is.EqualTo(14));
    }

    [Test]
    public void Plan_Count_IsOneSegmentationOverTheNamedRange()
    {
        var plan = DeterministicPlanner.Plan(Parse("How many Sign Ups last week?"), new ProjectFacts(Events, null, null), Default, LastDay);

        Assert.That(plan.Steps, Has.Count.EqualTo(1));
        Assert.That(plan.Steps[0].Op, Is.EqualTo("segmentation"));
        Assert.That(Arg(plan.Steps[0], "event"), Is.EqualTo("Sign Up"));
        Assert.That((Arg(plan.Steps[0], "from_date"), Arg(plan.Steps[0], "to_date")), Is.EqualTo(("2026-03-09", "2026-03-15")));
        Assert.That(Arg(plan.Steps[0], "type"), Is.EqualTo("general"));
    }

    [Test]
    public void Plan_Trend_ComparesWithThePreviousPeriod()
    {
        var plan = DeterministicPlanner.Plan(Parse("trend of purchases over 30 days"), new ProjectFacts(Events, null, null), Default, LastDay);

        Assert.That(plan.Steps.Select(s => (Arg(s, "from_date"), Arg(s, "to_date"))), Is.EqualTo(new[] { ("2026-02-14", "2026-03-15"), ("2026-01-15", "2026-02-13") }));
    }

    [Test]
    public void Plan_Breakdown_UsesTheMatchingRealProperty()
    {
        var plan = DeterministicPlanner.Plan(Parse("Sign ups by browser"), new ProjectFacts(Events, null, ["utm_source", "$browser", "platform"]), Default, LastDay);

        Assert.That(Arg(plan.Steps[0], "on"), Is.EqualTo("properties[\"$browser\"]"));
    }

    [Test]
    public void Plan_BreakdownByUnknownProperty_CountsAndSuggestsListingProperties()
    {
        var plan = DeterministicPlanner.Plan(Parse("Sign ups by favourite colour"), new ProjectFacts(Events, null, ["utm_source"]), Default, LastDay);

        Assert.That(plan.Form, Is.EqualTo(QuestionForm.Count));
        Assert.That(plan.Steps[0].Args.ContainsKey("on"), Is.False);
        Assert.That(plan.Notes, Has.Some.Contains("favourite colour"));
        Assert.That(plan.Suggestions.Select(s => s.Tool), Is.EqualTo(new[] { "list_properties" }));
    }

    [TestCase("Sign up to create project conversion", 7011)]
    [TestCase("How is the checkout funnel doing?", 7013)]
    [TestCase("Show me the activation funnel", 7011)]
    public void Plan_Funnel_MatchesTheSavedFunnel(string question, long funnelId)
    {
        var plan = DeterministicPlanner.Plan(Parse(question), new ProjectFacts(Events, Funnels, null), Default, LastDay);

        Assert.That(plan.Steps[0].Op, Is.EqualTo("funnel"));
        Assert.That(plan.Steps[0].Args["funnel_id"].GetInt64(), Is.EqualTo(funnelId));
    }

    [Test]
    public void Plan_FunnelNoSavedFunnelStartsWith_IsCountedFromTheExportOfTheNamedEvents()
    {
        var plan = DeterministicPlanner.Plan(Parse("conversion from login to page view"), new ProjectFacts(Events, Funnels, null), Default, LastDay);

        Assert.That(plan.Steps, Is.Empty, "no Query API step: the Query API has no ad-hoc funnels");
        Assert.That(plan.Export, Is.EqualTo(PlanExport.Funnel));
        Assert.That(plan.AskedSteps, Is.EqualTo(new[] { "Login", "Page View" }));
        var local = plan.Suggestions.Single(s => s.Tool == "local_funnel");
        Assert.That(local.Arguments["steps"], Is.EqualTo(new[] { "Login", "Page View" }));
    }

    [Test]
    public void Plan_FunnelWithStepsBetweenInASavedFunnel_IsCountedFromTheExportAndNamesTheSavedOne()
    {
        var plan = DeterministicPlanner.Plan(Parse("What is the conversion from sign up to purchase?"), new ProjectFacts(Events, Funnels, null), Default, LastDay);

        Assert.That(plan.Export, Is.EqualTo(PlanExport.Funnel));
        Assert.That(plan.AskedSteps, Is.EqualTo(new[] { "Sign Up", "Purchase" }));
        Assert.That(plan.Notes, Has.Some.Contains("has them with other steps between"));
        Assert.That(plan.Suggestions.Select(s => s.Tool), Does.Contain("funnel"));
    }

    [Test]
    public void Plan_RetentionWithoutRange_Uses60DaysOfCohortsAnd30Buckets()
    {
        var plan = DeterministicPlanner.Plan(Parse("Retention of users who create a project"), new ProjectFacts(Events, null, null), Default, LastDay);

        var step = plan.Steps.Single();
        Assert.That(step.Op, Is.EqualTo("retention"));
        Assert.That(Arg(step, "born_event"), Is.EqualTo("Create Project"));
        Assert.That((Arg(step, "from_date"), Arg(step, "to_date")), Is.EqualTo(("2026-01-15", "2026-03-15")));
        Assert.That(step.Args["interval_count"].GetInt32(), Is.EqualTo(30));
    }

    [Test]
    public void Plan_RetentionWithoutEvent_StartsAtTheSignUpEvent()
    {
        var plan = DeterministicPlanner.Plan(Parse("What is our retention?"), new ProjectFacts(Events, null, null), Default, LastDay);

        Assert.That(Arg(plan.Steps[0], "born_event"), Is.EqualTo("Sign Up"));
        Assert.That(plan.Notes, Has.Some.Contains("sign-up event"));
    }

    [Test]
    public void Plan_Unrecognised_ReturnsFilledToolCallsNeverNothing()
    {
        var plan = DeterministicPlanner.Plan(Parse("What should we build next?"), new ProjectFacts(Events, null, null), Default, LastDay);

        Assert.That(plan.Steps, Is.Empty);
        Assert.That(plan.Suggestions.Select(s => s.Tool), Is.EqualTo(new[] { "segmentation", "retention", "list_events", "list_funnels" }));
        Assert.That(plan.Suggestions[0].Arguments["event"], Is.EqualTo("Sign Up"));
        Assert.That(DeterministicAnswer.Compose(plan, []), Does.Contain("segmentation(event=\"Sign Up\""));
    }

    [Test]
    public void Roles_DemoNames_AreFoundAndFailuresAreNotPurchases()
    {
        var roles = ProjectRoles.Detect(["Page View", "Sign Up", "Create Project", "Payment Failed", "Purchase", "Upgrade Plan"], ["utm_source", "platform", "$browser"], ["revenue", "currency"]);

        Assert.That(roles, Is.EqualTo(new ProjectRoles("Sign Up", "Create Project", "Purchase", "revenue", "utm_source", "platform")));
        Assert.That(ProjectRoles.Detect(["Registered", "Order Completed", "Order Failed"]), Is.EqualTo(new ProjectRoles("Registered", null, "Order Completed", null, null, null)));
    }
}
