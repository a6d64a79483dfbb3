using MixpanelData.Configuration;

namespace MixpanelData.Mcp.Cli;

/// <summary>
/// Resolves what the server would serve and says so on stderr. The MCP transports arrive with the host
/// issue; until then this reports the resolved configuration and exits, so a first run shows exactly which
/// credentials would be used and why.
/// </summary>
internal static class ServeCommand
{
    public static Task<int> RunAsync(ServerSettings settings, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        var version = typeof(ServeCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        error.WriteLine($"mp_mcp {version}");

        if (!settings.Demo)
        {
            var resolver = new AccountResolver(new AccountResolverOptions { GetEnvironmentVariable = environment });
            try
            {
                var account = resolver.Resolve(settings.Account);
                Describe(account, settings, error);
            }
            catch (ConfigurationException ex) when (settings.Account is null && ex.NothingConfigured)
            {
                error.WriteLine("No Mixpanel credentials were found, so mp_mcp would start on the built-in demo project.");
                error.WriteLine("Looked in:");
                foreach (var source in ex.SourcesTried)
                {
                    error.WriteLine($"  - {source}");
                }

                error.WriteLine("To use your own project, see docs/configuration.md (MP_USERNAME, MP_SECRET, MP_PROJECT_ID, MP_REGION or ~/.mp/config.toml).");
                settings = settings with { Demo = true };
            }
            catch (ConfigurationException ex)
            {
                error.WriteLine($"mp_mcp: {ex.Message}");
                return Task.FromResult(2);
            }
        }

        if (settings.Demo)
        {
            error.WriteLine("Mode: demo (synthetic SaaS project; no real Mixpanel data).");
        }

        error.WriteLine($"Transport: {(settings.Transport == TransportKind.Stdio ? "stdio" : $"http on {settings.Host}:{settings.Port} at /mcp")}; toolsets: {string.Join(",", settings.Toolsets)}{(settings.ReadOnly ? "; read-only" : string.Empty)}.");
        error.WriteLine("This build resolves and reports its configuration only; serving MCP tools arrives with the host (issue 6).");
        return Task.FromResult(0);
    }

    private static void Describe(MixpanelAccount account, ServerSettings settings, TextWriter error)
    {
        var credentials = account.Credentials;
        error.WriteLine($"Account: {account.Name} (from {account.Source})");
        error.WriteLine($"  user {credentials.Username}, project {credentials.ProjectId}, region {credentials.Region?.ToConfigString() ?? "auto-detect on first use"}{(account.WorkspaceId is { } w ? $", data view {w}" : string.Empty)}");
        var endpoints = account.ResolveEndpoints(credentials.Region ?? MixpanelRegion.Us);
        error.WriteLine($"  query {endpoints.Query}, export {endpoints.Export}, app {endpoints.App}");
        var headerNames = account.Headers.Keys.Concat(settings.Headers.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (headerNames.Count > 0)
        {
            error.WriteLine($"  extra headers: {string.Join(", ", headerNames)}");
        }
    }
}
