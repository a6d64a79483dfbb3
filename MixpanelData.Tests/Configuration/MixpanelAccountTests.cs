using System.Collections.ObjectModel;
using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

public sealed class MixpanelAccountTests
{
    private static MixpanelAccount CreateSut() =>
        new("prod", new Credentials("svc.mp-service-account", ConfigSandbox.Secret, 42, MixpanelRegion.Eu), "test");

    [TestCase(MixpanelRegion.Us, "https://mixpanel.com/api/query", "https://data.mixpanel.com/api/2.0", "https://mixpanel.com/api/app")]
    [TestCase(MixpanelRegion.Eu, "https://eu.mixpanel.com/api/query", "https://data-eu.mixpanel.com/api/2.0", "https://eu.mixpanel.com/api/app")]
    [TestCase(MixpanelRegion.In, "https://in.mixpanel.com/api/query", "https://data-in.mixpanel.com/api/2.0", "https://in.mixpanel.com/api/app")]
    public void ResolveEndpoints_NoOverrides_GivesRegionDefaults(MixpanelRegion region, string query, string export, string app)
    {
        Assert.That(CreateSut().ResolveEndpoints(region), Is.EqualTo(new MixpanelEndpoints(new Uri(query), new Uri(export), new Uri(app))));
    }

    [Test]
    public void ResolveEndpoints_OneOverride_KeepsTheOtherDefaults()
    {
        var sut = CreateSut() with { ExportUrl = new Uri("http://localhost:8080/api/2.0/") };

        var endpoints = sut.ResolveEndpoints(MixpanelRegion.Us);

        Assert.That(endpoints.Export, Is.EqualTo(new Uri("http://localhost:8080/api/2.0")));
        Assert.That(endpoints.Query, Is.EqualTo(new Uri("https://mixpanel.com/api/query")));
    }

    [Test]
    public void ResolveEndpoints_HandBuiltPlainHttpOverride_Throws()
    {
        var sut = CreateSut() with { QueryUrl = new Uri("http://proxy.example/api/query") };

        Assert.That(() => sut.ResolveEndpoints(MixpanelRegion.Us), Throws.ArgumentException.With.Message.Contains("non-loopback"));
    }

    [Test]
    public void ToString_WithSettings_ShowsHeaderNamesButNotValues()
    {
        var sut = CreateSut() with
        {
            WorkspaceId = 9,
            Headers = new ReadOnlyDictionary<string, string>(new Dictionary<string, string> { ["X-Source"] = "copilot-value" }),
            QueryUrl = new Uri("https://proxy.example/api/query?key=abc"),
        };

        var text = sut.ToString();

        Assert.That(text, Does.Contain("Name = prod").And.Contain("ProjectId = 42").And.Contain("Region = eu").And.Contain("WorkspaceId = 9"));
        Assert.That(text, Does.Contain("Headers = [X-Source]").And.Contain("QueryUrl = https://proxy.example/api/query"));
        Assert.That(text, Does.Not.Contain("copilot-value").And.Not.Contain("key=abc").And.Not.Contain(ConfigSandbox.Secret));
    }

    [Test]
    public void Headers_Default_IsEmpty()
    {
        Assert.That(CreateSut().Headers, Is.Empty);
    }
}
