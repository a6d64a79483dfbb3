using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MixpanelData.Mcp.Cli;

namespace MixpanelData.Mcp.Hosting;

/// <summary>
/// The stdio server (Claude Desktop): stdout carries only protocol messages, logs go to stderr. At the end of input the
/// requests already received are answered before the server exits (<see cref="StdioDrain"/>).
/// </summary>
internal static class StdioServer
{
    public static async Task<int> RunAsync(ServerSettings settings, WorkspaceHolder workspaces, TextWriter audit, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(Level(settings.LogLevel));
        var drain = new StdioDrain(TimeSpan.FromMinutes(10));
        builder.Services.AddMixpanelMcp(settings, workspaces, audit)
            .WithMessageFilters(filters => filters.AddIncomingFilter(drain.Incoming()).AddOutgoingFilter(drain.Outgoing()))
            .WithStreamServerTransport(drain.Input(Console.OpenStandardInput()), Console.OpenStandardOutput());
        using var host = builder.Build();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
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
