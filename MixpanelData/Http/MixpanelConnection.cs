using Microsoft.Extensions.DependencyInjection;

namespace MixpanelData.Http;

/// <summary>
/// One project's Http core, composed: a service provider holding the per-family <c>IHttpClientFactory</c> pipelines
/// (<see cref="MixpanelHttpServiceCollectionExtensions.AddMixpanelPipeline"/>) and whatever else the composer
/// registered on them (the Api interfaces, which are the only way the library sends a request).
/// Thread-safe: one connection serves any number of concurrent calls.
/// </summary>
internal sealed class MixpanelConnection : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <summary>A connection to <paramref name="options"/>' endpoints, with the project's shared limiter when given.</summary>
    public MixpanelConnection(MixpanelClientOptions options, MixpanelRateLimiter? sharedLimiter = null)
        : this(new MixpanelHttpContext(options, sharedLimiter))
    {
    }

    /// <summary>A connection on <paramref name="context"/>; <paramref name="compose"/> registers more services on it (the Api interfaces).</summary>
    public MixpanelConnection(MixpanelHttpContext context, Action<IServiceCollection>? compose = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
        var services = new ServiceCollection();
        services.AddMixpanelHttp(context);
        compose?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public MixpanelHttpContext Context { get; }

    public MixpanelClientOptions Options => Context.Options;

    /// <summary>The services composed on this connection.</summary>
    public IServiceProvider Services => _services;

    /// <summary>The project's limiter (resolved with the target; only valid once a call went out or for a context known up front).</summary>
    public MixpanelRateLimiter RateLimiter => Context.Resolved?.RateLimiter ?? throw new InvalidOperationException("The connection has not resolved its target yet.");

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await Context.DisposeAsync().ConfigureAwait(false);
    }
}
