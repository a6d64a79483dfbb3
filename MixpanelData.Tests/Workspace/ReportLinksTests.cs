using MixpanelData.Configuration;
using MixpanelData.Discovery;

namespace MixpanelData.Tests.Workspaces;

/// <summary>Saved-report links in the form Mixpanel's own clients build (API reference §11.4: the web host follows the region).</summary>
public sealed class ReportLinksTests
{
    [TestCase(MixpanelRegion.Us, "insights", null, "https://mixpanel.com/project/3/app/insights#report/123")]
    [TestCase(MixpanelRegion.Eu, "funnels", 75L, "https://eu.mixpanel.com/project/3/view/75/app/funnels#report/123")]
    [TestCase(MixpanelRegion.In, "retention", null, "https://in.mixpanel.com/project/3/app/retention#report/123")]
    [TestCase(MixpanelRegion.Us, "flows", 75L, "https://mixpanel.com/project/3/view/75/app/flows#report/123")]
    [TestCase(MixpanelRegion.Us, "funnel", null, "https://mixpanel.com/project/3/app/funnels#report/123")]
    [TestCase(MixpanelRegion.Us, " Insights ", null, "https://mixpanel.com/project/3/app/insights#report/123")]
    [TestCase(MixpanelRegion.Us, null, null, "https://mixpanel.com/project/3/app/insights#report/123")]
    public void SavedReport_BuildsTheWebLinkOfItsRegionTypeAndDataView(MixpanelRegion region, string? type, long? workspace, string expected) =>
        Assert.That(ReportLinks.SavedReport(region, 3, 123, type, workspace), Is.EqualTo(new Uri(expected)));

    [TestCase("launch-analysis")]
    [TestCase("experiments")]
    public void SavedReport_TypeWithoutAKnownPage_HasNoLink(string type) =>
        Assert.That(ReportLinks.SavedReport(MixpanelRegion.Us, 3, 123, type), Is.Null);

    [Test]
    public void SavedReport_OfABookmark_UsesItsOwnProjectAndDataView()
    {
        var bookmark = new Bookmark(9, "Weekly funnel", "funnels") { ProjectId = 77, WorkspaceId = 5 };

        Assert.That(ReportLinks.SavedReport(MixpanelRegion.Eu, 3, bookmark), Is.EqualTo(new Uri("https://eu.mixpanel.com/project/77/view/5/app/funnels#report/9")));
        Assert.That(ReportLinks.SavedReport(MixpanelRegion.Us, 3, bookmark with { ProjectId = null, WorkspaceId = null }), Is.EqualTo(new Uri("https://mixpanel.com/project/3/app/funnels#report/9")));
    }

    [Test]
    public async Task Demo_HasNoLinks_ItsProjectExistsOnlyInTheEmulator()
    {
        await using var ws = Workspace.OpenDemo(await Support.SharedDemo.OptionsAsync());
        var bookmark = (await ws.Discovery.BookmarksAsync(BookmarkType.Insights)).Items[0];

        Assert.That(await ws.ReportLinkAsync(bookmark), Is.Null);
    }
}
