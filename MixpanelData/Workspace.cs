using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Analytics;
using MixpanelData.Api;
using MixpanelData.Configuration;
using MixpanelData.Discovery;
using MixpanelData.Emulation;
using MixpanelData.Emulation.Demo;
using MixpanelData.Fetching;
using MixpanelData.Http;
using MixpanelData.Insights;
using MixpanelData.Queries;
using MixpanelData.Storage;

namespace MixpanelData;

/// <summary>
/// The front door: one Mixpanel project, reached through area clients.
/// <code>
/// await using var ws = Workspace.FromEnvironment();
/// var events = await ws.Discovery.EventsAsync();
/// </code>
/// The HTTP connection (with region detection) and the local store open on first use, so creating a
/// workspace is cheap and never touches the network or the disk.
/// </summary>
public sealed class Workspace : IAsyncDisposable
{
    // Mixpanel's budgets are per project, whichever client spends them: workspaces of the same project, limits and
    // clock in one process share their limiters. This is the one process-wide state, on purpose.
    private static readonly ConcurrentDictionary<(string Host, long Project, RateLimitOptions Limits, TimeProvider Clock), MixpanelRateLimiter> SharedLimiters = new();

    private readonly WorkspaceOptions _options;
    private readonly Lock _storeLock = new();
    private readonly Lazy<Composition> _composition;
    private LocalStore? _store;
    private LocalAnalytics? _analytics;
    private Lazy<Task<MixpanelEmulator>>? _demo;
    private int _disposed;

    /// <summary>Creates a workspace for <see cref="WorkspaceOptions.Account"/>.</summary>
    /// <exception cref="ArgumentException">No account was given.</exception>
    public Workspace(WorkspaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Account = options.Account ?? throw new ArgumentException("WorkspaceOptions.Account is required; use Workspace.FromEnvironment() or Workspace.Open(name) to resolve one.", nameof(options));
        // Composed on first use: building the container, the Refit clients and their pipelines costs start-up time
        // (mp_mcp answers `initialize` before any of it is needed).
        _composition = new Lazy<Composition>(Compose, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The connection and the area clients on it, built together once.</summary>
    private sealed record Composition(MixpanelConnection Connection, IAppApi AppApi, DiscoveryClient Discovery, QueryClient Query, FetchClient Fetch, InsightsClient Insights);

    /// <summary>The composition root: the Http core and the Api interfaces in one container per workspace, the area clients on them.</summary>
    private Composition Compose()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new MixpanelConnection(
            new MixpanelHttpContext(ClientOptions(Account.ResolveEndpoints(Account.Credentials.Region ?? MixpanelRegion.Us)), ResolveTargetAsync),
            services => services.AddMixpanelApi());
        var queryApi = connection.Services.GetRequiredService<IQueryApi>();
        var appApi = connection.Services.GetRequiredService<IAppApi>();
        var discovery = new DiscoveryClient(queryApi, appApi, new DiscoveryScope(Account.Name, ProjectId, Account.WorkspaceId, _options.TimeProvider, _options.DiscoveryCacheDuration));
        var query = new QueryClient(queryApi, discovery, ProjectId);
        var fetch = new FetchClient(
            connection.Services.GetRequiredService<IExportApi>(),
            connection.Services.GetRequiredService<IEngageApi>(),
            () => Local,
            new FetchClient.FetchScope(_options.TimeProvider, MixpanelResilience.StreamRetry(connection.Options, FetchSettings.IsBrokenStream), connection.Options.Retry.MaxRetries,
                async ct => (await connection.Context.TargetAsync(ct).ConfigureAwait(false)).RateLimiter));
        var insights = new InsightsClient(new InsightSources(discovery, query, fetch, () => Local, _options.TimeProvider));
        return new Composition(connection, appApi, discovery, query, fetch, insights);
    }

    /// <summary>Events, properties, saved funnels, cohorts and reports of the project.</summary>
    public DiscoveryClient Discovery => _composition.Value.Discovery;

    /// <summary>Live queries: segmentation, funnels, retention, frequency, counts, activity, saved reports, JQL.</summary>
    public QueryClient Query => _composition.Value.Query;

    /// <summary>Raw events and profiles, streamed or fetched into <see cref="Local"/>.</summary>
    public FetchClient Fetch => _composition.Value.Fetch;

    /// <summary>Answers composed from the other areas: plain questions, metric drops, funnel and health reports, cohort comparisons.</summary>
    public InsightsClient Insights => _composition.Value.Insights;

    /// <summary>
    /// The project's region: as configured, or as detected on the first call when the account names none (that call is
    /// made now if no other has been). The demo's is <see cref="MixpanelRegion.Us"/>.
    /// </summary>
    public async Task<MixpanelRegion> RegionAsync(CancellationToken cancellationToken = default) =>
        Account.Credentials.Region
        ?? (await _composition.Value.Connection.Context.TargetAsync(cancellationToken).ConfigureAwait(false)).Credentials.Region
        ?? MixpanelRegion.Us;

    /// <summary>
    /// The web link to a saved report of this project (<see cref="ReportLinks"/>), or null for the demo (its project
    /// exists only in the emulator) and for report types without a known page.
    /// </summary>
    public async Task<Uri?> ReportLinkAsync(Bookmark bookmark, CancellationToken cancellationToken = default) =>
        IsDemo ? null : ReportLinks.SavedReport(await RegionAsync(cancellationToken).ConfigureAwait(false), ProjectId, bookmark);

    /// <summary>The account in use (its <c>ToString()</c> never shows the secret).</summary>
    public MixpanelAccount Account { get; }

    /// <summary>The project id.</summary>
    public long ProjectId => Account.Credentials.ProjectId;

    /// <summary>Whether this workspace talks to the built-in demo project rather than Mixpanel.</summary>
    public bool IsDemo => _options.IsDemo;

    internal WorkspaceOptions Options => _options;

    /// <summary>The App API of this workspace (for <see cref="WorkspaceCredentialExtensions.WhoAmIAsync"/>).</summary>
    internal IAppApi AppApi => _composition.Value.AppApi;

    /// <summary>
    /// Resolves credentials the usual way (MP_* environment variables, then the config file's default account,
    /// then its first account) and creates a workspace.
    /// </summary>
    /// <exception cref="ConfigurationException">No usable credentials; the message lists every place tried.</exception>
    public static Workspace FromEnvironment(WorkspaceOptions? options = null) =>
        new((options ?? new WorkspaceOptions()) with { Account = new AccountResolver().Resolve() });

    /// <summary>Creates a workspace for a named account of <c>~/.mp/config.toml</c> (a name beats the environment).</summary>
    /// <exception cref="ConfigurationException">The account does not exist or is invalid; the message lists the accounts.</exception>
    public static Workspace Open(string account, WorkspaceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        return new((options ?? new WorkspaceOptions()) with { Account = new AccountResolver().Resolve(account) });
    }

    /// <summary>
    /// A workspace on the built-in demo project: a synthetic SaaS product served by the in-process emulator, so
    /// everything works without a Mixpanel account (docs/demo.md lists what there is to find). The data is prepared
    /// on first use (a few seconds the first time each day, then cached); fetched tables go to a throwaway store.
    /// </summary>
    public static Workspace OpenDemo(DemoOptions? demo = null, WorkspaceOptions? options = null)
    {
        options ??= new WorkspaceOptions();
        demo ??= new DemoOptions { TimeProvider = options.TimeProvider };
        var account = new MixpanelAccount("demo", new Credentials(DemoOptions.Username, DemoOptions.Secret, DemoOptions.ProjectId, MixpanelRegion.Us), "the built-in demo project");
        var workspace = new Workspace(options with
        {
            Account = account,
            IsDemo = true,
            Store = options.Store ?? new LocalStoreOptions { Mode = LocalStoreMode.Ephemeral, TimeProvider = options.TimeProvider },
            RateLimits = options.RateLimits with { QueryPerHour = Math.Max(options.RateLimits.QueryPerHour, 600) },
        });
        workspace._demo = new Lazy<Task<MixpanelEmulator>>(() => MixpanelEmulator.CreateDemoAsync(demo), LazyThreadSafetyMode.ExecutionAndPublication);
        return workspace;
    }

    /// <summary>The demo's emulator (created on first use), or null for a real project.</summary>
    internal async ValueTask<MixpanelEmulator?> DemoEmulatorAsync(CancellationToken cancellationToken) =>
        _demo is null ? null : await _demo.Value.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The local DuckDB store of this project, opened on first use.</summary>
    public LocalStore Local
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            lock (_storeLock)
            {
                return _store ??= LocalStore.Open(_options.Store ?? new LocalStoreOptions { ProjectId = ProjectId, TimeProvider = _options.TimeProvider });
            }
        }
    }

    /// <summary>Segmentation, funnels, retention and frequency computed on fetched tables, without spending the Query API budget.</summary>
    public LocalAnalytics Analytics
    {
        get
        {
            var store = Local;
            lock (_storeLock)
            {
                return _analytics ??= new LocalAnalytics(store);
            }
        }
    }

    /// <summary>The HTTP connection, its target resolved (detecting the region when the account has none).</summary>
    internal async ValueTask<MixpanelConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = _composition.Value.Connection;
        await connection.Context.TargetAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Where this workspace's calls go: the demo's emulator or the network, the region (detected if unset), the project's limiter.</summary>
    private async Task<MixpanelTarget> ResolveTargetAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var options = ClientOptions(Account.ResolveEndpoints(Account.Credentials.Region ?? MixpanelRegion.Us));
        if (await DemoEmulatorAsync(cancellationToken).ConfigureAwait(false) is { } emulator)
        {
            options = options with { PrimaryHandler = emulator };
        }

        if (Account.Credentials.Region is null)
        {
            var region = await RegionDetector.DetectAsync(options, Account.ResolveEndpoints, cancellationToken).ConfigureAwait(false);
            options = options with { Endpoints = Account.ResolveEndpoints(region), Credentials = Account.Credentials with { Region = region } };
        }

        // Time-based budgets must share a clock too; the demo's emulator is private to this workspace.
        if (IsDemo)
        {
            return new MixpanelTarget(options.Credentials, options.Endpoints, options.PrimaryHandler, new MixpanelRateLimiter(_options.RateLimits, _options.TimeProvider), OwnsRateLimiter: true);
        }

        var limiter = SharedLimiters.GetOrAdd((options.Endpoints.Query.Authority, ProjectId, _options.RateLimits, _options.TimeProvider), _ => new MixpanelRateLimiter(_options.RateLimits, _options.TimeProvider));
        return new MixpanelTarget(options.Credentials, options.Endpoints, options.PrimaryHandler, limiter, OwnsRateLimiter: false);
    }

    /// <summary>Every request sent counts in the open <see cref="ApiCallMeter"/> scopes, then goes to the caller's own hook.</summary>
    private void RecordCall(ApiCallSent call)
    {
        ApiCallMeter.Record(call);
        _options.OnApiCall?.Invoke(call);
    }

    private MixpanelClientOptions ClientOptions(MixpanelEndpoints endpoints)
    {
        var headers = new Dictionary<string, string>(Account.Headers, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in _options.ExtraHeaders)
        {
            headers[name] = value;
        }

        return new MixpanelClientOptions
        {
            Credentials = Account.Credentials,
            Endpoints = endpoints,
            WorkspaceId = Account.WorkspaceId,
            DefaultHeaders = headers,
            PrimaryHandler = _options.PrimaryHandler,
            MaxRateLimitWait = _options.MaxRateLimitWait,
            OnRateLimitWait = _options.OnRateLimitWait,
            OnApiCall = RecordCall,
            RateLimits = _options.RateLimits,
            Retry = _options.Retry,
            TimeProvider = _options.TimeProvider,
        };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_composition.IsValueCreated)
        {
            await _composition.Value.Connection.DisposeAsync().ConfigureAwait(false);
        }

        LocalStore? store;
        lock (_storeLock)
        {
            store = _store;
            _store = null;
        }

        if (store is not null)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }

        if (_demo is { IsValueCreated: true } demo)
        {
            // Wait for a demo still being prepared; one that failed to start holds nothing to release.
            var preparing = demo.Value;
            await Task.WhenAny(preparing).ConfigureAwait(false);
            if (preparing.IsCompletedSuccessfully)
            {
                await preparing.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
