using System.Net;
using System.Text.Json;
using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Http;
using MixpanelData.Mcp.Emulation;

namespace MixpanelData.Tests.Emulation;

/// <summary>The emulator served by Kestrel on a real loopback socket, reached by our client with overridden base URLs.</summary>
public sealed class EmulatorOverHttpTests
{
    private static MixpanelConnection Connect(EmulatorHttpServer server, string secret = "demo", int retries = 1) => new(new MixpanelClientOptions
    {
        Credentials = new Credentials("demo", secret, 1),
        Endpoints = MixpanelEndpoints.ForRegion(MixpanelRegion.Us).With(
            new Uri(server.BaseUri, "api/query"), new Uri(server.BaseUri, "api/2.0"), new Uri(server.BaseUri, "api/app")),
        RateLimits = new RateLimitOptions { Disabled = true },
        Retry = new RetryOptions { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(5) },
    });

    [Test]
    public async Task Segmentation_OverLoopback_AnswersLikeInProcess()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
        await using var connection = Connect(server);

        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation") { Query = [new("event", "Sign Up"), new("from_date", "2026-03-02"), new("to_date", "2026-03-03")] });
        using var document = JsonDocument.Parse(response.Body);

        Assert.That(server.BaseUri.IsLoopback, Is.True);
        Assert.That(document.RootElement.GetProperty("data").GetProperty("values").GetProperty("Sign Up").GetProperty("2026-03-03").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Export_OverLoopback_StreamsGzipJsonl()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
        await using var connection = Connect(server);

        await using var stream = await connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export") { Query = [new("from_date", "2026-03-02"), new("to_date", "2026-03-05")] });
        using var reader = new StreamReader(stream.Body);
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(lines, Has.Length.EqualTo(16));
    }

    [Test]
    public async Task Export_DroppedConnectionOverLoopback_FailsTheRead()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
        await using var connection = Connect(server, retries: 0);
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.DropConnection) { AfterLines = 3 });

        await using var stream = await connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export") { Query = [new("from_date", "2026-03-02"), new("to_date", "2026-03-05")] });
        using var reader = new StreamReader(stream.Body);

        var lines = 0;
        Exception? ex = null;
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
                lines++;
            }
        }
        catch (Exception caught)
        {
            ex = caught;
        }

        Assert.That(ex, Is.InstanceOf<IOException>());
        Assert.That(lines, Is.EqualTo(3), "the lines before the drop arrive");

        Assert.That(fixture.Emulator.Faults.Pending, Is.Zero);
    }

    [Test]
    public async Task AnyCall_WrongSecretOverLoopback_Is401()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
        await using var connection = Connect(server, "wrong");

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.App, "me")));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Start_PortTaken_SaysSoInOneLine()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var first = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);

        var ex = await Assert.ThrowsAsync<IOException>(() => EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, first.BaseUri.Port));

        Assert.That(ex!.Message, Does.Contain($"Port {first.BaseUri.Port}").And.Contain("already in use").And.Not.Contain("\n"));
    }
}
