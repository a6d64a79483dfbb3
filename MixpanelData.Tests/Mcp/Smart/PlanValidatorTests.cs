using System.Text.Json;
using MixpanelData.Insights;
using MixpanelData.Queries;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>Plan parsing and validation against the allow-list, on hand-built plans.</summary>
public sealed class PlanValidatorTests
{
    private static readonly DateOnly Today = new(2026, 3, 16);
    private static readonly PlanContext Context = new(["Sign Up", "Purchase", "Page View"], [7011, 7012], Today, new DayRange(new DateOnly(2026, 2, 14), new DateOnly(2026, 3, 15), "the last 30 days"), 6, 10);

    private static IReadOnlyList<PlanStep> Steps(string json)
    {
        Assert.That(PlanParser.TryParse(json, out var steps, out var error), Is.True, error);
        return steps;
    }

    [Test]
    public void TryParse_PlanInACodeFenceAfterProse_IsFound()
    {
        var steps = Steps("Sure! Here is my plan:\n```json\n{\"steps\": [{\"op\": \"segmentation\", \"args\": {\"event\": \"Sign Up\"}}]}\n```\nHope it helps.");

        Assert.That(steps.Single().Op, Is.EqualTo("segmentation"));
        Assert.That(steps[0].Args["event"].GetString(), Is.EqualTo("Sign Up"));
    }

    [TestCase("")]
    [TestCase("I cannot do that.")]
    [TestCase("{\"plan\": []}")]
    [TestCase("{\"steps\": ")]
    public void TryParse_NoStepsArray_FailsWithAReason(string text)
    {
        Assert.That(PlanParser.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void Validate_AllowedSteps_BecomeLibraryQueriesWithDefaults()
    {
        var plan = PlanValidator.Validate(Steps("""
            {"steps": [
              {"op": "segmentation", "args": {"event": "Sign Up", "on": "properties[\"utm_source\"]", "type": "unique", "limit": 10}},
              {"op": "retention", "args": {"born_event": "Sign Up", "from_date": "2026-01-01", "to_date": "2026-02-01", "interval_count": 14}},
              {"op": "funnel", "args": {"funnel_id": 7012}},
              {"op": "list_properties", "args": {"event": "Purchase"}}
            ]}
            """), Context);

        Assert.That(plan.Rejected, Is.Empty);
        var segmentation = (SegmentationQuery)plan.Steps[0].Request;
        Assert.That(segmentation, Is.EqualTo(new SegmentationQuery("Sign Up", new DateOnly(2026, 2, 14), new DateOnly(2026, 3, 15)) { On = "properties[\"utm_source\"]", Type = CountType.Unique, Limit = 10 }));
        var retention = (RetentionQuery)plan.Steps[1].Request;
        Assert.That((retention.BornEvent, retention.FromDate, retention.ToDate, retention.IntervalCount), Is.EqualTo(("Sign Up", new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 1), 14)));
        Assert.That(((SavedFunnelQuery)plan.Steps[2].Request).FunnelId, Is.EqualTo(7012));
        Assert.That(plan.Steps[3].Request, Is.EqualTo(new DiscoveryRequest("list_properties", "Purchase")));
    }

    [TestCase("sql", "{\"query\": \"DELETE FROM events\"}")]
    [TestCase("jql", "{\"script\": \"function main() {}\"}")]
    [TestCase("drop_all_tables", "{}")]
    [TestCase("drop_table", "{\"table\": \"events\"}")]
    [TestCase("fetch_events", "{}")]
    [TestCase("SEGMENTATION", "{\"event\": \"Sign Up\"}")]
    [TestCase("", "{}")]
    public void Validate_OperationOutsideTheAllowList_IsRejectedNotBuilt(string op, string args)
    {
        var plan = PlanValidator.Validate([new PlanStep(op, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(args)!)], Context);

        Assert.That(plan.Steps, Is.Empty);
        Assert.That(plan.Rejected.Single().Op, Is.EqualTo(op));
        Assert.That(plan.Rejected[0].Reason, Does.Contain(op.Length == 0 ? "no operation" : "not an allowed read-only operation"));
    }

    [TestCase("{\"event\": \"Sign Upp\"}", "no event 'Sign Upp'")]
    [TestCase("{\"event\": \"Sign Up\", \"from_date\": \"15/03/2026\"}", "YYYY-MM-DD")]
    [TestCase("{\"event\": \"Sign Up\", \"to_date\": \"2026-03-20\"}", "in the future")]
    [TestCase("{\"event\": \"Sign Up\", \"from_date\": \"2026-03-10\", \"to_date\": \"2026-03-01\"}", "is after")]
    [TestCase("{\"event\": \"Sign Up\", \"from_date\": \"2024-01-01\", \"to_date\": \"2026-03-01\"}", "more than 366 days")]
    [TestCase("{\"event\": \"Sign Up\", \"limit\": 5000}", "between 1 and 50")]
    [TestCase("{\"event\": \"Sign Up\", \"unit\": \"year\"}", "one of hour, day, week, month")]
    [TestCase("{\"event\": \"Sign Up\", \"where\": \"properties[\\\"a\\\"] = 1\"}", "not a valid expression")]
    [TestCase("{\"event\": \"Sign Up\", \"table\": \"events\"}", "unknown argument 'table'")]
    [TestCase("{}", "needs 'event'")]
    public void Validate_BadArguments_AreRejectedWithTheReason(string args, string reason)
    {
        var plan = PlanValidator.Validate([new PlanStep("segmentation", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(args)!)], Context);

        Assert.That(plan.Steps, Is.Empty);
        Assert.That(plan.Rejected.Single().Reason, Does.Contain(reason));
    }

    [Test]
    public void Validate_MisspeltEvent_SuggestsTheClosestAndCaseIsCorrected()
    {
        var plan = PlanValidator.Validate(Steps("""{"steps": [{"op": "segmentation", "args": {"event": "Purchse"}}, {"op": "segmentation", "args": {"event": "sign up"}}]}"""), Context);

        Assert.That(plan.Rejected.Single().Suggestions, Does.Contain("Purchase"));
        Assert.That(((SegmentationQuery)plan.Steps.Single().Request).Event, Is.EqualTo("Sign Up"));
        Assert.That(plan.Notes.Single(), Does.Contain("'sign up' was read as the event 'Sign Up'"));
    }

    [Test]
    public void Validate_UnknownFunnelId_IsRejectedWithTheSavedIds()
    {
        var plan = PlanValidator.Validate(Steps("""{"steps": [{"op": "funnel", "args": {"funnel_id": 1}}]}"""), Context);

        Assert.That(plan.Rejected.Single().Reason, Does.Contain("no saved funnel has id 1"));
        Assert.That(plan.Rejected[0].Suggestions, Is.EqualTo(new[] { "7011", "7012" }));
    }

    [Test]
    public void Validate_MoreStepsThanTheBudget_RejectsTheRest()
    {
        var many = Enumerable.Repeat(new PlanStep("list_events", new Dictionary<string, JsonElement>()), 5).ToList();

        var plan = PlanValidator.Validate(many, Context with { Budget = 3 });
        var capped = PlanValidator.Validate(many, Context with { MaxSteps = 2 });

        Assert.That(plan.Steps, Has.Count.EqualTo(3));
        Assert.That(plan.Rejected.Select(r => r.Reason), Is.All.Contains("budget"));
        Assert.That(capped.Steps, Has.Count.EqualTo(2));
        Assert.That(capped.Rejected.Select(r => r.Reason), Is.All.Contains("at most 2 steps"));
    }

    [Test]
    public void Describe_ListsEveryAllowedOperationAndNothingElse()
    {
        var lines = PlanValidator.Describe().Split('\n');

        Assert.That(lines.Select(l => l[2..l.IndexOf('(', StringComparison.Ordinal)]), Is.EquivalentTo(PlanValidator.Allowed));
        Assert.That(PlanValidator.Allowed, Has.None.Contains("sql").And.None.Contains("jql").And.None.Contains("drop").And.None.Contains("fetch"));
    }
}
