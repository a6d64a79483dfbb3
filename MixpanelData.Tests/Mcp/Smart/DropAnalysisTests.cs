using MixpanelData.Insights.Analysis;

namespace MixpanelData.Tests.Mcp.Smart;

public sealed class DropAnalysisTests
{
    private static readonly DropWindow OneDay = DropWindow.Ending(new DateOnly(2026, 3, 10), 1);

    // One day in the window (03-10), the same weekday one (03-03) and two (02-24) weeks earlier.
    private static IReadOnlyDictionary<string, double> Days(double window, double week1, double week2) =>
        new Dictionary<string, double> { ["2026-03-10"] = window, ["2026-03-03"] = week1, ["2026-02-24"] = week2, ["2026-03-05"] = 999 };

    [Test]
    public void Comparison_UsesTheLargerOfPoissonAndBaselineDisagreement()
    {
        var c = Comparison.Of(40, 128, 107);

        Assert.That(c.Expected, Is.EqualTo(117.5));
        Assert.That(c.Delta, Is.EqualTo(-77.5));
        Assert.That(c.Relative, Is.EqualTo(-77.5 / 117.5).Within(1e-12));
        Assert.That(c.Z, Is.EqualTo(-4.2614).Within(1e-4), "sigma^2 = (128-107)^2/2 = 220.5 > 117.5");
        Assert.That(c.Verdict, Is.EqualTo("drop"));
        Assert.That(Comparison.Of(100, 100, 100).Verdict, Is.EqualTo("no_significant_change"));
        Assert.That(Comparison.Of(80, 100, 100).Verdict, Is.EqualTo("no_significant_change"), "z = -20/sqrt(150) = -1.63");
        Assert.That(Comparison.Of(75, 100, 100).Verdict, Is.EqualTo("possible_drop"), "z = -25/sqrt(150) = -2.04");
    }

    [Test]
    public void DropWindow_LongWindowsUseWholeMultiplesOfAWeekSoTheBaselineNeverOverlaps()
    {
        var three = DropWindow.Ending(new DateOnly(2026, 11, 10), 3);
        var ten = DropWindow.Ending(new DateOnly(2026, 11, 10), 10);

        Assert.That((three.From, three.Baseline1, three.Baseline2, three.QueryFrom), Is.EqualTo((new DateOnly(2026, 11, 8), (new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3)), (new DateOnly(2026, 10, 25), new DateOnly(2026, 10, 27)), new DateOnly(2026, 10, 25))));
        Assert.That(ten.WeeksBack, Is.EqualTo(2));
        Assert.That(ten.Baseline1, Is.EqualTo((new DateOnly(2026, 10, 18), new DateOnly(2026, 10, 27))));
        Assert.That(ten.Baseline1.To, Is.LessThan(ten.From));
    }

    [Test]
    public void Dimension_OneSegmentFalls_ItCarriesMostOfTheLossAndExplainsItWithHighConfidence()
    {
        var browser = DropAnalysis.Dimension("$browser", OneDay, new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["Safari"] = Days(10, 50, 50),
            ["Chrome"] = Days(210, 200, 200),
            ["Edge"] = Days(45, 50, 50),
        }, limitHit: false);
        var total = DropAnalysis.Compare(OneDay, Days(265, 300, 300));

        var ranked = DropAnalysis.Rank([browser], 10);
        var explanation = DropAnalysis.Explain(total, ranked, [browser]);

        Assert.That(browser.Status, Is.EqualTo("ok"));
        Assert.That(ranked.Select(r => r.Segment), Is.EqualTo(new[] { "Safari", "Edge" }));
        Assert.That(ranked[0].Contribution, Is.EqualTo(40.0 / 45).Within(1e-12));
        Assert.That(ranked[0].Change.Z, Is.EqualTo(-4.6188).Within(1e-4));
        Assert.That(ranked[1].Contribution, Is.EqualTo(5.0 / 45).Within(1e-12));
        Assert.That(total.Verdict, Is.EqualTo("no_significant_change"), "z = -35/sqrt(450) = -1.65");
        Assert.That(explanation.Confidence, Is.EqualTo("high"));
        Assert.That((explanation.Dimension, explanation.Segment), Is.EqualTo(("$browser", "Safari")));
        Assert.That(explanation.Rest!.Z, Is.EqualTo(0.2582).Within(1e-4), "the other browsers: 255 vs 250 expected");
        Assert.That(explanation.ShareOfNetDrop, Is.Null, "the total did not fall significantly");
        Assert.That(explanation.Summary, Does.Contain("hid it in the total"));
    }

    [Test]
    public void Explain_SignificantTotalDrop_GivesTheSegmentsShareOfTheNetDrop()
    {
        var dimension = DropAnalysis.Dimension("plan", OneDay, new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["free"] = Days(10, 50, 50),
            ["pro"] = Days(50, 50, 50),
        }, limitHit: false);
        var total = DropAnalysis.Compare(OneDay, Days(60, 100, 100));

        var explanation = DropAnalysis.Explain(total, DropAnalysis.Rank([dimension], 10), [dimension]);

        Assert.That(total.Verdict, Is.EqualTo("drop"), "z = -40/sqrt(150) = -3.27");
        Assert.That(explanation.ShareOfNetDrop, Is.EqualTo(1.0));
        Assert.That(explanation.Confidence, Is.EqualTo("high"));
    }

    [Test]
    public void Dimension_ValuesReplacedBetweenBaselineAndWindow_IsRotatingAndNotRanked()
    {
        var versions = DropAnalysis.Dimension("app_version", OneDay, new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["1.0"] = Days(10, 100, 100),
            ["2.0"] = Days(190, 0, 0),
        }, limitHit: false);
        var cities = DropAnalysis.Dimension("$city", OneDay, new Dictionary<string, IReadOnlyDictionary<string, double>> { ["Paris"] = Days(1, 50, 50) }, limitHit: true);

        Assert.That(versions.Status, Is.EqualTo("rotating"));
        Assert.That(versions.Note, Does.Contain("new: 2.0 = 95% of the window"));
        Assert.That(cities.Status, Is.EqualTo("high_cardinality"));
        Assert.That(DropAnalysis.Rank([versions, cities], 10), Is.Empty);
        Assert.That(DropAnalysis.Explain(Comparison.Of(200, 200, 200), [], [versions]).Confidence, Is.EqualTo("none"));
    }

    [Test]
    public void Dimension_ValueNewSinceOneBaselineWeek_CountsAsRotation_ASegmentBrokenToZeroDoesNot()
    {
        var hotfix = DropAnalysis.Dimension("app_version", OneDay, new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["4.12.0"] = Days(40, 100, 0),
            ["4.11.0"] = Days(60, 50, 150),
        }, limitHit: false);
        var broken = DropAnalysis.Dimension("platform", OneDay, new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["Android"] = Days(0, 60, 60),
            ["web"] = Days(40, 40, 40),
        }, limitHit: false);

        Assert.That(hotfix.Status, Is.EqualTo("rotating"), "4.12.0 was absent two weeks ago and carries 40% of the window");
        Assert.That(broken.Status, Is.EqualTo("ok"));
        Assert.That(DropAnalysis.Rank([broken], 10).Single().Segment, Is.EqualTo("Android"));
    }

    [Test]
    public void Rank_SameEventsInTwoDimensions_ListedOnceNamingTheOther()
    {
        var segments = new Dictionary<string, IReadOnlyDictionary<string, double>> { ["web"] = Days(20, 60, 60), ["iOS"] = Days(40, 40, 40) };
        var platform = DropAnalysis.Dimension("platform", OneDay, segments, limitHit: false);
        var lib = DropAnalysis.Dimension("mp_lib", OneDay, segments, limitHit: false);

        var ranked = DropAnalysis.Rank([platform, lib], 10);

        Assert.That(ranked, Has.Count.EqualTo(1));
        Assert.That(ranked[0].SameAs, Has.Count.EqualTo(1));
        Assert.That($"{ranked[0].Dimension} = {ranked[0].Segment} / {ranked[0].SameAs[0]}", Is.EqualTo("mp_lib = web / platform = web").Or.EqualTo("platform = web / mp_lib = web"));
    }
}
