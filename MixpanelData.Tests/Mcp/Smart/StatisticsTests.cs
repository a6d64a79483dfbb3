using MixpanelData.Insights;
using MixpanelData.Queries;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>The z-test and retention pooling, against values worked out by hand (and with Python's math.erfc).</summary>
public sealed class StatisticsTests
{
    [TestCase(0.5, 0.4795001221869535)]
    [TestCase(-1.0, 1.842700792949715)]
    [TestCase(3.0, 2.2090496998585438e-05)]
    [TestCase(0.0, 1.0)]
    public void Erfc_KnownValues_WithinTheFitsAccuracy(double x, double expected)
    {
        Assert.That(Statistics.Erfc(x), Is.EqualTo(expected).Within(Math.Abs(expected) * 2e-7 + 1e-12));
    }

    [Test]
    public void NormalCdf_At196_IsAbout975()
    {
        Assert.That(Statistics.NormalCdf(1.96), Is.EqualTo(0.9750021048517795).Within(1e-7));
    }

    [Test]
    public void TwoProportions_60of200Against45of200_MatchesTheWorkedExample()
    {
        // pooled p = 105/400 = 0.2625; se = sqrt(0.2625 * 0.7375 * (1/200 + 1/200)) = 0.0439993; z = 0.075 / se = 1.70457.
        var test = Statistics.TwoProportions(60, 200, 45, 200);

        Assert.That(test.Z, Is.EqualTo(1.704572969181408).Within(1e-9));
        Assert.That(test.PValue, Is.EqualTo(0.08827409627537748).Within(1e-7));
        Assert.That(test.Significant, Is.False);
        Assert.That(test.RateA, Is.EqualTo(0.30));
        Assert.That(test.RateB, Is.EqualTo(0.225));
        Assert.That(test.Describe(), Is.EqualTo("z = 1.70, p = 0.088 (not significant at 5%)"));
    }

    [Test]
    public void TwoProportions_DemoReferralAgainstPaidSocialD7_IsHighlySignificant()
    {
        var test = Statistics.TwoProportions(726, 2449, 323, 3360);

        Assert.That(test.Z, Is.EqualTo(19.599292298731736).Within(1e-9));
        Assert.That(test.PValue, Is.LessThan(1e-80));
        Assert.That(test.Describe(), Does.StartWith("z = 19.60, p < 0.001 (significant"));
    }

    [Test]
    public void TwoProportions_FewerThanFiveFailuresInAGroup_IsNotTested()
    {
        var test = Statistics.TwoProportions(48, 50, 10, 50);

        Assert.That(test.Z, Is.Null);
        Assert.That(test.PValue, Is.Null);
        Assert.That(test.Significant, Is.False);
        Assert.That(test.NotTestable, Does.Contain("too few users").And.Contain("50"));
    }

    [Test]
    public void TwoProportions_EmptyGroup_IsNotTested()
    {
        Assert.That(Statistics.TwoProportions(0, 0, 5, 20).NotTestable, Is.EqualTo("a group is empty"));
    }

    [Test]
    public void TwoProportions_SuccessesAboveTotal_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.TwoProportions(11, 10, 1, 10));
    }

    [Test]
    public void RetentionAt_PoolsOnlyCohortsOldEnough()
    {
        // Cohort 1: 100 users, counts up to day 7; cohort 2: 50 users, only up to day 2 (too young for D7).
        var segment = new RetentionSegment("$overall",
        [
            new RetentionCohort("2026-03-01", 100, [90, 40, 30, 25, 20, 18, 16, 15]),
            new RetentionCohort("2026-03-06", 50, [45, 20, 14]),
        ]);

        var d1 = RetentionMath.At(segment, 1);
        var d7 = RetentionMath.At(segment, 7);
        var d30 = RetentionMath.At(segment, 30);

        Assert.That((d1.Returned, d1.Users), Is.EqualTo((60L, 150L)));
        Assert.That(d1.Rate, Is.EqualTo(0.4));
        Assert.That((d7.Returned, d7.Users), Is.EqualTo((15L, 100L)));
        Assert.That(d30.Rate, Is.Null);
        Assert.That(d30.Describe(), Does.Contain("n/a"));
        Assert.That(RetentionMath.CohortUsers(segment), Is.EqualTo(150));
    }
}
