using MixpanelData;
using MixpanelData.Discovery;
using MixpanelData.Emulation.Demo;
using MixpanelData.Fetching;
using MixpanelData.Queries;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers a <see cref="Workspace"/> in a service collection, and its area clients (<see cref="DiscoveryClient"/>,
/// <see cref="QueryClient"/>, <see cref="FetchClient"/>) as the workspace's own instances: the workspace is the one
/// composition root (Http core, Api interfaces, area clients), the container only hands out what it built.
/// </summary>
public static class MixpanelDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="Workspace"/> (a singleton, disposed with the container) and its area clients. Credentials are resolved when it
    /// is first needed: the named <paramref name="account"/> of <c>~/.mp/config.toml</c>, or else the usual order
    /// (MP_* variables, the config file's default, its first account).
    /// </summary>
    public static IServiceCollection AddMixpanelData(this IServiceCollection services, string? account = null, Func<WorkspaceOptions, WorkspaceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ =>
        {
            var options = configure?.Invoke(new WorkspaceOptions()) ?? new WorkspaceOptions();
            return options.Account is not null ? new Workspace(options)
                : account is null ? Workspace.FromEnvironment(options)
                : Workspace.Open(account, options);
        });
        return services.AddAreaClients();
    }

    /// <summary>Registers a <see cref="Workspace"/> on the built-in demo project (no credentials needed) and its area clients.</summary>
    public static IServiceCollection AddMixpanelDataDemo(this IServiceCollection services, DemoOptions? demo = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ => Workspace.OpenDemo(demo));
        return services.AddAreaClients();
    }

    private static IServiceCollection AddAreaClients(this IServiceCollection services)
    {
        services.AddSingleton(provider => provider.GetRequiredService<Workspace>().Discovery);
        services.AddSingleton(provider => provider.GetRequiredService<Workspace>().Query);
        services.AddSingleton(provider => provider.GetRequiredService<Workspace>().Fetch);
        return services;
    }
}
