using MixpanelData.Http;

namespace MixpanelData.Tests.Workspaces;

/// <summary>The front door's shared state: one rate limiter per project among workspaces that agree on budgets and clock.</summary>
public sealed class WorkspaceTests
{
    [Test]
    public async Task ConnectionAsync_SameBudgetsAndClock_ShareOneLimiter()
    {
        var clock = new Support.ManualTimeProvider(Emulation.EmulatorFixture.Now);
        var limits = new RateLimitOptions { QueryPerHour = 7 };
        await using var first = await LiveWorkspace.CreateAsync(clock: clock, configure: o => o with { RateLimits = limits });
        await using var second = await LiveWorkspace.CreateAsync(clock: clock, configure: o => o with { RateLimits = limits with { } });

        var a = await first.Workspace.ConnectionAsync(CancellationToken.None);
        var b = await second.Workspace.ConnectionAsync(CancellationToken.None);

        Assert.That(b.RateLimiter, Is.SameAs(a.RateLimiter));
    }

    [Test]
    public async Task ConnectionAsync_DifferentBudgetsOrClock_GetTheirOwnLimiter()
    {
        var clock = new Support.ManualTimeProvider(Emulation.EmulatorFixture.Now);
        await using var strict = await LiveWorkspace.CreateAsync(clock: clock, configure: o => o with { RateLimits = new RateLimitOptions { QueryPerHour = 5 } });
        await using var lax = await LiveWorkspace.CreateAsync(clock: clock, configure: o => o with { RateLimits = new RateLimitOptions { Disabled = true } });
        await using var otherClock = await LiveWorkspace.CreateAsync(clock: new Support.ManualTimeProvider(Emulation.EmulatorFixture.Now), configure: o => o with { RateLimits = new RateLimitOptions { QueryPerHour = 5 } });

        var a = await strict.Workspace.ConnectionAsync(CancellationToken.None);
        var b = await lax.Workspace.ConnectionAsync(CancellationToken.None);
        var c = await otherClock.Workspace.ConnectionAsync(CancellationToken.None);

        Assert.That(b.RateLimiter, Is.Not.SameAs(a.RateLimiter));
        Assert.That(c.RateLimiter, Is.Not.SameAs(a.RateLimiter));
        Assert.That(a.RateLimiter.QueryHourlyQuota, Is.EqualTo(5));
    }
}
