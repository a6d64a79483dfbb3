using MixpanelData.Configuration;

namespace MixpanelData.Http;

/// <summary>
/// Where and as whom one project's calls go, once known: the credentials (with the region), the base URLs, the
/// innermost handler and the project's rate limiter. Resolving it may take a call of its own (region detection) or
/// start the demo's emulator, so the Http core asks for it on the first request, not when it is composed.
/// </summary>
/// <param name="Credentials">The service account and project, with the region.</param>
/// <param name="Endpoints">The base URLs of the three families.</param>
/// <param name="PrimaryHandler">The innermost handler (the emulator, a test's), or null for sockets.</param>
/// <param name="RateLimiter">The project's client-side budgets.</param>
/// <param name="OwnsRateLimiter">Whether the limiter is this target's alone (disposed with it) rather than shared by the project's workspaces.</param>
internal sealed record MixpanelTarget(Credentials Credentials, MixpanelEndpoints Endpoints, HttpMessageHandler? PrimaryHandler, MixpanelRateLimiter RateLimiter, bool OwnsRateLimiter);

/// <summary>
/// What every handler of the Http core shares for one project: the call policy (retries, timeouts, clock, callbacks,
/// headers) known up front, and the <see cref="MixpanelTarget"/> resolved once on first use.
/// </summary>
internal sealed class MixpanelHttpContext : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<MixpanelTarget>> _resolve;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MixpanelTarget? _target;

    /// <summary>A context whose target is known now (<paramref name="options"/>' endpoints and primary handler).</summary>
    public MixpanelHttpContext(MixpanelClientOptions options, MixpanelRateLimiter? sharedLimiter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _target = new MixpanelTarget(options.Credentials, options.Endpoints, options.PrimaryHandler, sharedLimiter ?? new MixpanelRateLimiter(options.RateLimits, options.TimeProvider), sharedLimiter is null);
        _resolve = _ => Task.FromResult(_target);
    }

    /// <summary>A context whose target <paramref name="resolve"/> finds on first use (and again after a failure).</summary>
    public MixpanelHttpContext(MixpanelClientOptions options, Func<CancellationToken, Task<MixpanelTarget>> resolve)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolve);
        options.Validate();
        Options = options;
        _resolve = resolve;
    }

    /// <summary>The policy of every call. Its endpoints and credentials are the provisional ones; use <see cref="TargetAsync"/>.</summary>
    public MixpanelClientOptions Options { get; }

    /// <summary>The target if it is already resolved.</summary>
    public MixpanelTarget? Resolved => Volatile.Read(ref _target);

    /// <summary>The resolved target; the first caller resolves it, concurrent ones wait for that.</summary>
    public ValueTask<MixpanelTarget> TargetAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _target) is { } target ? ValueTask.FromResult(target) : new ValueTask<MixpanelTarget>(ResolveAsync(cancellationToken));

    public async ValueTask DisposeAsync()
    {
        if (_target is { OwnsRateLimiter: true } target)
        {
            await target.RateLimiter.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private async Task<MixpanelTarget> ResolveAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_target is { } again)
            {
                return again;
            }

            var target = await _resolve(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _target, target);
            return target;
        }
        finally
        {
            _gate.Release();
        }
    }
}
