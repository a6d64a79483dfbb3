namespace MixpanelData.Configuration;

/// <summary>
/// Where <see cref="AccountResolver"/> looks. The defaults read the real process environment and
/// the user's home directory; tests and hosts substitute their own.
/// </summary>
public sealed record AccountResolverOptions
{
    /// <summary>Reads one environment variable (<see langword="null"/> or empty: not set). Defaults to the process environment.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The home directory that holds <c>.mp/config.toml</c>. <see langword="null"/>: the current user's profile directory.</summary>
    public string? HomeDirectory { get; init; }

    /// <summary>
    /// An explicit config file path (e.g. from a <c>--config</c> option). <see langword="null"/>:
    /// <c>MP_CONFIG_PATH</c> if set, otherwise <c>&lt;home&gt;/.mp/config.toml</c>.
    /// </summary>
    public string? ConfigPath { get; init; }
}
