namespace MixpanelData.Fetching;

/// <summary>Raw events and profiles: streamed as they arrive, or fetched into the local store.</summary>
public sealed class FetchClient
{
    private readonly Workspace _workspace;

    internal FetchClient(Workspace workspace) => _workspace = workspace;

    internal Workspace Workspace => _workspace;
}
