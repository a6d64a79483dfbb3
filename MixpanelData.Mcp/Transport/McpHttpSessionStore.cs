using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// The live stateful sessions: creation under a maximum, lookup with a reference held, removal on DELETE, idle
/// pruning in the background, and disposal of everything on shutdown.
/// </summary>
internal sealed class McpHttpSessionStore : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, McpHttpSession> _sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private readonly McpHttpHostOptions _options;
    private readonly ILogger _logger;

    public McpHttpSessionStore(McpHttpHostOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public int Count => _sessions.Count;

    /// <summary>
    /// Starts a new session and returns it with a reference held, or null when the store is full of sessions that all
    /// have requests in flight.
    /// </summary>
    public async Task<McpHttpSession?> CreateAsync(Func<McpHttpSession> start, CancellationToken cancellationToken)
    {
        await _createGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (_sessions.Count >= _options.MaxSessions)
            {
                var victim = _sessions.Values
                    .Select(s => (Session: s, Idle: s.IdleFor))
                    .Where(x => x.Idle > TimeSpan.Zero)
                    .OrderByDescending(x => x.Idle)
                    .Select(x => x.Session)
                    .FirstOrDefault(s => s.TryBeginClose(TimeSpan.Zero));
                if (victim is null)
                {
                    return null;
                }

                _logger.LogInformation("Session limit {Max} reached; ending the longest-idle session {SessionId}.", _options.MaxSessions, victim.Id);
                await CloseAsync(victim).ConfigureAwait(false);
            }

            var session = start();
            session.TryAcquire();
            _sessions[session.Id] = session;
            return session;
        }
        finally
        {
            _createGate.Release();
        }
    }

    /// <summary>Finds a live session and holds a reference on it; release it with <see cref="McpHttpSession.Release"/>.</summary>
    public McpHttpSession? Acquire(string id) =>
        _sessions.TryGetValue(id, out var session) && session.TryAcquire() ? session : null;

    /// <summary>Ends a session at once (DELETE); false when there was no such session.</summary>
    public async Task<bool> RemoveAsync(string id)
    {
        if (!_sessions.TryGetValue(id, out var session) || !session.TryBeginClose(idleAtLeast: null))
        {
            return false;
        }

        await CloseAsync(session).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ends every session idle for longer than the configured timeout; returns how many.</summary>
    public async Task<int> PruneAsync()
    {
        var pruned = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.TryBeginClose(_options.IdleTimeout))
            {
                _logger.LogInformation("Session {SessionId} was idle for {IdleTimeout}; ending it.", session.Id, _options.IdleTimeout);
                await CloseAsync(session).ConfigureAwait(false);
                pruned++;
            }
        }

        return pruned;
    }

    /// <summary>Prunes on a timer until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunPruningAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_options.IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(period, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await PruneAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogError(ex, "Pruning idle sessions failed; trying again on the next tick.");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Ends every session (shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        var closing = _sessions.Values.Where(s => s.TryBeginClose(idleAtLeast: null)).Select(s => CloseAsync(s).AsTask());
        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    private async ValueTask CloseAsync(McpHttpSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        try
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // One session failing to end must not stop the others (or shutdown); it is logged, not hidden.
            _logger.LogWarning(ex, "Ending session {SessionId} failed.", session.Id);
        }
    }
}
