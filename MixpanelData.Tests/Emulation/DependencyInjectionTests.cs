using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Configuration;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Emulation;

public sealed class DependencyInjectionTests
{
    [Test]
    public async Task AddMixpanelDataDemo_Resolved_GivesOneDemoWorkspaceDisposedWithTheContainer()
    {
        var services = new ServiceCollection().AddMixpanelDataDemo(await SharedDemo.OptionsAsync());
        Workspace first;
        await using (var provider = services.BuildServiceProvider())
        {
            first = provider.GetRequiredService<Workspace>();
            Assert.That(provider.GetRequiredService<Workspace>(), Is.SameAs(first));
            var events = await first.Discovery.EventsAsync();
            Assert.That(events, Does.Contain("Sign Up"));
            Assert.That(provider.GetRequiredService<MixpanelData.Discovery.DiscoveryClient>(), Is.SameAs(first.Discovery), "the container hands out the workspace's clients, not a second composition");
            Assert.That(provider.GetRequiredService<MixpanelData.Queries.QueryClient>(), Is.SameAs(first.Query));
            Assert.That(provider.GetRequiredService<MixpanelData.Fetching.FetchClient>(), Is.SameAs(first.Fetch));
            var counts = await provider.GetRequiredService<MixpanelData.Queries.QueryClient>().SegmentationAsync(new MixpanelData.Queries.SegmentationQuery("Sign Up", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 7)));
            Assert.That(counts.Series, Has.Count.EqualTo(7));
        }

        Assert.Throws<ObjectDisposedException>(() => _ = first.Local);
    }

    [Test]
    public async Task AddMixpanelData_ExplicitAccount_UsesIt()
    {
        var account = new MixpanelAccount("explicit", new Credentials("svc", "S3CRET-do-not-print", 77, MixpanelRegion.Eu), "test");
        await using var provider = new ServiceCollection().AddMixpanelData(configure: o => o with { Account = account }).BuildServiceProvider();

        var ws = provider.GetRequiredService<Workspace>();

        Assert.That(ws.ProjectId, Is.EqualTo(77));
        Assert.That(ws.Account.Name, Is.EqualTo("explicit"));
    }
}
