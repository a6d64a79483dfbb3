using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Transport;

namespace MixpanelData.Mcp.Hosting;

/// <summary>The Streamable HTTP server (agent platforms): the SDK's <c>MapMcp</c> at <c>/mcp</c> behind our middleware, plus <c>/healthz</c> and <c>/readyz</c>.</summary>
internal static class HttpServer
{
    public static async Task<int> RunAsync(ServerSettings settings, WorkspaceHolder workspaces, TextWriter audit, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(logging =>
        {
            logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            logging.SetMinimumLevel(StdioServer.Level(settings.LogLevel));
        });
        var token = environment("MP_MCP_TOKEN");
        var loopback = settings.Host is "localhost" || (IPAddress.TryParse(settings.Host, out var address) && IPAddress.IsLoopback(address));
        McpHttpHost host;
        try
        {
            host = await McpHttpHost.StartAsync(
                new McpHttpHostOptions
                {
                    Host = settings.Host,
                    Port = settings.Port,
                    AllowNonLoopbackBind = !loopback, // the user typed --host explicitly
                    BearerToken = string.IsNullOrEmpty(token) ? null : token,
                    Version = McpComposition.Version,
                },
                services => services.AddMixpanelMcp(settings, workspaces, audit),
                loggerFactory,
                cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            error.WriteLine($"mp_mcp: {ex.Message}");
            return 1;
        }

        await using (host.ConfigureAwait(false))
        {
            error.WriteLine($"Streamable HTTP at {host.Endpoint} (health: {new Uri(host.BaseUri, "healthz")}){(token is { Length: > 0 } ? "; bearer token required (MP_MCP_TOKEN)" : string.Empty)}.");
            if (!loopback && token is not { Length: > 0 })
            {
                error.WriteLine("Warning: listening beyond loopback without MP_MCP_TOKEN: anyone who can reach this port can use the server.");
            }

            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
