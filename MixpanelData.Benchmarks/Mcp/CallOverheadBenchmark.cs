using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Benchmarks.Mcp;

/// <summary>
/// <c>call-overhead</c>: what one call of a cached discovery tool costs the server. The real server composition
/// (<c>AddMixpanelMcp</c>: every tool, the audit → rate-limit notice → cache → response budget → error filters) runs
/// in this process on the demo workspace, behind the SDK's stream transport over in-memory pipes, and the SDK's client
/// calls it. Three figures per call:
/// <list type="bullet">
/// <item>server: from the parsed request entering the server's incoming message filter to its response reaching the
/// outgoing message filter (dispatch, our filters, the tool, building the result; not JSON bytes in or out);</item>
/// <item>round trip: the client's <c>CallToolAsync</c> wall clock, i.e. also both sides' JSON and the pipes;</item>
/// <item>ping: a <c>ping</c> round trip on the same connection, the transport and JSON-RPC floor (handshake revisions
/// only: <c>2026-07-28</c> has no ping).</item>
/// </list>
/// The client speaks <c>2025-06-18</c> unless <c>protocol=latest</c>.
/// </summary>
internal static class CallOverheadBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> arguments)
    {
        var calls = int.Parse(arguments.GetValueOrDefault("calls", "2000"), CultureInfo.InvariantCulture);
        var tool = arguments.GetValueOrDefault("tool", "list_events");
        var protocol = arguments.GetValueOrDefault("protocol", "2025-06-18");
        var ping = protocol != "latest";
        var toolArguments = new Dictionary<string, object?>();

        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var started = new ConcurrentDictionary<string, long>();
        var serverTicks = new ConcurrentQueue<long>();

        var settings = new ServerSettings { Demo = true };
        var holder = new WorkspaceHolder(Workspace.OpenDemo(), _ => throw new InvalidOperationException("no accounts in this benchmark"));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        var audit = new StreamWriter(Stream.Null);
        builder.Services.AddMixpanelMcp(settings, holder, audit)
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream())
            .WithMessageFilters(filters => filters
                .AddIncomingFilter(next => async (context, cancellationToken) =>
                {
                    if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ToolsCall } request)
                    {
                        started[request.Id.ToString()] = Stopwatch.GetTimestamp();
                    }

                    await next(context, cancellationToken);
                })
                .AddOutgoingFilter(next => async (context, cancellationToken) =>
                {
                    if (context.JsonRpcMessage is JsonRpcResponse response && started.TryRemove(response.Id.ToString(), out var start))
                    {
                        serverTicks.Enqueue(Stopwatch.GetTimestamp() - start);
                    }

                    await next(context, cancellationToken);
                }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await using var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()),
                new McpClientOptions { ProtocolVersion = ping ? protocol : null });
            Console.WriteLine($"protocol {client.NegotiatedProtocolVersion}");

            // First call opens the demo (its emulator and data) and fills the cache; it is reported, not counted.
            var clock = Stopwatch.StartNew();
            var first = await client.CallToolAsync(tool, toolArguments);
            Console.WriteLine($"{tool} first call (demo opens, cache fills): {clock.Elapsed.TotalMilliseconds:F0} ms, isError={first.IsError == true}");
            serverTicks.Clear();

            // Warm-up: JIT and tiering of both sides' code paths.
            for (var i = 0; i < Math.Min(500, calls); i++)
            {
                await client.CallToolAsync(tool, toolArguments);
                if (ping)
                {
                    await client.PingAsync();
                }
            }

            serverTicks.Clear();
            var roundTrips = new List<double>(calls);
            var pings = new List<double>(calls);
            for (var i = 0; i < calls; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await client.CallToolAsync(tool, toolArguments);
                var t1 = Stopwatch.GetTimestamp();
                roundTrips.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                if (ping)
                {
                    await client.PingAsync();
                    pings.Add(Stopwatch.GetElapsedTime(t1).TotalMilliseconds);
                }
            }

            var server = serverTicks.Select(t => t * 1000.0 / Stopwatch.Frequency).ToList();
            Console.WriteLine($"{tool} (warm; discovery tools answer from the cache filter), {calls} calls, {Environment.ProcessorCount} cores:");
            Console.WriteLine($"  server (incoming → outgoing filter): {ColdStartBenchmark.Summary(server, 3)}");
            Console.WriteLine($"  client round trip:                   {ColdStartBenchmark.Summary(roundTrips, 3)}");
            if (ping)
            {
                Console.WriteLine($"  ping round trip (transport floor):   {ColdStartBenchmark.Summary(pings, 3)}");
                var median = ColdStartBenchmark.Percentile(roundTrips.Order().ToList(), 0.5) - ColdStartBenchmark.Percentile(pings.Order().ToList(), 0.5);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round trip − ping (medians):         {median:F3} ms"));
            }
        }
        finally
        {
            await host.StopAsync();
            await holder.DisposeAsync();
            await audit.DisposeAsync();
        }

        return 0;
    }
}
