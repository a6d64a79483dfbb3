using MixpanelData.Insights.Analysis;
using MixpanelData.Queries;

namespace MixpanelData.Tests.Mcp.Smart;

public sealed class HealthAnalysisTests
{
    private static readonly string[] DemoEvents =
    [
        "Page View", "Login", "Run Report", "Search", "Create Project", "Invite Teammate", "Logout", "Export Report", "Sign Up",
        "Purchase", "Upgrade Plan", "Cancel Subscription", "Payment Failed",
    ];

    [TestCase(0.0, 50.0)]
    [TestCase(0.2, 100.0)]
    [TestCase(-0.1, 25.0)]
    [TestCase(0.5, 100.0)]
    [TestCase(-0.3, 0.0)]
    public void MetricScore_FiftyPlusTwoHundredFiftyTimesTheChange_Clamped(double change, double score) =>
        Assert.That(HealthAnalysis.MetricScore(change), Is.EqualTo(score).Within(1e-9));

    [Test]
    public void Score_MeanOfScoredPillars_LabelsAndFlags()
    {
        var pillars = new[]
        {
            HealthAnalysis.Pillar("acquisition", [HealthMetric.Of("sign-ups", 120, 100, "")]),
            HealthAnalysis.Pillar("retention", [HealthMetric.Of("D1", 0.30, 0.30, ""), HealthMetric.Of("D7", 0.18, 0.20, "")]),
            HealthAnalysis.Pillar("referral", [], "none"),
        };

        var score = HealthAnalysis.Score(pillars);

        Assert.That(pillars[0].Score, Is.EqualTo(100));
        Assert.That(pillars[1].Score, Is.EqualTo(37.5), "D1 flat = 50, D7 -10% = 25");
        Assert.That(pillars[2].Score, Is.Null);
        Assert.That(score.Score, Is.EqualTo(68.8), "(100 + 37.5) / 2 = 68.75");
        Assert.That(score.Label, Is.EqualTo("improving"));
        Assert.That(score.Flags, Is.EqualTo(new[] { "retention: D7 -10.0%" }));
        Assert.That(HealthAnalysis.Score([pillars[2]]).Label, Is.EqualTo("unknown"));
    }

    [Test]
    public void Periods_CohortWindowsEndWhereDayNCanBeMeasured()
    {
        var periods = new HealthPeriods(new DateOnly(2026, 10, 22), new DateOnly(2026, 11, 20));
        var lastDay = new DateOnly(2026, 11, 20);

        Assert.That((periods.PreviousFrom, periods.PreviousTo), Is.EqualTo((new DateOnly(2026, 9, 22), new DateOnly(2026, 10, 21))));
        Assert.That(periods.Cohorts(1, lastDay), Is.EqualTo(((new DateOnly(2026, 10, 21), new DateOnly(2026, 11, 19)), (new DateOnly(2026, 9, 21), new DateOnly(2026, 10, 20)))));
        Assert.That(periods.Cohorts(30, lastDay), Is.EqualTo(((new DateOnly(2026, 9, 22), new DateOnly(2026, 10, 21)), (new DateOnly(2026, 8, 23), new DateOnly(2026, 9, 21)))));
    }

    [Test]
    public void CohortRate_CountsOnlyCohortsInRangeThatReachedTheBucket()
    {
        RetentionCohort[] cohorts =
        [
            new("2026-03-01", 100, [100, 40, 20]),
            new("2026-03-02", 300, [300, 60]),
            new("2026-03-03", 50, [50, 10, 5]),
        ];

        Assert.That(HealthAnalysis.CohortRate(cohorts, 1, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2)), Is.EqualTo(100.0 / 400));
        Assert.That(HealthAnalysis.CohortRate(cohorts, 2, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 3)), Is.EqualTo(25.0 / 150), "the 03-02 cohort has not reached day 2");
        Assert.That(HealthAnalysis.CohortRate(cohorts, 1, new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 2)), Is.Null);
    }

    [Test]
    public void Roles_ChosenFromNamesAndVolumes()
    {
        var volumes = DemoEvents.Select((e, i) => (e, v: 1000.0 - (i * 10))).ToDictionary(x => x.e, x => x.v);

        Assert.That(HealthAnalysis.AcquisitionCandidates(DemoEvents), Is.EqualTo(new[] { "Sign Up" }));
        Assert.That(HealthAnalysis.AcquisitionCandidates(["Registration Complete", "Signed Up", "Account Created"]), Is.EqualTo(new[] { "Signed Up", "Registration Complete", "Account Created" }));
        Assert.That(HealthAnalysis.ActivationCandidates(volumes, "Sign Up"), Is.EqualTo(new[] { "Run Report", "Search", "Create Project", "Export Report" }));
        Assert.That(HealthAnalysis.ReferralEvent(volumes), Is.EqualTo("Invite Teammate"));
        Assert.That(HealthAnalysis.RevenueEvents(volumes), Is.EqualTo(new[] { "Purchase", "Upgrade Plan" }));
        Assert.That(HealthAnalysis.RevenueProperty(["billing_period", "currency", "revenue", "plan"]), Is.EqualTo("revenue"));
        Assert.That(HealthAnalysis.RevenueProperty(["price", "amount", "plan"]), Is.EqualTo("amount"));
        Assert.That(HealthAnalysis.RevenueProperty(["plan"]), Is.Null);
        Assert.That(HealthAnalysis.CurrencyProperty(["revenue", "currency"]), Is.EqualTo("currency"));
        Assert.That(HealthAnalysis.Numeric(["29", "290.5", "99"]), Is.True);
        Assert.That(HealthAnalysis.Numeric(["29", "USD"]), Is.False);
    }
}
