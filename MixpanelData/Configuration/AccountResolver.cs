using System.Globalization;

namespace MixpanelData.Configuration;

/// <summary>
/// Finds the account to use. In order: an explicitly named account from the config file; the
/// environment variables <c>MP_USERNAME</c>, <c>MP_SECRET</c>, <c>MP_PROJECT_ID</c> (and optional
/// <c>MP_REGION</c>); the account named by the file's top-level <c>default</c>; the file's first
/// account. <c>MP_QUERY_URL</c>, <c>MP_EXPORT_URL</c>, <c>MP_APP_URL</c> and <c>MP_WORKSPACE_ID</c>
/// then override whichever account was chosen.
/// </summary>
/// <remarks>
/// The config file is <see cref="AccountResolverOptions.ConfigPath"/>, else <c>MP_CONFIG_PATH</c>,
/// else <c>~/.mp/config.toml</c>. It is refused when it is a symbolic link or, on Unix, when group
/// or others have any permission on it. Environment variables that are empty count as not set.
/// Every failure is a <see cref="ConfigurationException"/> that says what to change and never
/// contains the secret.
/// </remarks>
public sealed class AccountResolver
{
    /// <summary>The <see cref="MixpanelAccount.Name"/> of an account built from environment variables.</summary>
    public const string EnvironmentAccountName = "environment";

    internal const string Username = "MP_USERNAME";
    internal const string Secret = "MP_SECRET";
    internal const string ProjectId = "MP_PROJECT_ID";
    internal const string Region = "MP_REGION";
    internal const string ConfigPathVariable = "MP_CONFIG_PATH";
    internal const string QueryUrl = "MP_QUERY_URL";
    internal const string ExportUrl = "MP_EXPORT_URL";
    internal const string AppUrl = "MP_APP_URL";
    internal const string WorkspaceId = "MP_WORKSPACE_ID";

    private static readonly string[] CredentialVariables = [Username, Secret, ProjectId, Region];
    private static readonly string[] RequiredVariables = [Username, Secret, ProjectId];

    private readonly AccountResolverOptions _options;

    /// <summary>Creates a resolver.</summary>
    /// <param name="options">Where to look; <see langword="null"/> reads the real environment and home directory.</param>
    public AccountResolver(AccountResolverOptions? options = null)
    {
        _options = options ?? new AccountResolverOptions();
    }

    /// <summary>
    /// The config file consulted: <see cref="AccountResolverOptions.ConfigPath"/>, else
    /// <c>MP_CONFIG_PATH</c>, else <c>&lt;home&gt;/.mp/config.toml</c>. <see langword="null"/> when
    /// none is given and the home directory is unknown.
    /// </summary>
    /// <exception cref="ConfigurationException">The given path is not a valid path.</exception>
    public string? ConfigPath
    {
        get
        {
            var home = _options.HomeDirectory ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var explicitPath = NonEmpty(_options.ConfigPath) ?? Env(ConfigPathVariable);
            if (explicitPath is not null)
            {
                // "~/x" is expanded because shells do not expand it inside quotes or in config UIs.
                if (!string.IsNullOrEmpty(home) && (explicitPath == "~" || explicitPath.StartsWith("~/", StringComparison.Ordinal)))
                {
                    explicitPath = Path.Combine(home, explicitPath.Length > 2 ? explicitPath[2..] : string.Empty);
                }

                try
                {
                    return Path.GetFullPath(explicitPath);
                }
                catch (ArgumentException ex)
                {
                    throw new ConfigurationException(
                        $"The config file path {(NonEmpty(_options.ConfigPath) is null ? $"in {ConfigPathVariable} " : string.Empty)}is not a valid path: {ConfigMessages.WithoutParameterName(ex)}",
                        [$"config file {explicitPath}"],
                        ex);
                }
            }

            return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".mp", "config.toml");
        }
    }

    /// <summary>Resolves the account to use.</summary>
    /// <param name="accountName">
    /// An account name from the config file. When given, it wins over credentials in the environment;
    /// <see langword="null"/> or blank means "choose by the usual order".
    /// </param>
    /// <returns>The account with environment overrides applied and every value validated.</returns>
    /// <exception cref="ConfigurationException">
    /// Nothing usable was found (the message lists every source tried), the environment holds only
    /// part of the credentials, the named account does not exist, or a value is invalid.
    /// </exception>
    public MixpanelAccount Resolve(string? accountName = null)
    {
        var account = !string.IsNullOrWhiteSpace(accountName)
            ? FromNamedAccount(accountName.Trim())
            : FromEnvironment() ?? FromFileDefault();
        return ApplyEnvironmentOverrides(account);
    }

    /// <summary>
    /// Lists the accounts in the config file, without secrets, in file order. Credentials held in
    /// environment variables are not listed (they have no name to select them by).
    /// </summary>
    /// <returns>The accounts; empty when there is no config file.</returns>
    /// <exception cref="ConfigurationException">The file exists but is unsafe, unreadable or invalid.</exception>
    public IReadOnlyList<AccountSummary> ListAccounts()
    {
        var path = ConfigPath;
        if (path is null || !ConfigFile.Exists(path))
        {
            return [];
        }

        var reader = AccountTableReader.Load(path);
        var defaultName = reader.DefaultName();
        return reader.Names
            .Select(reader.Read)
            .Select(a => new AccountSummary(a.Name, a.Credentials.Username, a.Credentials.ProjectId, a.Credentials.Region, a.Name == defaultName, a.Source)
            {
                WorkspaceId = a.WorkspaceId,
            })
            .ToArray();
    }

    private MixpanelAccount FromNamedAccount(string name)
    {
        var path = ConfigPath;
        var tried = new List<string> { $"explicit account name '{name}'" };
        if (path is null)
        {
            tried.Add("config file: unknown (no home directory and MP_CONFIG_PATH not set)");
            throw new ConfigurationException(
                $"Account '{name}' was requested, but there is no config file to look in: the home directory is unknown and {ConfigPathVariable} is not set.", tried);
        }

        if (!ConfigFile.Exists(path))
        {
            tried.Add($"{AccountTableReader.Tried(path)}{DescribePathOrigin()}: does not exist");
            throw new ConfigurationException(
                $"Account '{name}' was requested, but the config file {path} does not exist. Create it with an {AccountTableReader.Label(name)} table, or set {ConfigPathVariable} to the right file.", tried);
        }

        var reader = AccountTableReader.Load(path);
        if (!reader.Names.Contains(name, StringComparer.Ordinal))
        {
            tried.Add($"{AccountTableReader.Tried(path)}: no {AccountTableReader.Label(name)}");
            throw new ConfigurationException(
                $"Account '{name}' is not configured in {path}; {reader.DescribeNames()}.", tried);
        }

        return reader.Read(name);
    }

    /// <summary>The environment account, or <see langword="null"/> when none of the four credential variables is set.</summary>
    private MixpanelAccount? FromEnvironment()
    {
        var set = CredentialVariables.Where(v => Env(v) is not null).ToArray();
        if (set.Length == 0)
        {
            return null;
        }

        var missing = RequiredVariables.Where(v => Env(v) is null).ToArray();
        if (missing.Length > 0)
        {
            throw new ConfigurationException(
                $"Incomplete Mixpanel credentials in the environment: {JoinWords(set)} {(set.Length == 1 ? "is" : "are")} set but {JoinWords(missing)} {(missing.Length == 1 ? "is" : "are")} not. " +
                $"Set {JoinWords(missing)}, or unset {JoinWords(set)} to use the config file, or name an account explicitly.",
                [$"environment variables: set {string.Join(", ", set)}; missing {string.Join(", ", missing)}"]);
        }

        var secret = Env(Secret)!;
        var tried = new[] { $"environment variables {string.Join(", ", set)}" };
        var projectText = Env(ProjectId)!;
        if (!long.TryParse(projectText, NumberStyles.None, CultureInfo.InvariantCulture, out var projectId) || projectId <= 0)
        {
            throw new ConfigurationException(
                ConfigMessages.Redact($"{ProjectId} must be a positive whole number (the Mixpanel project id); it is '{projectText}'.", secret), tried);
        }

        MixpanelRegion? region = null;
        if (Env(Region) is { } regionText)
        {
            if (!MixpanelRegions.TryParse(regionText, out var parsed))
            {
                throw new ConfigurationException(
                    ConfigMessages.Redact($"{Region} is '{regionText}'; it must be us, eu or in (or unset it to detect the region).", secret), tried);
            }

            region = parsed;
        }

        return new MixpanelAccount(
            EnvironmentAccountName,
            new Credentials(Env(Username)!, secret, projectId, region),
            $"environment variables ({string.Join(", ", set)})");
    }

    private MixpanelAccount FromFileDefault()
    {
        var tried = new List<string> { $"environment variables {string.Join(", ", CredentialVariables)}: none set" };
        var path = ConfigPath;
        if (path is null)
        {
            tried.Add("config file: unknown (no home directory and MP_CONFIG_PATH not set)");
        }
        else if (!ConfigFile.Exists(path))
        {
            tried.Add($"{AccountTableReader.Tried(path)}{DescribePathOrigin()}: does not exist");
        }
        else
        {
            var reader = AccountTableReader.Load(path);
            if (reader.DefaultName() is { } name)
            {
                return reader.Read(name);
            }

            tried.Add($"{AccountTableReader.Tried(path)}{DescribePathOrigin()}: exists, but has no [accounts.<name>] tables");
        }

        throw new ConfigurationException(
            "No Mixpanel credentials found. Set MP_USERNAME, MP_SECRET and MP_PROJECT_ID (MP_REGION optional), " +
            $"or add an [accounts.<name>] table with username, secret and project_id to {path ?? "~/.mp/config.toml"}. " +
            $"Looked at: {string.Join("; ", tried)}.",
            tried)
        {
            NothingConfigured = true,
        };
    }

    private MixpanelAccount ApplyEnvironmentOverrides(MixpanelAccount account)
    {
        var applied = new List<string>();
        var result = account;
        if (Env(WorkspaceId) is { } workspaceText)
        {
            if (!long.TryParse(workspaceText, NumberStyles.None, CultureInfo.InvariantCulture, out var workspaceId) || workspaceId <= 0)
            {
                throw OverrideError(account, $"{WorkspaceId} must be a positive whole number (the workspace id); it is '{workspaceText}'.");
            }

            result = result with { WorkspaceId = workspaceId };
            applied.Add(WorkspaceId);
        }

        if (EnvUrl(account, QueryUrl) is { } query)
        {
            result = result with { QueryUrl = query };
            applied.Add(QueryUrl);
        }

        if (EnvUrl(account, ExportUrl) is { } export)
        {
            result = result with { ExportUrl = export };
            applied.Add(ExportUrl);
        }

        if (EnvUrl(account, AppUrl) is { } app)
        {
            result = result with { AppUrl = app };
            applied.Add(AppUrl);
        }

        return applied.Count == 0
            ? result
            : result with { Source = $"{account.Source}, overridden by {string.Join(", ", applied)}" };
    }

    private Uri? EnvUrl(MixpanelAccount account, string variable)
    {
        if (Env(variable) is not { } text)
        {
            return null;
        }

        if (!ConfigMessages.TryParseAbsoluteUrl(text, out var url))
        {
            throw OverrideError(account, $"{variable} is not an absolute URL; write it as https://host/path.");
        }

        try
        {
            return MixpanelEndpoints.Validate(url, variable);
        }
        catch (ArgumentException ex)
        {
            throw OverrideError(account, ConfigMessages.WithoutParameterName(ex), ex);
        }
    }

    private ConfigurationException OverrideError(MixpanelAccount account, string message, Exception? inner = null) =>
        new(
            ConfigMessages.Redact($"{message} (environment override applied to account '{account.Name}' from {account.Source})", account.Credentials.Secret),
            [$"environment variables {QueryUrl}, {ExportUrl}, {AppUrl}, {WorkspaceId}"],
            ConfigMessages.Reveals(inner?.Message ?? string.Empty, account.Credentials.Secret) ? null : inner);

    private string DescribePathOrigin() =>
        NonEmpty(_options.ConfigPath) is not null ? " (given explicitly)"
        : Env(ConfigPathVariable) is not null ? $" (from {ConfigPathVariable})"
        : string.Empty;

    private string? Env(string name) => NonEmpty(_options.GetEnvironmentVariable(name));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string JoinWords(IReadOnlyList<string> items) => items.Count switch
    {
        1 => items[0],
        2 => $"{items[0]} and {items[1]}",
        _ => $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}",
    };
}
