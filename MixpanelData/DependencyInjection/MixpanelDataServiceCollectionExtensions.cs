using MixpanelData;
using MixpanelData.Emulation.Demo;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="Workspace"/> in a service collection.</summary>
public static class MixpanelDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="Workspace"/> (a singleton, disposed with the container). Credentials are resolved when it
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
        return services;
    }

    /// <summary>Registers a <see cref="Workspace"/> on the built-in demo project (no credentials needed).</summary>
    public static IServiceCollection AddMixpanelDataDemo(this IServiceCollection services, DemoOptions? demo = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ => Workspace.OpenDemo(demo));
        return services;
    }
}
