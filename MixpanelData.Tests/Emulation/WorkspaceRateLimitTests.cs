using MixpanelData.Configuration;
using MixpanelData.Http;
using MixpanelData.Queries;
using MixpanelData.Storage;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Emulation;

public sealed class WorkspaceRateLimitTests
{
    [Test]
    // The emulator states the same budget in RateLimit-Policy; the client would otherwise learn the server's larger one.
    public async Task Segmentation_BudgetOfOne_SecondCallIsRefusedBeyondTheMaximumWait()
    {
        await using var fixture = await EmulatorFixture.CreateAsync(new MixpanelData.Emulation.EmulatorOptions { EnforceRateLimits = false, QueryPerHour = 1 });
        await using var ws = new Workspace(new WorkspaceOptions
        {
            Account = new MixpanelAccount("t", new Credentials("demo", "demo", 1, MixpanelRegion.Us), "test"),
            PrimaryHandler = fixture.Emulator,
            Store = new LocalStoreOptions { Mode = LocalStoreMode.InMemory },
            RateLimits = new RateLimitOptions { QueryPerHour = 1 },
            TimeProvider = new ManualTimeProvider(new DateTimeOffset(2026, 3, 21, 12, 0, 0, TimeSpan.Zero)),
            MaxRateLimitWait = TimeSpan.FromSeconds(1),
        });
        var query = new SegmentationQuery("Login", new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 5));

        await ws.Query.SegmentationAsync(query);
        var requests = fixture.Emulator.RequestCount;

        await Assert.ThrowsAsync<RateLimitedException>(() => ws.Query.SegmentationAsync(query));
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(requests));
    }
}
