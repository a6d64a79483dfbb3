using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// One stateful session of an initialize-era client: its transport, its server running in the background, and the
/// bookkeeping that lets idle expiry leave sessions with requests in flight alone.
/// </summary>
internal sealed class McpHttpSession : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly TimeProvider _time;
    private Task _run = Task.CompletedTask;
    private int _refs;
    private long _lastActivity;
    private bool _closing;
    private int _getStreamOpened;

    private McpHttpSession(string id, StreamableHttpServerTransport transport, McpServer server, TimeProvider time)
    {
        Id = id;
        Transport = transport;
        Server = server;
        _time = time;
        _lastActivity = time.GetTimestamp();
    }

    public string Id { get; }

    public StreamableHttpServerTransport Transport { get; }

    public McpServer Server { get; }

    /// <summary>Fires when the session ends; read it while holding a reference (the source is disposed with the session).</summary>
    public CancellationToken Closed => _cts.Token;

    /// <summary>Creates the session's transport and server and starts the server's message loop.</summary>
    public static McpHttpSession Start(McpServerOptions options, IServiceProvider services, ILoggerFactory loggerFactory, TimeProvider time)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var transport = new StreamableHttpServerTransport(loggerFactory)
        {
            SessionId = id,
            // Handlers run in the POST's execution context, as MapMcp does for its sessions.
            FlowExecutionContextFromRequests = true,
        };
        var server = McpServer.Create(transport, options, loggerFactory, services);
        var session = new McpHttpSession(id, transport, server, time);

        // The transport's channel holds one message: the loop must run before the first POST is handed over.
        session._run = server.RunAsync(session._cts.Token);
        return session;
    }

    /// <summary>Marks a request as in flight; false when the session is already closing.</summary>
    public bool TryAcquire()
    {
        lock (_sync)
        {
            if (_closing)
            {
                return false;
            }

            _refs++;
            _lastActivity = _time.GetTimestamp();
            return true;
        }
    }

    public void Release()
    {
        lock (_sync)
        {
            _refs--;
            _lastActivity = _time.GetTimestamp();
        }
    }

    /// <summary>How long the session has had nothing in flight; zero while something is.</summary>
    public TimeSpan IdleFor
    {
        get
        {
            lock (_sync)
            {
                return _refs > 0 ? TimeSpan.Zero : _time.GetElapsedTime(_lastActivity);
            }
        }
    }

    /// <summary>
    /// Claims the session for closing: when <paramref name="idleAtLeast"/> is given, only if nothing is in flight and it
    /// has been idle that long. Exactly one caller wins.
    /// </summary>
    public bool TryBeginClose(TimeSpan? idleAtLeast)
    {
        lock (_sync)
        {
            if (_closing)
            {
                return false;
            }

            if (idleAtLeast is { } idle && (_refs > 0 || _time.GetElapsedTime(_lastActivity) < idle))
            {
                return false;
            }

            _closing = true;
            return true;
        }
    }

    /// <summary>The SDK serves one GET stream per session, ever; the first caller gets it.</summary>
    public bool TryClaimGetStream() => Interlocked.Exchange(ref _getStreamOpened, 1) == 0;

    /// <summary>Ends the session in the order MapMcp uses: transport, then cancel, then the run loop, then the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await Transport.DisposeAsync().ConfigureAwait(false);
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The expected end of the loop.
        }

        await Server.DisposeAsync().ConfigureAwait(false);
        _cts.Dispose();
    }
}
