using MixpanelData.Configuration;
using MixpanelData.Http;
using MixpanelData.Storage;

namespace MixpanelData;

/// <summary>How a <see cref="Workspace"/> connects and where it keeps its local data.</summary>
public sealed record WorkspaceOptions
{
    /// <summary>The account to use. Required for <c>new Workspace(options)</c>; the factories fill it in.</summary>
    public MixpanelAccount? Account { get; init; }

    /// <summary>Where fetched data goes. Default: the project's file, <c>~/.mp/data/&lt;project_id&gt;.duckdb</c>.</summary>
    public LocalStoreOptions? Store { get; init; }

    /// <summary>The innermost HTTP handler: <see langword="null"/> for the network, or an emulator.</summary>
    public HttpMessageHandler? PrimaryHandler { get; init; }

    /// <summary>Extra headers for every request, on top of the account's.</summary>
    public IReadOnlyDictionary<string, string> ExtraHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>The longest a call may wait for a rate limit before failing with the retry time; null waits.</summary>
    public TimeSpan? MaxRateLimitWait { get; init; }

    /// <summary>Told whenever a call starts waiting for a rate limit.</summary>
    public Func<RateLimitWait, ValueTask>? OnRateLimitWait { get; init; }

    /// <summary>Called each time a request is sent to Mixpanel (retries included), e.g. to account for Query API spend.</summary>
    public Action<ApiCallSent>? OnApiCall { get; init; }

    /// <summary>Client-side budgets. Default: Mixpanel's published limits.</summary>
    public RateLimitOptions RateLimits { get; init; } = new();

    /// <summary>Retries of failed calls.</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>How long discovery answers (events, properties, funnels, cohorts, reports) are reused. Default 5 minutes.</summary>
    public TimeSpan DiscoveryCacheDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock for caches, rate limits and default date ranges.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Set for the built-in demo project: the workspace talks to the emulator.</summary>
    public bool IsDemo { get; init; }
}
