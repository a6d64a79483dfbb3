using MixpanelData.Insights.Analysis;
using MixpanelData.Queries;

namespace MixpanelData.Tests.Mcp.Smart;

public sealed class FunnelAnalysisTests
{
    private static readonly string[] StepNames = ["Sign Up", "Create Project", "Invite Teammate"];

    private static FunnelSteps Steps(string segment, long a, long b, long c) => new(segment,
    [
        new FunnelStep("Sign Up", a, 1, 1, null, null),
        new FunnelStep("Create Project", b, (double)b / a, (double)b / a, 3600, 3600),
        new FunnelStep("Invite Teammate", c, (double)c / b, (double)c / a, 8 * 3600, 9 * 3600),
    ]);

    private static readonly FunnelSteps[] Platforms =
    [
        Steps("web", 1000, 700, 400),
        Steps("iOS", 500, 350, 200),
        Steps("Android", 400, 280, 60),
        Steps("tiny", 50, 30, 10),
    ];

    private static readonly FunnelSteps Overall = Steps(FunnelSteps.Overall, 1950, 1360, 670);

    [Test]
    public void TwoProportionZ_MatchesTheHandComputedValue()
    {
        // p1 = .3, p2 = .6, pooled .45: se = sqrt(.45 * .55 * (1/100 + 1/100)) = .070356.
        Assert.That(FunnelAnalysis.TwoProportionZ(30, 100, 60, 100), Is.EqualTo(-4.2640).Within(1e-4));
        Assert.That(FunnelAnalysis.TwoProportionZ(0, 0, 5, 10), Is.Zero);
    }

    [Test]
    public void Steps_AndWorstStep_ComeFromTheOverallFunnel()
    {
        var steps = FunnelAnalysis.Steps(Overall);

        Assert.That(steps.Select(s => s.Lost), Is.EqualTo(new long[] { 0, 590, 690 }));
        Assert.That(steps[2].Conversion, Is.EqualTo(670.0 / 1360).Within(1e-12));
        Assert.That(steps[2].AverageHoursFromPrevious, Is.EqualTo(8));
        Assert.That(FunnelAnalysis.WorstStep(Overall), Is.EqualTo(3));
    }

    [Test]
    public void Dimension_WorstSegmentPerStep_ComparedWithTheRestAboveTheMinimumSample()
    {
        var platform = FunnelAnalysis.Dimension("platform", StepNames, Platforms, minSample: 100);

        var invite = platform.Steps.Single(s => s.Step == 3);
        Assert.That(invite.Transition, Is.EqualTo("Create Project → Invite Teammate"));
        Assert.That(invite.Worst!.Segment, Is.EqualTo("Android"));
        Assert.That(invite.Worst.Rate, Is.EqualTo(60.0 / 280).Within(1e-12));
        Assert.That(invite.Worst.RestRate, Is.EqualTo(610.0 / 1080).Within(1e-12), "the rest includes segments below the minimum sample");
        Assert.That(invite.Worst.Z, Is.EqualTo(-10.4550).Within(1e-4));
        Assert.That(invite.Best!.Segment, Is.EqualTo("web").Or.EqualTo("iOS"));
        Assert.That(platform.SegmentsBelowMinimum, Is.EqualTo(1));
        Assert.That(platform.WorstStepPerSegment.Single(w => w.Segment == "Android").Step, Is.EqualTo(3));
        Assert.That(platform.WorstStepPerSegment.Select(w => w.Segment), Does.Not.Contain("tiny"));
    }

    [Test]
    public void Recommend_CitesTheWorstStepAndTheWeakSegmentWithItsFiguresAndPotential()
    {
        var recommendations = FunnelAnalysis.Recommend(StepNames, Overall, [("platform", Platforms), ("mp_lib", Platforms)], minSample: 100);

        Assert.That(recommendations[0].Text, Does.StartWith("Start with step 3 (Create Project → Invite Teammate)").And.Contain("49.3%").And.Contain("690"));
        var android = recommendations.Single(r => r.Text.Contains("Android", StringComparison.Ordinal));
        Assert.That(android.PotentialUsers, Is.EqualTo(98), "280 x (610/1080 - 60/280) = 98.1");
        Assert.That(android.Text, Does.Contain("21.4% convert (60 of 280)").And.Contain("56.5%").And.Contain("same users: mp_lib = Android, platform = Android"));
        Assert.That(android.Text, Does.Contain("step 2 (Sign Up → Create Project) is in line: 70.0% vs 69.7%"));
        Assert.That(recommendations.Last().Text, Does.Contain("8 h on average"));
    }
}
