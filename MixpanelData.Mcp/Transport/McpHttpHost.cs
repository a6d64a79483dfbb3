using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// The MCP server over Streamable HTTP: Kestrel on one address, <c>/mcp</c> (POST, GET, DELETE) and <c>/healthz</c>.
/// Tools, resources, prompts and filters come from the server options the caller's factory produces, once per
/// stateful session and once per sessionless request.
/// </summary>
/// <example>
/// <code>
/// await using var host = await McpHttpHost.StartAsync(new McpHttpHostOptions { Port = 8000 }, () => BuildServerOptions(), services, loggerFactory);
/// await host.WaitForShutdownAsync(cancellationToken);
/// </code>
/// </example>
public sealed class McpHttpHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly McpHttpSessionStore _sessions;
    private readonly CancellationTokenSource _pruningStop = new();
    private readonly Task _pruning;
    private readonly ILogger _logger;
    private int _stopped;

    private McpHttpHost(WebApplication app, McpHttpSessionStore sessions, Uri baseUri, ILogger logger)
    {
        _app = app;
        _sessions = sessions;
        _logger = logger;
        BaseUri = baseUri;
        _pruning = sessions.RunPruningAsync(_pruningStop.Token);
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:8000/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The MCP endpoint, e.g. <c>http://127.0.0.1:8000/mcp</c>.</summary>
    public Uri Endpoint => new(BaseUri, "mcp");

    /// <summary>The port actually bound (useful with port 0).</summary>
    public int Port => BaseUri.Port;

    /// <summary>How many stateful sessions are live.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>
    /// Starts listening with server options built by <paramref name="services"/>' <see cref="IOptionsFactory{TOptions}"/>
    /// for <see cref="McpServerOptions"/>, i.e. what <c>AddMcpServer().WithTools…()</c> registered.
    /// </summary>
    /// <inheritdoc cref="StartAsync(McpHttpHostOptions, Func{McpServerOptions}, IServiceProvider, ILoggerFactory?, CancellationToken)"/>
    public static Task<McpHttpHost> StartAsync(
        McpHttpHostOptions options,
        IServiceProvider services,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var factory = services.GetRequiredService<IOptionsFactory<McpServerOptions>>();
        return StartAsync(options, () => factory.Create(Options.DefaultName), services, loggerFactory, cancellationToken);
    }

    /// <summary>Starts listening.</summary>
    /// <param name="options">Where to listen and whom to let in.</param>
    /// <param name="serverOptionsFactory">
    /// Produces fresh <see cref="McpServerOptions"/> (tool, resource and prompt collections, filters, server info) for each
    /// session or sessionless request. The collections may be shared instances; the options object must be new.
    /// </param>
    /// <param name="services">The provider tools and filters resolve their services from.</param>
    /// <param name="loggerFactory">Where the host and the SDK log (stderr in mp_mcp); none when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="IOException">The port is taken; the message is one line that says which and what to do.</exception>
    /// <exception cref="ArgumentException">The options are invalid, e.g. a non-loopback bind not explicitly allowed.</exception>
    public static async Task<McpHttpHost> StartAsync(
        McpHttpHostOptions options,
        Func<McpServerOptions> serverOptionsFactory,
        IServiceProvider services,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serverOptionsFactory);
        ArgumentNullException.ThrowIfNull(services);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<McpHttpHost>();
        var address = await ResolveAsync(options.Host, cancellationToken).ConfigureAwait(false);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, options.Port);
        });
        var app = builder.Build();

        var sessions = new McpHttpSessionStore(options, loggerFactory.CreateLogger<McpHttpSessionStore>());
        var endpoint = new McpHttpEndpoint(options, serverOptionsFactory, services, loggerFactory, sessions, app.Lifetime.ApplicationStopping);
        app.Map("/mcp", endpoint.HandleAsync);
        app.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], context => WriteHealthAsync(context, options.Version, sessions));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
            || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"Port {options.Port} on {options.Host} is already in use; choose another with --port.", ex);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new McpHttpHost(app, sessions, new Uri(bound.EndsWith('/') ? bound : bound + "/"), logger);
        if (!McpHttpHostOptions.IsLoopbackName(options.Host) && options.BearerToken is null)
        {
            logger.LogWarning("Listening on {Address} beyond loopback without MP_MCP_TOKEN: anyone who can reach it can call every tool.", host.BaseUri);
        }

        logger.LogInformation("MCP over Streamable HTTP at {Endpoint}.", host.Endpoint);
        return host;
    }

    /// <summary>
    /// Waits until the process is asked to stop (Ctrl+C, SIGTERM) or <paramref name="cancellationToken"/> fires, then
    /// stops gracefully (<see cref="StopAsync"/>).
    /// </summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_app.Lifetime.ApplicationStopping.Register(() => signalled.TrySetResult()))
        using (cancellationToken.Register(() => signalled.TrySetResult()))
        {
            await signalled.Task.ConfigureAwait(false);
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops gracefully: no new connections, GET streams closed, requests in flight given
    /// <see cref="McpHttpHostOptions.ShutdownTimeout"/> to finish, then every session ended.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _pruningStop.CancelAsync().ConfigureAwait(false);
        await _pruning.ConfigureAwait(false);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        await _sessions.DisposeAsync().ConfigureAwait(false);
        _logger.LogInformation("MCP HTTP server stopped.");
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _pruningStop.Dispose();
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var name = host.Trim('[', ']');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(name, out var address))
        {
            return address;
        }

        var addresses = await Dns.GetHostAddressesAsync(name, cancellationToken).ConfigureAwait(false);
        return addresses.FirstOrDefault() ?? throw new ArgumentException($"The host name '{host}' resolves to no address.", nameof(host));
    }

    private static Task WriteHealthAsync(HttpContext context, string version, McpHttpSessionStore sessions)
    {
        var body = new JsonObject { ["status"] = "ok", ["version"] = version, ["sessions"] = sessions.Count };
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
