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
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// The MCP server over Streamable HTTP: Kestrel on one address, the SDK's <c>MapMcp</c> at <c>/mcp</c> in
/// <see cref="HttpServerSessionMode.StatefulForInitializeClients"/> mode (initialize-era clients get a session with its
/// GET stream and DELETE, <c>2026-07-28</c> clients are served per request), and in front of it the plain ASP.NET Core
/// middleware of <see cref="McpHttpMiddleware"/> for what the SDK leaves out; <c>/healthz</c> and <c>/readyz</c>.
/// </summary>
/// <example>
/// <code>
/// await using var host = await McpHttpHost.StartAsync(new McpHttpHostOptions { Port = 8000 }, services => services.AddMcpServer().WithTools&lt;MyTools&gt;());
/// await host.WaitForShutdownAsync(cancellationToken);
/// </code>
/// </example>
public sealed class McpHttpHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SessionCounter _sessions;
    private readonly ILogger _logger;
    private int _stopped;

    private McpHttpHost(WebApplication app, SessionCounter sessions, Uri baseUri, ILogger logger)
    {
        _app = app;
        _sessions = sessions;
        _logger = logger;
        BaseUri = baseUri;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:8000/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The MCP endpoint, e.g. <c>http://127.0.0.1:8000/mcp</c>.</summary>
    public Uri Endpoint => new(BaseUri, "mcp");

    /// <summary>The port actually bound (useful with port 0).</summary>
    public int Port => BaseUri.Port;

    /// <summary>How many initialize-era sessions are live.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Starts listening.</summary>
    /// <param name="options">Where to listen and whom to let in.</param>
    /// <param name="addServer">
    /// Registers the MCP server in the web application's services (<c>services.AddMcpServer(…).WithTools…()</c>) and
    /// returns its builder; the host adds the HTTP transport.
    /// </param>
    /// <param name="loggerFactory">Where the host and the SDK log (stderr in mp_mcp); none when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="IOException">The port is taken; the message is one line that says which and what to do.</exception>
    /// <exception cref="ArgumentException">The options are invalid, e.g. a non-loopback bind not explicitly allowed.</exception>
    public static async Task<McpHttpHost> StartAsync(
        McpHttpHostOptions options,
        Func<IServiceCollection, IMcpServerBuilder> addServer,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(addServer);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<McpHttpHost>();
        var address = await ResolveAsync(options.Host, cancellationToken).ConfigureAwait(false);
        var sessions = new SessionCounter();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(address, options.Port);
        });
        addServer(builder.Services).WithHttpTransport(http => ConfigureTransport(http, options, sessions));
        var app = builder.Build();

        var middleware = new McpHttpMiddleware(options, app.Lifetime.ApplicationStopping);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(McpHttpMiddleware.Path), mcp => mcp.Use(middleware.InvokeAsync));
        app.MapMcp(McpHttpMiddleware.Path);
        app.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], context => WriteHealthAsync(context, options.Version, sessions));
        app.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], context => WriteReadinessAsync(context, app.Lifetime));

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
    /// Stops gracefully: no new connections, GET streams closed, requests in flight (running tools) given
    /// <see cref="McpHttpHostOptions.ShutdownTimeout"/> to finish, then every session ended.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("MCP HTTP server stopped.");
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void ConfigureTransport(HttpServerTransportOptions http, McpHttpHostOptions options, SessionCounter sessions)
    {
        http.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
        http.TimeProvider = options.TimeProvider;
#pragma warning disable MCP9006 // Sessions are what initialize-era clients (2025-03-26 … 2025-11-25) need; they are served next to 2026-07-28.
        http.IdleTimeout = options.IdleTimeout;
        http.MaxIdleSessionCount = options.MaxSessions;
#pragma warning restore MCP9006
#pragma warning disable MCPEXP002 // The SDK's hook around each session's run is the only place that sees sessions start and end.
        http.RunSessionHandler = sessions.RunAsync;
#pragma warning restore MCPEXP002
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

    private static Task WriteHealthAsync(HttpContext context, string version, SessionCounter sessions)
    {
        var body = new JsonObject { ["status"] = "ok", ["version"] = version, ["sessions"] = sessions.Count };
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static Task WriteReadinessAsync(HttpContext context, IHostApplicationLifetime lifetime)
    {
        var stopping = lifetime.ApplicationStopping.IsCancellationRequested;
        context.Response.StatusCode = stopping ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(new JsonObject { ["ready"] = !stopping }.ToJsonString(), context.RequestAborted);
    }

    /// <summary>Counts initialize-era sessions from the start to the end of their run (sessionless requests have no id).</summary>
    private sealed class SessionCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public async Task RunAsync(HttpContext context, McpServer server, CancellationToken cancellationToken)
        {
            if (server.SessionId is not { Length: > 0 })
            {
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref _count);
            try
            {
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
