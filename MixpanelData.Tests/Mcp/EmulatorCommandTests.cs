using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Mcp;

/// <summary><c>mp_mcp emulator</c> as a real process, reached with a plain HTTP client, as a curl user would.</summary>
public sealed class EmulatorCommandTests
{
    [Test]
    public async Task Emulator_Started_ServesDocumentedShapesWithDemoCredentials()
    {
        var home = await SharedDemo.HomeAsync();
        await using var emulator = await EmulatorProcess.StartAsync(home);
        var port = emulator.Port;
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("demo:demo")));
        var names = JsonDocument.Parse(await client.GetStringAsync("api/query/events/names?project_id=1&type=general"));
        var funnels = JsonDocument.Parse(await client.GetStringAsync("api/2.0/funnels/list?project_id=1"));
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/query/funnels/list?project_id=1");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("demo:nope")));
        using var refused = await client.SendAsync(wrong);

        Assert.That(names.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(names.RootElement.EnumerateArray().Select(e => e.GetString()), Does.Contain("Sign Up"));
        Assert.That(funnels.RootElement[0].GetProperty("funnel_id").GetInt64(), Is.EqualTo(7011));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(emulator.Output, Does.Contain($"http://127.0.0.1:{port}").And.Contain("curl -u demo:demo"));
    }

    [Test]
    public async Task Emulator_NonLoopbackHost_IsRefused()
    {
        var outcome = await ProcessRunner.RunMcpAsync(new Dictionary<string, string?>(), "emulator", "--host", "0.0.0.0");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.StandardError, Does.Contain("loopback"));
    }
}
