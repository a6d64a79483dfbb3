using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MixpanelData.Mcp.Cli;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Hosting;

/// <summary>
/// The stdio server (Claude Desktop): stdout carries only protocol messages, logs go to stderr. At the end of input the
/// requests already received are answered before the server exits (<see cref="StdioDrain"/>).
/// </summary>
/// <remarks>
/// One session over one pair of streams needs no generic host: the services are the same composition as over HTTP
/// (<see cref="McpComposition.AddMixpanelMcp"/>) in a plain container, and the SDK's server runs on the SDK's stream
/// transport until the input ends or <paramref name="cancellationToken"/> fires (the command line cancels it on Ctrl+C
/// and SIGTERM). Leaving out the host's builder, configuration and console lifetime takes tens of milliseconds off
/// every start (docs/performance.md).
/// </remarks>
internal static class StdioServer
{
    public static async Task<int> RunAsync(ServerSettings settings, WorkspaceHolder workspaces, TextWriter audit, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            logging.SetMinimumLevel(Level(settings.LogLevel));
        });
        var drain = new StdioDrain(TimeSpan.FromMinutes(10));
        services.AddMixpanelMcp(settings, workspaces, audit)
            .WithMessageFilters(filters => filters.AddIncomingFilter(drain.Incoming()).AddOutgoingFilter(drain.Outgoing()));
        await using var provider = services.BuildServiceProvider();
        var loggers = provider.GetRequiredService<ILoggerFactory>();
        var options = provider.GetRequiredService<IOptions<McpServerOptions>>().Value;
        // Not disposed here, as under the host: disposing waits for the pending read of stdin, which only the client's end of input ends.
        var transport = new StreamServerTransport(drain.Input(Console.OpenStandardInput()), Console.OpenStandardOutput(), options.ServerInfo?.Name, loggers);
        await using var server = McpServer.Create(transport, options, loggers, provider);
        try
        {
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: a normal stop.
        }

        return 0;
    }

    internal static LogLevel Level(string level) => level switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => LogLevel.Information,
    };
}
