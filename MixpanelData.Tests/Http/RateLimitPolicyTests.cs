using MixpanelData.Http;

namespace MixpanelData.Tests.Http;

public sealed class RateLimitPolicyTests
{
    [Test]
    public void Parse_MixpanelPolicyHeader_ReadsBothItems()
    {
        var items = RateLimitPolicy.Parse("\"project\";q=60;w=3600, \"project-concurrency\";q=5;qu=\"concurrent-requests\"");

        Assert.That(items, Has.Count.EqualTo(2));
        Assert.That(items[0], Is.EqualTo(new RateLimitPolicy.Item("project", 60, 3600, null)));
        Assert.That(items[1], Is.EqualTo(new RateLimitPolicy.Item("project-concurrency", 5, null, "concurrent-requests")));
    }

    [TestCase("\"project\";q=120;w=3600", 120)]
    [TestCase("\"project-concurrency\";q=5;qu=\"concurrent-requests\", \"project\";q=30;w=3600", 30)]
    public void HourlyQuota_PolicyWithHourWindow_ReturnsQuota(string header, int expected) =>
        Assert.That(RateLimitPolicy.HourlyQuota(header), Is.EqualTo(expected));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("garbage;;;==")]
    [TestCase("\"project\";q=abc;w=3600")]
    [TestCase("\"project\";q=60;w=60")]
    public void HourlyQuota_NoUsableHourlyItem_ReturnsNull(string? header) =>
        Assert.That(RateLimitPolicy.HourlyQuota(header), Is.Null);
}

public sealed class MixpanelRateLimiterTests
{
    [TestCase("segmentation", false, true)]
    [TestCase("segmentation/numeric", false, true)]
    [TestCase("funnels/list", false, true)]
    [TestCase("retention/addiction", false, true)]
    [TestCase("insights", false, true)]
    [TestCase("jql", false, true)]
    [TestCase("stream/query", false, true)]
    [TestCase("engage", false, true)]
    [TestCase("engage", true, false)]
    [TestCase("engage/aliases", false, false)]
    [TestCase("events/names", false, true)]
    [TestCase("cohorts/list", false, true)]
    [TestCase("me", false, false)]
    [TestCase("annotations", false, false)]
    public void IsCountedQuery_Path_MatchesMixpanelsCountedList(string path, bool hasSessionId, bool expected) =>
        Assert.That(MixpanelRateLimiter.IsCountedQuery(path, hasSessionId), Is.EqualTo(expected));
}
