using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Filters;
using MixpanelData.Mcp.Hosting.Conformance;
using MixpanelData.Mcp.Prompts;
using MixpanelData.Mcp.Resources;
using MixpanelData.Mcp.Tools;
using MixpanelData.Mcp.Tools.Smart;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Hosting;

/// <summary>
/// Puts the server together: the tool classes of the chosen toolsets, the resources, prompts and skill guides, the
/// filters in their order (audit → rate-limit notices → cache → response budget → error translation, outermost first;
/// resource reads: audit → cache → response budget → error translation), and the read-only policy.
/// Hidden tools and resources are removed from their collections, so they are not callable or readable either.
/// </summary>
internal static class McpComposition
{
    // Tools that change data but stay in read-only mode, where the store refuses their writes instead.
    private static readonly HashSet<string> ReadOnlyCapable = ["sql", "sql_scalar"];

    public static string Version => typeof(McpComposition).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static IMcpServerBuilder AddMixpanelMcp(this IServiceCollection services, ServerSettings settings, WorkspaceHolder workspaces, TextWriter auditSink)
    {
        var time = TimeProvider.System;
        services.AddSingleton(settings);
        services.AddSingleton(workspaces);
        services.AddSingleton(time);
        var audit = new AuditFilter(auditSink, time);
        var cache = new CacheFilter(workspaces, time);
        services.AddSingleton(cache);
        var catalog = new ToolsetCatalog(settings.Progressive, settings.Toolsets);
        services.AddSingleton(catalog);

        var builder = services.AddMcpServer(options =>
        {
            options.ServerInfo = new Implementation { Name = "mp_mcp", Version = Version };
            options.ServerInstructions = Instructions(workspaces.Current.IsDemo);
        });
        builder.WithDeferredTools<WorkspaceTools>()
            .WithDeferredTools<DiscoveryTools>()
            .WithDeferredTools<LiveQueryTools>()
            .WithDeferredTools<LocalTools>()
            .WithDeferredTools<LocalAnalyticsTools>()
            .WithDeferredTools<FetchTools>()
            .WithDeferredTools<AccountTools>()
            .WithDeferredTools<SafeLargeFetchTool>()
            .WithDeferredTools<GuidedAnalysisTool>()
            .WithDeferredTools<DiagnoseMetricDropTool>()
            .WithDeferredTools<FunnelOptimizationTool>()
            .WithDeferredTools<ProductHealthDashboardTool>()
            .WithDeferredTools<AskMixpanelTool>()
            .WithDeferredTools<CohortComparisonTool>()
            .WithDeferredTools<GqmInvestigationTool>()
            .WithDeferredTools<ToolsetTools>();
        builder.WithDeferredResources<WorkspaceResources>()
            .WithDeferredResources<AnalysisResources>()
            .WithDeferredResources(SkillResources.Create())
            .WithDeferredPrompts<AnalysisPrompts>();
        if (settings.ConformanceFixtures)
        {
            builder.AddConformanceFixtures();
        }

        builder.WithRequestFilters(filters =>
        {
            filters.AddCallToolFilter(audit.Create());
            filters.AddCallToolFilter(RateLimitNoticeFilter.Create());
            filters.AddCallToolFilter(ArgumentFormFilter.Create());
            filters.AddCallToolFilter(cache.Create());
            filters.AddCallToolFilter(ResponseBudgetFilter.Create(settings.ResponseBudgetBytes));
            filters.AddCallToolFilter(ToolErrorFilter.Create());
            filters.AddReadResourceFilter(audit.CreateForResources());
            filters.AddReadResourceFilter(cache.CreateForResources());
            filters.AddReadResourceFilter(ResponseBudgetFilter.CreateForResources(settings.ResponseBudgetBytes));
            filters.AddReadResourceFilter(ResourceErrorFilter.Create());
        });
        var subscriptions = new SubscriptionCloseFilter();
        builder.WithMessageFilters(filters => filters.AddIncomingFilter(subscriptions.Incoming()).AddOutgoingFilter(subscriptions.Outgoing()));
        services.PostConfigure<McpServerOptions>(options => ApplyPolicy(options, settings, catalog));
        return builder;
    }

    /// <summary>
    /// Removes tools outside the chosen toolsets, and destructive tools in read-only mode; in progressive mode holds back
    /// the tools of toolsets not enabled yet (<see cref="ToolsetCatalog"/>), and otherwise drops the <c>toolsets</c> tool.
    /// Tools, resources and prompts are all registered deferred (<see cref="DeferredRegistration"/>), so this reads only
    /// what their attributes say: nothing is created here (each is created on its first listing or use). Resources follow the toolset of
    /// their class: the workspace, schema and skill resources have none and are always there (they only read); the
    /// analysis resources belong to <c>live</c> because each read spends Query API budget. Every resource is read-only, so
    /// read-only mode hides none. Prompts are always offered.
    /// </summary>
    internal static void ApplyPolicy(McpServerOptions options, ServerSettings settings, ToolsetCatalog catalog)
    {
        if (options.ToolCollection is { } tools)
        {
            foreach (var tool in tools.OfType<DeferredTool>().ToList())
            {
                var toolset = tool.Toolset;
                var outside = toolset is not null && !settings.Toolsets.Contains(toolset);
                var destructive = tool.Destructive && !ReadOnlyCapable.Contains(tool.Name);
                var unneeded = tool.Name == "toolsets" && !catalog.Progressive;
                if (outside || unneeded || (settings.ReadOnly && destructive) || (toolset is not null && !catalog.Place(options, tool, toolset)))
                {
                    tools.Remove(tool);
                }
            }
        }

        if (options.ResourceCollection is { } resources)
        {
            foreach (var resource in resources.OfType<DeferredResource>().ToList())
            {
                var toolset = resource.Toolset;
                if (toolset is not null && !settings.Toolsets.Contains(toolset))
                {
                    resources.Remove(resource);
                }
            }
        }
    }

    private static string Instructions(bool demo) =>
        (demo ? "DEMO MODE: this server serves a synthetic SaaS project (Flowboard), not real Mixpanel data. " : string.Empty)
        + "Mixpanel product analytics. Start with workspace_info. Live queries spend the project's Query API budget (60/hour); "
        + "for repeated analysis, fetch_events once and use sql or local_segmentation/local_funnel/local_retention/local_frequency, which cost nothing. "
        + "Dates are YYYY-MM-DD (UTC, inclusive). Expressions look like properties[\"$browser\"] == \"Chrome\".";
}
