using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

public sealed class AccountResolverTests
{
    private const string Secret = ConfigSandbox.Secret;

    private ConfigSandbox _sandbox = null!;

    [SetUp]
    public void SetUp() => _sandbox = new ConfigSandbox();

    [TearDown]
    public void TearDown() => _sandbox.Dispose();

    private ConfigurationException ResolveFails(string? accountName = null)
    {
        var ex = Assert.Throws<ConfigurationException>(() => _sandbox.CreateSut().Resolve(accountName))!;
        Assert.That(ex.Message, Does.Not.Contain(Secret));
        Assert.That(ex.ToString(), Does.Not.Contain(Secret));
        Assert.That(ex.SourcesTried, Has.None.Contains(Secret));
        return ex;
    }

    private string WriteAccount(string body, string name = "prod") => _sandbox.WriteConfig($"""
        [accounts.{name}]
        {body}
        """);

    private const string ValidBody = $"""
        username = "u"
        secret = "{Secret}"
        project_id = 1
        """;

    // --- Precedence -------------------------------------------------------------------------

    [Test]
    public void Resolve_ExplicitName_BeatsCompleteEnvironment()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        _sandbox.SetEnvCredentials();

        var account = _sandbox.CreateSut().Resolve("staging");

        Assert.That(account.Name, Is.EqualTo("staging"));
        Assert.That(account.Credentials.ProjectId, Is.EqualTo(111));
    }

    [Test]
    public void Resolve_ExplicitName_BeatsDefault()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());

        Assert.That(_sandbox.CreateSut().Resolve("staging").Name, Is.EqualTo("staging"));
    }

    [Test]
    public void Resolve_ExplicitName_WinsOverPartialEnvironment()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        _sandbox.Set("MP_USERNAME", "only-this");

        Assert.That(_sandbox.CreateSut().Resolve("production").Name, Is.EqualTo("production"));
    }

    [Test]
    public void Resolve_ExplicitNameWithSpaces_IsTrimmed()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());

        Assert.That(_sandbox.CreateSut().Resolve("  staging ").Name, Is.EqualTo("staging"));
    }

    [Test]
    public void Resolve_QuotedAccountName_IsFoundAndDescribedQuoted()
    {
        var path = _sandbox.WriteConfig($"""
            [accounts."my team"]
            {ValidBody}
            """);

        var account = _sandbox.CreateSut().Resolve("my team");

        Assert.That(account.Source, Is.EqualTo($"{path} [accounts.\"my team\"]"));
    }

    [Test]
    public void Resolve_NoNameAndCompleteEnvironment_UsesEnvironmentOverFile()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        _sandbox.SetEnvCredentials(region: "in");

        var account = _sandbox.CreateSut().Resolve();

        Assert.That(account.Name, Is.EqualTo(AccountResolver.EnvironmentAccountName));
        Assert.That(account.Credentials, Is.EqualTo(new Credentials("env-user", Secret, 777, MixpanelRegion.In)));
        Assert.That(account.Source, Is.EqualTo("environment variables (MP_USERNAME, MP_SECRET, MP_PROJECT_ID, MP_REGION)"));
    }

    [Test]
    public void Resolve_CompleteEnvironmentWithoutRegion_LeavesRegionForDetection()
    {
        _sandbox.SetEnvCredentials();

        Assert.That(_sandbox.CreateSut().Resolve().Credentials.Region, Is.Null);
    }

    [Test]
    public void Resolve_NoNameNoEnvironment_UsesDefault()
    {
        var path = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());

        var account = _sandbox.CreateSut().Resolve();

        Assert.That(account.Name, Is.EqualTo("production"));
        Assert.That(account.Credentials, Is.EqualTo(new Credentials("prod.3c4d.mp-service-account", Secret, 222, MixpanelRegion.Eu)));
        Assert.That(account.Source, Is.EqualTo($"{path} [accounts.production]"));
    }

    [Test]
    public void Resolve_NoNameNoEnvironmentNoDefault_UsesFirstAccountInFile()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts().Replace("default = \"production\"", string.Empty, StringComparison.Ordinal));

        Assert.That(_sandbox.CreateSut().Resolve().Name, Is.EqualTo("staging"));
    }

    [Test]
    public void Resolve_EmptyEnvironmentValues_CountAsUnset()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        _sandbox.Set("MP_USERNAME", string.Empty).Set("MP_SECRET", "  ").Set("MP_PROJECT_ID", null);

        Assert.That(_sandbox.CreateSut().Resolve().Name, Is.EqualTo("production"));
    }

    [Test]
    public void Resolve_UnknownExplicitName_ListsConfiguredAccounts()
    {
        var path = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        _sandbox.SetEnvCredentials();

        var ex = ResolveFails("prod");

        Assert.That(ex.Message, Does.Contain("'prod'").And.Contain(path).And.Contain("configured accounts: staging, production"));
        Assert.That(ex.SourcesTried, Is.EqualTo(new[] { "explicit account name 'prod'", $"config file {path}: no [accounts.prod]" }));
    }

    [Test]
    public void Resolve_ExplicitNameWithoutConfigFile_SaysTheFileIsMissing()
    {
        _sandbox.SetEnvCredentials();

        var ex = ResolveFails("production");

        Assert.That(ex.Message, Does.Contain(_sandbox.DefaultConfigPath).And.Contain("does not exist"));
    }

    [Test]
    public void Resolve_ExplicitNameInFileWithoutAccounts_SaysThereAreNone()
    {
        _sandbox.WriteConfig("# nothing yet\n");

        Assert.That(ResolveFails("x").Message, Does.Contain("there are no [accounts.<name>] tables"));
    }

    // --- Partial environment ----------------------------------------------------------------

    [TestCase(new[] { "MP_USERNAME" }, "MP_USERNAME is set but MP_SECRET and MP_PROJECT_ID are not")]
    [TestCase(new[] { "MP_SECRET" }, "MP_SECRET is set but MP_USERNAME and MP_PROJECT_ID are not")]
    [TestCase(new[] { "MP_USERNAME", "MP_SECRET" }, "MP_USERNAME and MP_SECRET are set but MP_PROJECT_ID is not")]
    [TestCase(new[] { "MP_USERNAME", "MP_PROJECT_ID", "MP_REGION" }, "MP_USERNAME, MP_PROJECT_ID and MP_REGION are set but MP_SECRET is not")]
    [TestCase(new[] { "MP_REGION" }, "MP_REGION is set but MP_USERNAME, MP_SECRET and MP_PROJECT_ID are not")]
    public void Resolve_PartialEnvironment_NamesExactlyTheMissingVariables(string[] set, string expected)
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        var values = new Dictionary<string, string>
        {
            ["MP_USERNAME"] = "u",
            ["MP_SECRET"] = Secret,
            ["MP_PROJECT_ID"] = "5",
            ["MP_REGION"] = "eu",
        };
        foreach (var name in set)
        {
            _sandbox.Set(name, values[name]);
        }

        var ex = ResolveFails();

        Assert.That(ex.Message, Does.Contain(expected));
        Assert.That(ex.SourcesTried, Has.Count.EqualTo(1));
    }

    // --- Nothing found ----------------------------------------------------------------------

    [Test]
    public void Resolve_NoEnvironmentNoFile_ListsEverySourceTried()
    {
        var ex = ResolveFails();

        Assert.That(ex.Message, Does.Contain("No Mixpanel credentials found"));
        Assert.That(ex.SourcesTried, Is.EqualTo(new[]
        {
            "environment variables MP_USERNAME, MP_SECRET, MP_PROJECT_ID, MP_REGION: none set",
            $"config file {_sandbox.DefaultConfigPath}: does not exist",
        }));
        Assert.That(ex.Message, Does.Contain(ex.SourcesTried[0]).And.Contain(ex.SourcesTried[1]));
    }

    [Test]
    public void Resolve_FileWithoutAccounts_SaysItExistsButIsEmpty()
    {
        var path = _sandbox.WriteConfig("# only a comment\n");

        var ex = ResolveFails();

        Assert.That(ex.SourcesTried[1], Is.EqualTo($"config file {path}: exists, but has no [accounts.<name>] tables"));
    }

    [Test]
    public void Resolve_ConfigPathFromEnvironmentMissing_SaysWhereThePathCameFrom()
    {
        var path = Path.Combine(_sandbox.Home, "elsewhere.toml");
        _sandbox.Set("MP_CONFIG_PATH", path);

        Assert.That(ResolveFails().SourcesTried[1], Is.EqualTo($"config file {path} (from MP_CONFIG_PATH): does not exist"));
    }

    // --- Config path ------------------------------------------------------------------------

    [Test]
    public void Resolve_ConfigPathVariable_IsUsedInsteadOfHome()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        var other = _sandbox.WriteConfig($"[accounts.other]\n{ValidBody}", Path.Combine(_sandbox.Home, "custom", "mp.toml"));
        _sandbox.Set("MP_CONFIG_PATH", other);

        Assert.That(_sandbox.CreateSut().Resolve().Name, Is.EqualTo("other"));
    }

    [Test]
    public void ConfigPath_TildeInVariable_IsExpandedToHome()
    {
        _sandbox.Set("MP_CONFIG_PATH", "~/conf/mp.toml");

        Assert.That(_sandbox.CreateSut().ConfigPath, Is.EqualTo(Path.Combine(_sandbox.Home, "conf", "mp.toml")));
    }

    [Test]
    public void ConfigPath_OptionsPath_BeatsVariable()
    {
        _sandbox.Set("MP_CONFIG_PATH", "/nowhere/a.toml");
        var sut = new AccountResolver(_sandbox.Options with { ConfigPath = Path.Combine(_sandbox.Home, "b.toml") });

        Assert.That(sut.ConfigPath, Is.EqualTo(Path.Combine(_sandbox.Home, "b.toml")));
    }

    [Test]
    public void ConfigPath_InvalidVariable_ThrowsConfigurationException()
    {
        _sandbox.Set("MP_CONFIG_PATH", "bad\0path");

        Assert.That(() => _sandbox.CreateSut().ConfigPath, Throws.TypeOf<ConfigurationException>().With.Message.Contains("MP_CONFIG_PATH"));
    }

    [Test]
    public void ConfigPath_Default_IsDotMpUnderHome()
    {
        Assert.That(_sandbox.CreateSut().ConfigPath, Is.EqualTo(_sandbox.DefaultConfigPath));
    }

    // --- Default key ------------------------------------------------------------------------

    [Test]
    public void Resolve_DefaultNamesUnknownAccount_NamesLineAndAccounts()
    {
        var path = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts().Replace("\"production\"", "\"prodution\"", StringComparison.Ordinal));

        var ex = ResolveFails();

        Assert.That(ex.Message, Does.StartWith($"{path}:1: default = \"prodution\" names no account").And.Contain("configured accounts: staging, production"));
    }

    [Test]
    public void Resolve_DefaultNotAString_NamesLine()
    {
        var path = _sandbox.WriteConfig("\ndefault = 3\n" + $"[accounts.a]\n{ValidBody}");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:2: 'default' must be a string"));
    }

    [Test]
    public void Resolve_AccountsNotATable_NamesLine()
    {
        var path = _sandbox.WriteConfig("accounts = 1");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:1: 'accounts' must be a table"));
    }

    [Test]
    public void Resolve_AccountEntryNotATable_NamesAccountAndLine()
    {
        var path = _sandbox.WriteConfig("[accounts]\nprod = \"x\"");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:2: [accounts.prod] must be a table"));
    }

    // --- Account keys -----------------------------------------------------------------------

    [TestCase("project_id = 123456", 123456L)]
    [TestCase("project_id = \"123456\"", 123456L)]
    [TestCase("project_id = \" 42 \"", 42L)]
    [TestCase("project_id = 1_000", 1000L)]
    public void Resolve_ProjectIdIntegerOrNumericString_IsRead(string line, long expected)
    {
        WriteAccount($"username = \"u\"\nsecret = \"{Secret}\"\n{line}");

        Assert.That(_sandbox.CreateSut().Resolve().Credentials.ProjectId, Is.EqualTo(expected));
    }

    [TestCase("project_id = \"abc\"")]
    [TestCase("project_id = \"12a\"")]
    [TestCase("project_id = 0")]
    [TestCase("project_id = -5")]
    [TestCase("project_id = \"-5\"")]
    [TestCase("project_id = true")]
    [TestCase("project_id = \"\"")]
    public void Resolve_BadProjectId_NamesTableKeyAndLine(string line)
    {
        var path = WriteAccount($"username = \"u\"\nsecret = \"{Secret}\"\n{line}");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:4: [accounts.prod] project_id must be a positive whole number"));
    }

    [TestCase("username")]
    [TestCase("secret")]
    [TestCase("project_id")]
    public void Resolve_MissingRequiredKey_NamesTableAndKey(string key)
    {
        var body = string.Join('\n', ValidBody.Split('\n').Where(l => !l.StartsWith(key, StringComparison.Ordinal)));
        var path = _sandbox.WriteConfig($"# comment\n[accounts.prod]\n{body}");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:2: [accounts.prod] is missing '{key}'"));
    }

    [TestCase("username = 5", "username must be a quoted string, not an integer")]
    [TestCase("username = \"\"", "username is empty")]
    [TestCase("secret = 5", "secret must be a quoted string")]
    [TestCase("secret = \"  \"", "secret is empty")]
    public void Resolve_BadStringKey_SaysWhatIsWrong(string line, string expected)
    {
        var key = line.Split(' ')[0];
        var body = string.Join('\n', ValidBody.Split('\n').Where(l => !l.StartsWith(key, StringComparison.Ordinal)));
        var path = WriteAccount($"{body}\n{line}");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:4: [accounts.prod] {expected}"));
    }

    [TestCase("\"us\"", MixpanelRegion.Us)]
    [TestCase("\"eu\"", MixpanelRegion.Eu)]
    [TestCase("\"in\"", MixpanelRegion.In)]
    [TestCase("\"EU\"", MixpanelRegion.Eu)]
    public void Resolve_Region_IsParsed(string value, MixpanelRegion expected)
    {
        WriteAccount($"{ValidBody}\nregion = {value}");

        Assert.That(_sandbox.CreateSut().Resolve().Credentials.Region, Is.EqualTo(expected));
    }

    [Test]
    public void Resolve_NoRegion_LeavesItForDetection()
    {
        WriteAccount(ValidBody);

        Assert.That(_sandbox.CreateSut().Resolve().Credentials.Region, Is.Null);
    }

    [TestCase("\"mars\"", "region is \"mars\"")]
    [TestCase("\"\"", "region is \"\"")]
    [TestCase("1", "region is an integer")]
    public void Resolve_BadRegion_NamesTableKeyAndLine(string value, string expected)
    {
        var path = WriteAccount($"{ValidBody}\nregion = {value}");

        var ex = ResolveFails();

        Assert.That(ex.Message, Does.StartWith($"{path}:5: [accounts.prod] {expected}").And.Contain("\"us\", \"eu\" or \"in\""));
    }

    [TestCase("mars")]
    [TestCase("usa")]
    public void Resolve_BadEnvironmentRegion_NamesVariable(string value)
    {
        _sandbox.SetEnvCredentials(region: value);

        Assert.That(ResolveFails().Message, Does.StartWith($"MP_REGION is '{value}'; it must be us, eu or in"));
    }

    [TestCase("abc")]
    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("1.5")]
    public void Resolve_BadEnvironmentProjectId_NamesVariable(string value)
    {
        _sandbox.SetEnvCredentials(projectId: value);

        Assert.That(ResolveFails().Message, Does.StartWith("MP_PROJECT_ID must be a positive whole number"));
    }

    [TestCase("workspace_id = 99", 99L)]
    [TestCase("workspace_id = \"99\"", 99L)]
    public void Resolve_WorkspaceId_IsRead(string line, long expected)
    {
        WriteAccount($"{ValidBody}\n{line}");

        Assert.That(_sandbox.CreateSut().Resolve().WorkspaceId, Is.EqualTo(expected));
    }

    [Test]
    public void Resolve_BadWorkspaceId_NamesKey()
    {
        var path = WriteAccount($"{ValidBody}\nworkspace_id = \"x\"");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:5: [accounts.prod] workspace_id must be a positive whole number"));
    }

    [Test]
    public void Resolve_UnknownKeys_AreIgnored()
    {
        WriteAccount($"{ValidBody}\ncreated_by = \"python\"\nflags = [\"a\", \"b\"]");

        Assert.That(_sandbox.CreateSut().Resolve().Name, Is.EqualTo("prod"));
    }

    // --- Headers ----------------------------------------------------------------------------

    [Test]
    public void Resolve_InlineHeaders_AreRead()
    {
        WriteAccount($"{ValidBody}\nheaders = {{ \"X-Source\" = \"copilot\", X-Team = 'data' }}");

        var headers = _sandbox.CreateSut().Resolve().Headers;

        Assert.That(headers, Is.EquivalentTo(new Dictionary<string, string> { ["X-Source"] = "copilot", ["X-Team"] = "data" }));
        Assert.That(headers["x-source"], Is.EqualTo("copilot"));
    }

    [Test]
    public void Resolve_HeadersSubTable_AreRead()
    {
        WriteAccount($"{ValidBody}\n\n[accounts.prod.headers]\n\"X-Source\" = \"copilot\"");

        Assert.That(_sandbox.CreateSut().Resolve().Headers["X-Source"], Is.EqualTo("copilot"));
    }

    [Test]
    public void Resolve_NoHeaders_IsEmpty()
    {
        WriteAccount(ValidBody);

        Assert.That(_sandbox.CreateSut().Resolve().Headers, Is.Empty);
    }

    [TestCase("headers = \"X-Source: copilot\"", "headers must be a table")]
    [TestCase("headers = { \"X Source\" = \"a\" }", "headers: \"X Source\" is not a valid HTTP header name")]
    [TestCase("headers = { \"\" = \"a\" }", "is not a valid HTTP header name")]
    [TestCase("headers = { X-N = 1 }", "the value of X-N must be a quoted string, not an integer")]
    [TestCase("headers = { X-N = \"a\\nb\" }", "the value of X-N contains a line break")]
    [TestCase("headers = { Authorization = \"Bearer x\" }", "Authorization cannot be set here")]
    [TestCase("headers = { X-A = \"1\", x-a = \"2\" }", "x-a repeats X-A")]
    public void Resolve_BadHeaders_NamesTableAndHeader(string line, string expected)
    {
        var path = WriteAccount($"{ValidBody}\n{line}");

        Assert.That(ResolveFails().Message, Does.StartWith($"{path}:5: [accounts.prod] ").And.Contain(expected));
    }

    // --- URLs -------------------------------------------------------------------------------

    [Test]
    public void Resolve_UrlOverrides_AreValidatedAndUsedByResolveEndpoints()
    {
        WriteAccount($"""
            {ValidBody}
            query_url = "https://gateway.example/mixpanel/api/query/"
            export_url = "http://127.0.0.1:8080/api/2.0"
            app_url = "http://localhost:9000/api/app"
            """);

        var account = _sandbox.CreateSut().Resolve();
        var endpoints = account.ResolveEndpoints(MixpanelRegion.Eu);

        Assert.That(account.QueryUrl, Is.EqualTo(new Uri("https://gateway.example/mixpanel/api/query")));
        Assert.That(endpoints, Is.EqualTo(new MixpanelEndpoints(
            new Uri("https://gateway.example/mixpanel/api/query"),
            new Uri("http://127.0.0.1:8080/api/2.0"),
            new Uri("http://localhost:9000/api/app"))));
    }

    [Test]
    public void ResolveEndpoints_NoOverrides_GivesRegionDefaults()
    {
        WriteAccount($"{ValidBody}\nquery_url = \"https://proxy.example/api/query\"");

        var endpoints = _sandbox.CreateSut().Resolve().ResolveEndpoints(MixpanelRegion.Eu);

        Assert.That(endpoints.Query, Is.EqualTo(new Uri("https://proxy.example/api/query")));
        Assert.That(endpoints.Export, Is.EqualTo(new Uri("https://data-eu.mixpanel.com/api/2.0")));
        Assert.That(endpoints.App, Is.EqualTo(new Uri("https://eu.mixpanel.com/api/app")));
    }

    [TestCase("query_url = \"http://proxy.example/api/query\"", "plain http:// to a non-loopback host")]
    [TestCase("export_url = \"ftp://files.example/x\"", "must use https://")]
    [TestCase("app_url = \"/api/app\"", "app_url is not an absolute URL")]
    [TestCase("query_url = 5", "query_url must be a quoted URL string")]
    [TestCase("query_url = \"https://user:pw@proxy.example/api\"", "must not carry credentials")]
    public void Resolve_BadUrl_NamesTableKeyAndLine(string line, string expected)
    {
        var path = WriteAccount($"{ValidBody}\n{line}");

        var ex = ResolveFails();

        Assert.That(ex.Message, Does.StartWith($"{path}:5: [accounts.prod] ").And.Contain(expected));
        Assert.That(ex.Message, Does.Not.Contain("(Parameter"));
    }

    // --- Environment overrides --------------------------------------------------------------

    [Test]
    public void Resolve_EnvironmentOverrides_ApplyOnTopOfFileAccount()
    {
        WriteAccount($"{ValidBody}\nworkspace_id = 1\nquery_url = \"https://file.example/api/query\"");
        _sandbox.Set("MP_QUERY_URL", "http://[::1]:5000/api/query")
            .Set("MP_EXPORT_URL", "https://export.example/api/2.0")
            .Set("MP_APP_URL", "https://app.example/api/app")
            .Set("MP_WORKSPACE_ID", "42");

        var account = _sandbox.CreateSut().Resolve("prod");

        Assert.That(account.WorkspaceId, Is.EqualTo(42));
        Assert.That(account.QueryUrl, Is.EqualTo(new Uri("http://[::1]:5000/api/query")));
        Assert.That(account.ExportUrl, Is.EqualTo(new Uri("https://export.example/api/2.0")));
        Assert.That(account.AppUrl, Is.EqualTo(new Uri("https://app.example/api/app")));
        Assert.That(account.Source, Does.EndWith("[accounts.prod], overridden by MP_WORKSPACE_ID, MP_QUERY_URL, MP_EXPORT_URL, MP_APP_URL"));
    }

    [Test]
    public void Resolve_EnvironmentOverrides_ApplyOnTopOfEnvironmentAccount()
    {
        _sandbox.SetEnvCredentials().Set("MP_WORKSPACE_ID", "7");

        Assert.That(_sandbox.CreateSut().Resolve().WorkspaceId, Is.EqualTo(7));
    }

    [TestCase("MP_QUERY_URL", "http://proxy.example/api/query", "plain http:// to a non-loopback host")]
    [TestCase("MP_EXPORT_URL", "not a url", "MP_EXPORT_URL is not an absolute URL")]
    [TestCase("MP_APP_URL", "ftp://files.example/api/app", "must use https://")]
    [TestCase("MP_WORKSPACE_ID", "ws-1", "MP_WORKSPACE_ID must be a positive whole number")]
    public void Resolve_BadEnvironmentOverride_NamesVariableAndAccount(string variable, string value, string expected)
    {
        _sandbox.SetEnvCredentials().Set(variable, value);

        var ex = ResolveFails();

        Assert.That(ex.Message, Does.Contain(expected).And.Contain("account 'environment'"));
        Assert.That(ex.Message, Does.Contain(variable));
    }

    // --- Listing ----------------------------------------------------------------------------

    [Test]
    public void ListAccounts_TwoAccounts_ListsInFileOrderWithDefaultMarked()
    {
        var path = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts() + "\nworkspace_id = 5\n");

        var accounts = _sandbox.CreateSut().ListAccounts();

        Assert.That(accounts, Is.EqualTo(new[]
        {
            new AccountSummary("staging", "stage.1a2b.mp-service-account", 111, MixpanelRegion.Us, false, $"{path} [accounts.staging]"),
            new AccountSummary("production", "prod.3c4d.mp-service-account", 222, MixpanelRegion.Eu, true, $"{path} [accounts.production]") { WorkspaceId = 5 },
        }));
        Assert.That(accounts.Select(a => a.ToString()), Has.None.Contains(Secret));
    }

    [Test]
    public void ListAccounts_NoDefaultKey_MarksFirstAccount()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts().Replace("default = \"production\"", string.Empty, StringComparison.Ordinal));

        Assert.That(_sandbox.CreateSut().ListAccounts().Select(a => a.IsDefault), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void ListAccounts_NoFile_IsEmpty()
    {
        _sandbox.SetEnvCredentials();

        Assert.That(_sandbox.CreateSut().ListAccounts(), Is.Empty);
    }

    [Test]
    public void ListAccounts_UnsafeFile_Throws()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts(), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix permissions only.");
        }

        Assert.That(() => _sandbox.CreateSut().ListAccounts(), Throws.TypeOf<ConfigurationException>().With.Message.Contains("chmod 600"));
    }

    // --- File safety through the resolver ---------------------------------------------------

    [Test]
    public void Resolve_WorldReadableConfig_IsRefusedWithFix()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix permissions only.");
        }

        var path = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts(), mode: (UnixFileMode)0b110_100_100);

        var ex = ResolveFails();

        Assert.That(ex.Message, Does.Contain("mode 0644").And.Contain($"chmod 600 {path}"));
    }

    [Test]
    public void Resolve_SymlinkedConfig_IsRefused()
    {
        var real = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts(), Path.Combine(_sandbox.Home, "real.toml"));
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.DefaultConfigPath)!);
        File.CreateSymbolicLink(_sandbox.DefaultConfigPath, real);

        Assert.That(ResolveFails("production").Message, Does.Contain("symbolic link"));
    }

    [Test]
    public void Resolve_CompleteEnvironment_DoesNotReadUnsafeConfigFile()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts(), mode: (UnixFileMode)0b110_100_100);
        _sandbox.SetEnvCredentials();

        Assert.That(_sandbox.CreateSut().Resolve().Name, Is.EqualTo(AccountResolver.EnvironmentAccountName));
    }
}
