using System.CommandLine;
using System.Net;
using MixpanelData.Emulation;
using MixpanelData.Emulation.Demo;
using MixpanelData.Mcp.Emulation;

namespace MixpanelData.Mcp.Cli;

/// <summary><c>mp_mcp emulator</c>: serves the demo project's Mixpanel API over HTTP on loopback until stopped.</summary>
internal static class EmulatorCommand
{
    public static Command Build(TextWriter error)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on.", DefaultValueFactory = _ => 9100 };
        var host = new Option<string>("--host") { Description = "Loopback address to bind (127.0.0.1 or ::1).", DefaultValueFactory = _ => "127.0.0.1" };
        var noLimits = new Option<bool>("--no-rate-limits") { Description = "Answer every request instead of enforcing Mixpanel's per-project limits." };
        var command = new Command("emulator", "Serve an emulator of Mixpanel's API with the built-in demo project (account demo/demo, project 1) on loopback.")
        {
            port, host, noLimits,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            IPAddress address;
            int chosenPort;
            try
            {
                chosenPort = CommandLine.ParsePort(result.GetValue(port));
                address = ParseLoopback(result.GetValue(host));
            }
            catch (ArgumentException ex)
            {
                error.WriteLine($"mp_mcp: {ex.Message}");
                return 2;
            }

            return await RunAsync(address, chosenPort, result.GetValue(noLimits), error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    internal static IPAddress ParseLoopback(string? text)
    {
        var value = text?.Trim() ?? string.Empty;
        if (value == "localhost")
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(value, out var address) && IPAddress.IsLoopback(address)
            ? address
            : throw new ArgumentException($"--host must be a loopback address (127.0.0.1 or ::1), not '{text}': the emulator accepts a well-known demo password and is not meant for a network.");
    }

    private static async Task<int> RunAsync(IPAddress address, int port, bool noLimits, TextWriter error, CancellationToken cancellationToken)
    {
        error.WriteLine("Preparing the demo project (generated once per day, then cached in ~/.mp/demo)...");
        var options = new DemoOptions { Emulator = new EmulatorOptions { EnforceRateLimits = !noLimits } };
        var emulator = await MixpanelEmulator.CreateDemoAsync(options, cancellationToken).ConfigureAwait(false);
        await using (emulator.ConfigureAwait(false))
        {
            EmulatorHttpServer server;
            try
            {
                server = await EmulatorHttpServer.StartAsync(emulator, address, port, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                error.WriteLine($"mp_mcp: {ex.Message}");
                return 1;
            }

            await using (server.ConfigureAwait(false))
            {
                var baseUrl = server.BaseUri.ToString().TrimEnd('/');
                error.WriteLine($"Mixpanel emulator serving the demo project at {baseUrl} (service account demo / secret demo, project 1).");
                error.WriteLine($"  Query API  {baseUrl}/api/query   Export {baseUrl}/api/2.0/export   App API {baseUrl}/api/app");
                error.WriteLine($"  Try: curl -u demo:demo '{baseUrl}/api/query/events/names?project_id=1&type=general'");
                error.WriteLine($"  Point MixpanelData at it: MP_QUERY_URL={baseUrl}/api/query MP_EXPORT_URL={baseUrl}/api/2.0 MP_APP_URL={baseUrl}/api/app");
                error.WriteLine(noLimits ? "  Rate limits: off." : "  Rate limits: Mixpanel's (60 counted queries an hour, 5 at once); --no-rate-limits turns them off.");
                error.WriteLine("Press Ctrl+C to stop.");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    error.WriteLine("Stopping.");
                }
            }
        }

        return 0;
    }
}
