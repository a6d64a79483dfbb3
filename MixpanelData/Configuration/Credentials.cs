namespace MixpanelData.Configuration;

/// <summary>
/// A Mixpanel service account bound to one project. The secret is never part of
/// <see cref="ToString"/>, so a credential can be logged or shown safely.
/// </summary>
/// <param name="Username">The service-account user name (e.g. <c>name.1a2b3c.mp-service-account</c>).</param>
/// <param name="Secret">The service-account secret. Never printed.</param>
/// <param name="ProjectId">The Mixpanel project id every project-scoped call is made for.</param>
/// <param name="Region">The project's region, or <see langword="null"/> to detect it on first use.</param>
public sealed record Credentials(string Username, string Secret, long ProjectId, MixpanelRegion? Region = null)
{
    /// <summary>The text shown in place of the secret.</summary>
    public const string Redacted = "***";

    /// <summary>Describes the credential with the secret replaced by <see cref="Redacted"/>.</summary>
    public override string ToString() =>
        $"Credentials {{ Username = {Username}, Secret = {Redacted}, ProjectId = {ProjectId}, Region = {Region?.ToConfigString() ?? "auto"} }}";
}
