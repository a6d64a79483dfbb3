using System.Text.Json;
using MixpanelData.Emulation.Demo;
using MixpanelData.Http;
using MixpanelData.Storage;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Emulation;

public sealed class WorkspaceDemoTests
{
    [Test]
    public async Task OpenDemo_FirstCall_PreparesTheDemoAndAnswersThroughTheFullPipeline()
    {
        await using var ws = Workspace.OpenDemo(await SharedDemo.OptionsAsync());

        var connection = await ws.ConnectionAsync(CancellationToken.None);
        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "cohorts/list"));
        using var cohorts = JsonDocument.Parse(response.Body);

        Assert.That(ws.IsDemo, Is.True);
        Assert.That(ws.ProjectId, Is.EqualTo(1));
        Assert.That(ws.Account.ToString(), Does.Not.Contain("Secret = demo"));
        Assert.That(cohorts.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()), Does.Contain("Referral sign-ups"));
        Assert.That(cohorts.RootElement.EnumerateArray().All(c => c.GetProperty("count").GetInt32() > 0), Is.True);
    }

    [Test]
    public async Task OpenDemo_LocalStore_IsThrowawayNotTheProjectFile()
    {
        string? path;
        await using (var ws = Workspace.OpenDemo(await SharedDemo.OptionsAsync()))
        {
            path = ws.Local.DatabasePath;
            Assert.That(path, Does.Not.Contain(Path.Combine(".mp", "data")));
            Assert.That(File.Exists(path), Is.True);
        }

        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public async Task Dispose_BeforeFirstUse_TouchesNothing()
    {
        var cache = Path.Combine(Path.GetTempPath(), "mp-unused-demo-" + Guid.NewGuid().ToString("N"));
        var ws = Workspace.OpenDemo(new DemoOptions { CacheDirectory = cache });

        await ws.DisposeAsync();

        Assert.That(Directory.Exists(cache), Is.False, "nothing is generated until the demo is used");
    }
}
