using System.Globalization;
using MixpanelData.Insights;
using MixpanelData.Queries;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Insights;

/// <summary>
/// Workspace.Insights on the demo emulator, as a .NET program calls it (no MCP). Every figure is checked against a
/// query the test runs itself (segmentation or the saved funnel), not against the insight's own output.
/// </summary>
[NonParallelizable]
public sealed class InsightsClientTests
{
    private Workspace _ws = null!;

    private static DateOnly LastDay => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    [OneTimeSetUp]
    public async Task OpenAsync() => _ws = Workspace.OpenDemo(await SharedDemo.OptionsAsync());

    [OneTimeTearDown]
    public async Task CloseAsync() => await _ws.DisposeAsync();

    private async Task<double> TotalAsync(string eventName, DateOnly from, DateOnly to, string? where = null) =>
        (await _ws.Query.SegmentationAsync(new SegmentationQuery(eventName, from, to) { Where = where })).Segments.Sum(s => s.Total);

    [Test]
    public async Task AskAsync_CountQuestion_NamesTheSegmentationTotalAndTheRequestThatReproducesIt()
    {
        var answer = await _ws.Insights.AskAsync("How many Sign Ups were there last week?");

        var expected = await TotalAsync("Sign Up", LastDay.AddDays(-6), LastDay);
        Assert.That(expected, Is.GreaterThan(0));
        Assert.That(answer.Mode, Is.EqualTo("deterministic"));
        Assert.That(answer.Text, Does.Contain(expected.ToString("N0", CultureInfo.InvariantCulture)));
        var request = answer.Steps.Single().Step.Request as SegmentationQuery;
        Assert.That(request, Is.Not.Null, "the provenance is the library request itself");
        Assert.That((request!.Event, request.FromDate, request.ToDate), Is.EqualTo(("Sign Up", LastDay.AddDays(-6), LastDay)));
        Assert.That(answer.Spend.Spent, Is.InRange(1, answer.Spend.Limit), "events listed (unless cached) and one segmentation, measured");
        Assert.That(answer.Notes, Has.Some.Contains("No model was given"));
    }

    [Test]
    public async Task AskAsync_Breakdown_NamesTheLargestSegmentWithItsFigure()
    {
        var answer = await _ws.Insights.AskAsync("Sign Up by utm source last week");

        var direct = await _ws.Query.SegmentationAsync(new SegmentationQuery("Sign Up", LastDay.AddDays(-6), LastDay) { On = "properties[\"utm_source\"]" });
        var top = direct.Segments.MaxBy(s => s.Total)!;
        Assert.That(answer.Form, Is.EqualTo("breakdown"));
        Assert.That(answer.Text, Does.Contain($"{top.Name} {top.Total.ToString("N0", CultureInfo.InvariantCulture)}"));
    }

    [Test]
    public async Task AskAsync_WithAModel_RunsOnlyTheAllowedStepsAndTakesTheFiguresFromTheQueries()
    {
        var from = LastDay.AddDays(-13);
        var plan = $$$"""{"steps": [{"op": "sql", "args": {"query": "DROP TABLE events"}}, {"op": "segmentation", "args": {"event": "login", "from_date": "{{{from:yyyy-MM-dd}}}", "to_date": "{{{LastDay:yyyy-MM-dd}}}"}}]}""";
        var model = new ScriptedModel(plan, null);

        var answer = await _ws.Insights.AskAsync("how many logins in the last two weeks?", new AskOptions { Model = model });

        var expected = await TotalAsync("Login", from, LastDay);
        Assert.That(answer.Mode, Is.EqualTo("model_plan"));
        Assert.That(answer.Rejected.Select(r => r.Op), Is.EqualTo(new[] { "sql" }), "not on the allow-list, never run");
        Assert.That(answer.Notes, Has.Some.Contains("'login' was read as the event 'Login'"));
        var step = answer.Steps.Single();
        Assert.That(step.Digest!.Data["total"]!.GetValue<double>(), Is.EqualTo(expected).And.GreaterThan(0));
        Assert.That(answer.AnswerSource, Is.EqualTo("computed"), "the model wrote no narrative, so the computed summary stands");
        Assert.That(answer.Text, Does.Contain(expected.ToString("N0", CultureInfo.InvariantCulture)));
        Assert.That(model.Prompts, Has.Count.EqualTo(2), "one plan request, one wording request");
    }

    [Test]
    public async Task DiagnoseDropAsync_ComparesTheDayWithTheSameWeekdaysOneAndTwoWeeksEarlier()
    {
        var day = LastDay.AddDays(-1);

        var diagnosis = await _ws.Insights.DiagnoseDropAsync(new MetricDropRequest("Sign Up") { LastDay = day, Dimensions = ["utm_source"] });

        Assert.That(diagnosis.Total.Actual, Is.EqualTo(await TotalAsync("Sign Up", day, day)));
        Assert.That(diagnosis.Total.Week1, Is.EqualTo(await TotalAsync("Sign Up", day.AddDays(-7), day.AddDays(-7))));
        Assert.That(diagnosis.Total.Week2, Is.EqualTo(await TotalAsync("Sign Up", day.AddDays(-14), day.AddDays(-14))));
        var google = diagnosis.Dimensions.Single(d => d.Dimension == "utm_source").Segments.FirstOrDefault(s => s.Segment == "google");
        if (google is not null)
        {
            Assert.That(google.Change.Actual, Is.EqualTo(await TotalAsync("Sign Up", day, day, "properties[\"utm_source\"] == \"google\"")));
        }

        Assert.That(diagnosis.Spend.Spent, Is.LessThanOrEqualTo(10));
        Assert.That(diagnosis.Findings, Does.Contain($"Query API calls: {diagnosis.Spend.Spent} of a budget of 10"));
    }

    [Test]
    public async Task FunnelReportAsync_StepCountsAreTheSavedFunnelsAndTheWorstStepIsItsLowestConversion()
    {
        var to = LastDay.AddDays(-7);
        var from = to.AddDays(-29);

        var report = await _ws.Insights.FunnelReportAsync(new FunnelReportRequest(7011, from, to) { Dimensions = ["platform"] });

        var direct = (await _ws.Query.FunnelAsync(new SavedFunnelQuery(7011, from, to))).Overall;
        Assert.That(report.Steps.Select(s => s.Count), Is.EqualTo(direct.Steps.Select(s => s.Count)));
        var rates = Enumerable.Range(1, direct.Steps.Count - 1).Select(i => (double)direct.Steps[i].Count / direct.Steps[i - 1].Count).ToList();
        Assert.That(report.WorstStep, Is.EqualTo(rates.IndexOf(rates.Min()) + 2));
    }

    [Test]
    public async Task ProductHealthAsync_SignUpsAreTheSegmentationTotalsOfBothPeriods()
    {
        var from = LastDay.AddDays(-13);

        var health = await _ws.Insights.ProductHealthAsync(new ProductHealthRequest(from, LastDay) { AcquisitionEvent = "Sign Up" });

        var signups = health.Pillars.Single(p => p.Pillar == "acquisition").Metrics.Single();
        Assert.That(signups.Current, Is.EqualTo(await TotalAsync("Sign Up", from, LastDay)));
        Assert.That(signups.Previous, Is.EqualTo(await TotalAsync("Sign Up", from.AddDays(-14), from.AddDays(-1))));
        Assert.That(health.Spend.Spent, Is.LessThanOrEqualTo(12));
    }

    [Test]
    public async Task Guided_AcquisitionOverSevenDays_CountsTheSignUpsOfThePeriodAndTheOneBefore()
    {
        var session = _ws.Insights.Guided(new QueryBudget(8));

        var catalog = await session.FocusesAsync();
        var focus = GuidedSession.Resolve("acquisition", catalog.Value!);
        var period = GuidedPeriod.Ending(LastDay, 7);
        var report = await session.RunAsync(focus, period, null);

        var current = await TotalAsync(focus.Event, period.From, period.To);
        Assert.That(focus.Event, Is.EqualTo("Sign Up"));
        Assert.That(report.Findings[0], Does.StartWith($"Sign Up: {current.ToString("N0", CultureInfo.CurrentCulture)} in {period}"));
        Assert.That(session.Budget.Spent, Is.LessThanOrEqualTo(8));
        Assert.That(GuidedSession.Plan(focus, period, null).Select(c => c.Tool), Has.All.EqualTo("segmentation"));
    }

    /// <summary>A model that answers from a script: a plan first, then a narrative (null: declines).</summary>
    private sealed class ScriptedModel(string plan, string? narrative) : IInsightsModel
    {
        public List<ModelPrompt> Prompts { get; } = [];

        public string Name => "scripted model";

        public string Source => "scripted";

        public Task<ModelReply> CompleteAsync(ModelPrompt prompt, CancellationToken cancellationToken)
        {
            Prompts.Add(prompt);
            return Task.FromResult(Prompts.Count == 1 ? new ModelReply(plan, null) : new ModelReply(narrative, "declined by the script"));
        }
    }
}
