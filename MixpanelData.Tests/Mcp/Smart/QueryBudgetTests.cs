using System.Net;
using MixpanelData.Emulation;
using MixpanelData.Mcp.Filters;
using MixpanelData.Insights;
using MixpanelData.Queries;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>QueryBudget against the demo emulator: spend is what the workspace really sent, failures are reported, never zeros.</summary>
public sealed class QueryBudgetTests
{
    [Test]
    public async Task RunAsync_MeasuresSpend_ReportsFailuresAndSkipsWhatWouldExceedTheLimit()
    {
        await using var ws = Workspace.OpenDemo(await SharedDemo.OptionsAsync());
        var emulator = await ws.DemoEmulatorAsync(CancellationToken.None);
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);
        var budget = new QueryBudget(4);
        using var outer = ApiCallMeter.Begin();

        var ok = await budget.RunAsync("sign-ups", 1, ct => ws.Query.SegmentationAsync(new SegmentationQuery("Sign Up", day, day), ct), CancellationToken.None);
        emulator!.Faults.Add(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "/segmentation", Status = HttpStatusCode.BadRequest });
        var failed = await budget.RunAsync("sign-ups by browser", 1, ct => ws.Query.SegmentationAsync(new SegmentationQuery("Sign Up", day, day) { On = "properties[\"$browser\"]" }, ct), CancellationToken.None);
        var skipped = await budget.RunAsync("too much", 3, ct => ws.Query.SegmentationAsync(new SegmentationQuery("Login", day, day), ct), CancellationToken.None);

        Assert.That(ok.Ok, Is.True);
        Assert.That(ok.Value!.Segments.Single().Total, Is.GreaterThan(0));
        Assert.That(failed.Ok, Is.False);
        Assert.That(failed.Value, Is.Null, "a failure carries no value, not zeros");
        Assert.That(failed.Failure, Is.InstanceOf<MixpanelException>());
        Assert.That(skipped.Error, Does.Contain("budget of 4"));
        Assert.That(budget.Log.Select(q => q.Outcome), Is.EqualTo(new[] { "ok", "failed", "skipped" }));
        Assert.That(budget.Log[2].QueryCalls, Is.Zero, "a skipped sub-query sends nothing");
        Assert.That(budget.Log[1].QueryCalls, Is.EqualTo(2), "the rejected query, then the event-list check the library makes on a rejection");
        Assert.That(budget.Spent, Is.EqualTo(outer.Query), "the spend is the requests the workspace really sent");
        Assert.That(budget.Spent, Is.EqualTo(3));
    }
}
