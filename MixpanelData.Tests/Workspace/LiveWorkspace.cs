using System.Net;
using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Http;
using MixpanelData.Mcp.Emulation;
using MixpanelData.Storage;
using MixpanelData.Tests.Emulation;

namespace MixpanelData.Tests.Workspaces;

/// <summary>
/// A <see cref="MixpanelData.Workspace"/> in front of the emulator's hand-built project (<see cref="EmulatorFixture.Rows"/>):
/// in-process through <see cref="WorkspaceOptions.PrimaryHandler"/>, or over a real loopback socket with the account's
/// base URLs pointed at Kestrel.
/// </summary>
internal sealed class LiveWorkspace : IAsyncDisposable
{
    private readonly EmulatorHttpServer? _server;

    private LiveWorkspace(EmulatorFixture fixture, EmulatorHttpServer? server, MixpanelData.Workspace workspace)
    {
        Fixture = fixture;
        _server = server;
        Workspace = workspace;
    }

    public EmulatorFixture Fixture { get; }

    public MixpanelEmulator Emulator => Fixture.Emulator;

    public MixpanelData.Workspace Workspace { get; }

    /// <summary>Requests the emulator has answered so far.</summary>
    public long Requests => Emulator.RequestCount;

    /// <param name="overSocket">Serve the emulator on 127.0.0.1 and talk to it over HTTP.</param>
    /// <param name="clock">The workspace's clock (caches); the system clock when null, so retry delays elapse.</param>
    /// <param name="configure">Adjusts the workspace options.</param>
    /// <param name="emulatorOptions">The emulator's options; rate limits off unless given.</param>
    public static async Task<LiveWorkspace> CreateAsync(
        bool overSocket = false,
        TimeProvider? clock = null,
        Func<WorkspaceOptions, WorkspaceOptions>? configure = null,
        EmulatorOptions? emulatorOptions = null)
    {
        var fixture = await EmulatorFixture.CreateAsync(emulatorOptions ?? new EmulatorOptions { EnforceRateLimits = false });
        EmulatorHttpServer? server = null;
        var account = new MixpanelAccount("t", new Credentials("demo", "demo", 1, MixpanelRegion.Us), "test");
        if (overSocket)
        {
            server = await EmulatorHttpServer.StartAsync(fixture.Emulator, IPAddress.Loopback, 0);
            account = account with
            {
                QueryUrl = new Uri(server.BaseUri, "api/query"),
                ExportUrl = new Uri(server.BaseUri, "api/2.0"),
                AppUrl = new Uri(server.BaseUri, "api/app"),
            };
        }

        var options = new WorkspaceOptions
        {
            Account = account,
            PrimaryHandler = overSocket ? null : fixture.Emulator,
            Store = new LocalStoreOptions { Mode = LocalStoreMode.InMemory },
            RateLimits = new RateLimitOptions { Disabled = true },
            Retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
            TimeProvider = clock ?? TimeProvider.System,
        };
        return new LiveWorkspace(fixture, server, new MixpanelData.Workspace(configure is null ? options : configure(options)));
    }

    public async ValueTask DisposeAsync()
    {
        await Workspace.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await Fixture.DisposeAsync();
    }
}
