using System.Diagnostics;
using System.Text.Json;
using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Emulation.Demo;
using MixpanelData.Http;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Emulation;

/// <summary>The demo project behind the emulator: built, cached, and answering with the planted stories.</summary>
public sealed class DemoEmulatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);

    private string _cache = null!;

    [SetUp]
    public void NewCache() => _cache = Path.Combine(Path.GetTempPath(), "mp-demo-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DropCache()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    private DemoOptions Small() => new() { TimeProvider = new ManualTimeProvider(Now), CacheDirectory = _cache, UserCount = 2_000 };

    private static MixpanelConnection Connect(MixpanelEmulator emulator) => new(new MixpanelClientOptions
    {
        Credentials = new Credentials(DemoOptions.Username, DemoOptions.Secret, DemoOptions.ProjectId, MixpanelRegion.Us),
        Endpoints = MixpanelEndpoints.ForRegion(MixpanelRegion.Us),
        PrimaryHandler = emulator,
    });

    [Test]
    public async Task CreateDemoAsync_FirstTime_BuildsTheCacheAndServesTheLast90Days()
    {
        await using var emulator = await MixpanelEmulator.CreateDemoAsync(Small());
        await using var connection = Connect(emulator);

        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "events/names") { Query = [new("type", "general"), new("from_date", "2026-08-23"), new("to_date", "2026-11-20")] });
        using var names = JsonDocument.Parse(response.Body);

        Assert.That(Directory.GetFiles(_cache, "demo-v1-*.duckdb"), Has.Length.EqualTo(1));
        Assert.That(names.RootElement.EnumerateArray().Select(e => e.GetString()), Is.SupersetOf(new[] { "Sign Up", "Login", "Page View", "Create Project", "Invite Teammate", "Upgrade Plan", "Purchase" }));

        var export = await connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export") { Query = [new("from_date", "2026-11-20"), new("to_date", "2026-11-20"), new("limit", "1")] });
        await using (export)
        {
            using var reader = new StreamReader(export.Body);
            using var line = JsonDocument.Parse((await reader.ReadLineAsync())!);
            var time = DateTimeOffset.FromUnixTimeSeconds(line.RootElement.GetProperty("properties").GetProperty("time").GetInt64());
            Assert.That(time.UtcDateTime.Date, Is.EqualTo(new DateTime(2026, 11, 20)));
        }
    }

    [Test]
    public async Task CreateDemoAsync_SecondTime_ReusesTheCacheQuickly()
    {
        await using (await MixpanelEmulator.CreateDemoAsync(Small()))
        {
        }

        var stamp = File.GetLastWriteTimeUtc(Directory.GetFiles(_cache, "demo-v1-*.duckdb").Single());
        var clock = Stopwatch.StartNew();
        await using (await MixpanelEmulator.CreateDemoAsync(Small()))
        {
        }

        Assert.That(File.GetLastWriteTimeUtc(Directory.GetFiles(_cache, "demo-v1-*.duckdb").Single()), Is.EqualTo(stamp));
        TestContext.Out.WriteLine($"warm start: {clock.ElapsedMilliseconds} ms");
    }

    [Test]
    public async Task CreateDemoAsync_TwoAtOnce_ShareTheCachedFileReadOnly()
    {
        var first = await MixpanelEmulator.CreateDemoAsync(Small());
        await using var second = await MixpanelEmulator.CreateDemoAsync(Small());
        var tempCopies = Directory.EnumerateFiles(Path.GetTempPath(), $"mp-demo-{Environment.ProcessId}-*.duckdb").Count();
        byte[] one;
        await using (var a = Connect(first))
        {
            one = (await a.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list"))).Body;
        }

        await first.DisposeAsync();
        await using var b = Connect(second);
        var two = await b.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list"));
        var events = await b.SendAsync(new PipelineRequest(ApiFamily.Query, "events/names") { Query = [new("type", "general"), new("limit", "5")] });

        Assert.That(two.Body, Is.EqualTo(one), "the second emulator still answers after the first one closed the shared file");
        Assert.That(System.Text.Encoding.UTF8.GetString(events.Body), Does.Contain("Page View"), "the second emulator still reads the event table");
        using var funnels = JsonDocument.Parse(one);
        Assert.That(funnels.RootElement.EnumerateArray().Select(f => f.GetProperty("funnel_id").GetInt64()), Is.EqualTo(new long[] { 7011, 7012, 7013, 7014 }));
        Assert.That(tempCopies, Is.Zero, "the cache is read in place, not copied to the temp folder");
        Assert.That(Directory.EnumerateFiles(_cache, "*.duckdb").Count(), Is.EqualTo(1), "one cached file serves both");
    }

    [Test]
    public async Task SavedFunnelWithStepFilters_CountsOnlyMatchingSteps()
    {
        await using var emulator = await MixpanelEmulator.CreateDemoAsync(Small());
        await using var connection = Connect(emulator);

        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels") { Query = [new("funnel_id", "7013"), new("from_date", "2026-10-01"), new("to_date", "2026-11-20"), new("interval", "60")] });
        using var document = JsonDocument.Parse(response.Body);
        var steps = document.RootElement.GetProperty("data").EnumerateObject().Single().Value.GetProperty("steps");

        Assert.That(steps[0].GetProperty("step_label").GetString(), Is.EqualTo("Viewed pricing"));
        Assert.That(steps[0].GetProperty("event").GetString(), Is.EqualTo("Page View"));
        var counts = steps.EnumerateArray().Select(s => s.GetProperty("count").GetInt32()).ToArray();
        Assert.That(counts[0], Is.GreaterThan(0));
        Assert.That(counts[1], Is.LessThanOrEqualTo(counts[0]));
        Assert.That(counts[2], Is.LessThanOrEqualTo(counts[1]));
    }
}
