namespace MixpanelData.Discovery;

/// <summary>What a project contains: events, properties, values, saved funnels, cohorts and reports, Lexicon schemas. Cached for a few minutes.</summary>
public sealed class DiscoveryClient
{
    private readonly Workspace _workspace;

    internal DiscoveryClient(Workspace workspace) => _workspace = workspace;

    internal Workspace Workspace => _workspace;
}
