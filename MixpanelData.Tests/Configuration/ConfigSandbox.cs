using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

/// <summary>
/// A throw-away home directory with an optional <c>.mp/config.toml</c> (mode 600) and a fake
/// environment, so resolution runs against real files without touching the user's own.
/// </summary>
internal sealed class ConfigSandbox : IDisposable
{
    public const string Secret = "S3CRET-do-not-print";

    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal);

    public ConfigSandbox()
    {
        Home = Directory.CreateTempSubdirectory("mpcfg-").FullName;
    }

    public string Home { get; }

    public string DefaultConfigPath => Path.Combine(Home, ".mp", "config.toml");

    /// <summary>Writes <paramref name="toml"/> to <paramref name="path"/> (default: <c>~/.mp/config.toml</c>) with mode 600.</summary>
    public string WriteConfig(string toml, string? path = null, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        path ??= DefaultConfigPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, toml);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    public ConfigSandbox Set(string name, string? value)
    {
        _environment[name] = value;
        return this;
    }

    public ConfigSandbox SetEnvCredentials(string username = "env-user", string secret = Secret, string projectId = "777", string? region = null)
    {
        Set("MP_USERNAME", username).Set("MP_SECRET", secret).Set("MP_PROJECT_ID", projectId);
        return region is null ? this : Set("MP_REGION", region);
    }

    public AccountResolverOptions Options => new()
    {
        GetEnvironmentVariable = name => _environment.GetValueOrDefault(name),
        HomeDirectory = Home,
    };

    public AccountResolver CreateSut() => new(Options);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; a failing Dispose would hide the test's own result.
        }
    }

    /// <summary>A typical two-account file; production is the default.</summary>
    public static string TwoAccounts(string secret = Secret) => $$"""
        default = "production"

        [accounts.staging]
        username = "stage.1a2b.mp-service-account"
        secret = "{{secret}}"
        project_id = "111"
        region = "us"

        [accounts.production]
        username = "prod.3c4d.mp-service-account"
        secret = "{{secret}}"
        project_id = 222
        region = "eu"
        """;
}
