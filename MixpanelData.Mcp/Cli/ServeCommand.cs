using MixpanelData.Configuration;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Storage;

namespace MixpanelData.Mcp.Cli;

/// <summary>
/// Resolves the account (or falls back to the demo when nothing is configured anywhere), says on stderr what is
/// served and from where, and runs the chosen transport until the client goes away or the process is stopped.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ServerSettings settings, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        error.WriteLine($"mp_mcp {McpComposition.Version}");
        var resolver = new AccountResolver(new AccountResolverOptions { GetEnvironmentVariable = environment });
        MixpanelAccount? account = null;
        if (!settings.Demo)
        {
            try
            {
                account = resolver.Resolve(settings.Account);
            }
            catch (ConfigurationException ex) when (settings.Account is null && ex.NothingConfigured)
            {
                error.WriteLine("No Mixpanel credentials were found, so mp_mcp starts on the built-in demo project (synthetic data).");
                foreach (var source in ex.SourcesTried)
                {
                    error.WriteLine($"  looked in: {source}");
                }

                error.WriteLine("To use your own project, see docs/configuration.md (MP_USERNAME, MP_SECRET, MP_PROJECT_ID, MP_REGION or ~/.mp/config.toml).");
            }
            catch (ConfigurationException ex)
            {
                error.WriteLine($"mp_mcp: {ex.Message}");
                return 2;
            }
        }

        var options = new WorkspaceOptions
        {
            ExtraHeaders = settings.Headers,
            MaxRateLimitWait = TimeSpan.FromMinutes(5),
            OnRateLimitWait = Filters.RateLimitNoticeFilter.Report,
            Store = account is null ? null : new LocalStoreOptions
            {
                Path = settings.DatabasePath,
                ProjectId = account.Credentials.ProjectId,
                ReadOnly = settings.ReadOnly,
            },
        };
        var workspace = account is null
            ? Workspace.OpenDemo(options: options with { Store = new LocalStoreOptions { Mode = settings.DatabasePath is null ? LocalStoreMode.Ephemeral : LocalStoreMode.File, Path = settings.DatabasePath, ReadOnly = settings.ReadOnly } })
            : new Workspace(options with { Account = account });
        var holder = new WorkspaceHolder(workspace, name =>
        {
            var next = resolver.Resolve(name);
            return new Workspace(options with { Account = next, Store = new LocalStoreOptions { ProjectId = next.Credentials.ProjectId, ReadOnly = settings.ReadOnly } });
        });
        await using (holder.ConfigureAwait(false))
        {
            error.WriteLine(workspace.IsDemo
                ? "Serving the DEMO project (synthetic data, account demo, project 1)."
                : $"Serving project {workspace.ProjectId} with account {workspace.Account.Name} (from {workspace.Account.Source}); "
                    + $"user {workspace.Account.Credentials.Username}, region {workspace.Account.Credentials.Region?.ToConfigString() ?? "auto-detect on first use"}, "
                    + $"export {workspace.Account.ResolveEndpoints(workspace.Account.Credentials.Region ?? MixpanelRegion.Us).Export}.");
            TextWriter? auditFile = settings.AuditLog is null ? null : new StreamWriter(settings.AuditLog, append: true);
            try
            {
                return settings.Transport == TransportKind.Http
                    ? await HttpServer.RunAsync(settings, holder, auditFile ?? error, error, environment, cancellationToken).ConfigureAwait(false)
                    : await StdioServer.RunAsync(settings, holder, auditFile ?? error, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (auditFile is not null)
                {
                    await auditFile.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }
}
