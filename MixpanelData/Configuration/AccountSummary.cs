namespace MixpanelData.Configuration;

/// <summary>One configured account as listed for people and tools: no secret.</summary>
/// <param name="Name">The account name (<c>[accounts.&lt;name&gt;]</c>).</param>
/// <param name="Username">The service-account user name.</param>
/// <param name="ProjectId">The project the account is bound to.</param>
/// <param name="Region">The configured region, or <see langword="null"/> when it is detected on use.</param>
/// <param name="IsDefault">
/// Whether the file picks this account when no name is given and no credentials are in the
/// environment: the one named by <c>default</c>, or else the first account.
/// </param>
/// <param name="Source">The file and table it is defined in.</param>
public sealed record AccountSummary(string Name, string Username, long ProjectId, MixpanelRegion? Region, bool IsDefault, string Source)
{
    /// <summary>The workspace (data view) id, if one is configured.</summary>
    public long? WorkspaceId { get; init; }
}
