namespace MixpanelData.Queries;

/// <summary>Live queries against Mixpanel's Query API (each spends the project's hourly budget unless noted).</summary>
public sealed class QueryClient
{
    private readonly Workspace _workspace;

    internal QueryClient(Workspace workspace) => _workspace = workspace;

    internal Workspace Workspace => _workspace;
}
