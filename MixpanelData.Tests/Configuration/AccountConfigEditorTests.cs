using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

public sealed class AccountConfigEditorTests
{
    private ConfigSandbox _sandbox = null!;

    [SetUp]
    public void SetUp() => _sandbox = new ConfigSandbox();

    [TearDown]
    public void TearDown() => _sandbox.Dispose();

    private AccountConfigEditor CreateSut() => new(_sandbox.Options);

    private static MixpanelAccount Account(string name, string username = "svc.user", long project = 42, MixpanelRegion? region = MixpanelRegion.Eu) =>
        new(name, new Credentials(username, ConfigSandbox.Secret, project, region), "test");

    private string FileText() => File.ReadAllText(_sandbox.DefaultConfigPath).ReplaceLineEndings("\n");

    [Test]
    public void SaveAccount_NoFile_CreatesPrivateFileWithAccountAsDefault()
    {
        CreateSut().SaveAccount(Account("production"));

        Assert.That(FileText(), Is.EqualTo($"""
            default = "production"

            [accounts.production]
            username = "svc.user"
            secret = "{ConfigSandbox.Secret}"
            project_id = 42
            region = "eu"

            """.ReplaceLineEndings("\n")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(_sandbox.DefaultConfigPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(_sandbox.DefaultConfigPath)!) & (UnixFileMode)0b111_111, Is.EqualTo((UnixFileMode)0));
        }

        var resolved = _sandbox.CreateSut().Resolve();
        Assert.That(resolved.Name, Is.EqualTo("production"));
        Assert.That(resolved.Credentials, Is.EqualTo(new Credentials("svc.user", ConfigSandbox.Secret, 42, MixpanelRegion.Eu)));
    }

    [Test]
    public void SaveAccount_EveryOptionalSetting_RoundTripsThroughTheResolver()
    {
        var account = Account("my team", region: null) with
        {
            WorkspaceId = 7,
            Headers = new Dictionary<string, string> { ["X-Source"] = "copilot", ["X-Team"] = "data \"core\"" },
            QueryUrl = new Uri("https://gateway.example/mp/query"),
            ExportUrl = new Uri("https://gateway.example/mp/export"),
            AppUrl = new Uri("https://gateway.example/mp/app"),
        };

        CreateSut().SaveAccount(account);
        var read = _sandbox.CreateSut().Resolve("my team");

        Assert.That(FileText(), Does.Contain("[accounts.\"my team\"]"));
        Assert.That(read.Credentials, Is.EqualTo(account.Credentials));
        Assert.That(read.WorkspaceId, Is.EqualTo(7));
        Assert.That(read.Headers, Is.EquivalentTo(account.Headers));
        Assert.That(read.QueryUrl, Is.EqualTo(account.QueryUrl));
        Assert.That(read.ExportUrl, Is.EqualTo(account.ExportUrl));
        Assert.That(read.AppUrl, Is.EqualTo(account.AppUrl));
    }

    [Test]
    public void SaveAccount_ExistingFile_KeepsCommentsOtherAccountsAndUnknownKeys()
    {
        _sandbox.WriteConfig("""
            # Written by hand.
            default = "staging" # the one I use

            [accounts.staging]
            username = "old.user" # rotated monthly
            secret = "old-secret"
            project_id = 111
            region = "us"
            future_key = [1, 2] # a newer tool wrote this

            [accounts.other]
            username = "o"
            secret = "o-secret"
            project_id = 9
            """);

        CreateSut().SaveAccount(Account("staging", username: "new.user", project: 112, region: null));

        Assert.That(FileText(), Is.EqualTo($"""
            # Written by hand.
            default = "staging" # the one I use

            [accounts.staging]
            username = "new.user" # rotated monthly
            secret = "{ConfigSandbox.Secret}"
            project_id = 112
            future_key = [1, 2] # a newer tool wrote this

            [accounts.other]
            username = "o"
            secret = "o-secret"
            project_id = 9
            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public void SaveAccount_SecondAccountWithMakeDefault_AppendsTableAndMovesDefault()
    {
        var sut = CreateSut();
        sut.SaveAccount(Account("first"));
        sut.SaveAccount(Account("second", project: 43), makeDefault: true);

        Assert.That(FileText(), Does.StartWith("default = \"second\"\n\n[accounts.first]\n"));
        Assert.That(FileText(), Does.Contain("region = \"eu\"\n\n[accounts.second]\nusername = \"svc.user\"\n"));
        Assert.That(_sandbox.CreateSut().ListAccounts().Select(a => (a.Name, a.ProjectId, a.IsDefault)), Is.EqualTo(new[] { ("first", 42L, false), ("second", 43L, true) }));
    }

    [Test]
    public void SaveAccount_SecondAccountWithoutMakeDefault_KeepsDefault()
    {
        var sut = CreateSut();
        sut.SaveAccount(Account("first"));
        sut.SaveAccount(Account("second"));

        Assert.That(_sandbox.CreateSut().Resolve().Name, Is.EqualTo("first"));
    }

    [Test]
    public void SaveAccount_DottedHeaderKeys_AreReplacedByTheAccountsHeaders()
    {
        _sandbox.WriteConfig("""
            [accounts.a]
            username = "u"
            secret = "s-s-s-s"
            project_id = 1
            headers.X-Old = "1"
            headers.X-Older = "2"
            """);

        CreateSut().SaveAccount(Account("a") with { Headers = new Dictionary<string, string> { ["X-New"] = "3" } });

        Assert.That(_sandbox.CreateSut().Resolve("a").Headers, Is.EquivalentTo(new Dictionary<string, string> { ["X-New"] = "3" }));
        Assert.That(FileText(), Does.Not.Contain("X-Old"));
    }

    [Test]
    public void SaveAccount_InvalidValue_LeavesFileUntouchedAndNeverShowsSecret()
    {
        var before = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        var text = File.ReadAllText(before);

        var ex = Assert.Throws<ConfigurationException>(() => CreateSut().SaveAccount(Account("staging") with { Headers = new Dictionary<string, string> { ["Bad Header"] = "x" } }))!;

        Assert.That(ex.Message, Does.Contain("not a valid HTTP header name"));
        Assert.That(ex.ToString(), Does.Not.Contain(ConfigSandbox.Secret));
        Assert.That(File.ReadAllText(before), Is.EqualTo(text));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(before)!), Is.EqualTo(new[] { before }), "no temporary file is left behind");
    }

    [Test]
    public void SaveAccount_InvalidFile_IsReportedAndNotRewritten()
    {
        var path = _sandbox.WriteConfig($"[accounts.a]\nsecret = {ConfigSandbox.Secret}\n");

        var ex = Assert.Throws<ConfigurationException>(() => CreateSut().SaveAccount(Account("b")))!;

        Assert.That(ex.Message, Does.StartWith($"{path}:2:10: not valid TOML"));
        Assert.That(ex.ToString(), Does.Not.Contain(ConfigSandbox.Secret));
        Assert.That(File.ReadAllText(path), Does.Contain($"secret = {ConfigSandbox.Secret}"));
    }

    [Test]
    public void SaveAccount_AccountWrittenInline_IsRefusedWithLine()
    {
        var path = _sandbox.WriteConfig("accounts.a = { username = \"u\", secret = \"s-s-s-s\", project_id = 1 }\n");

        var ex = Assert.Throws<ConfigurationException>(() => CreateSut().SaveAccount(Account("a")))!;

        Assert.That(ex.Message, Does.StartWith($"{path}:1: the account [accounts.a] is not written as its own [accounts.<name>] table"));
    }

    [Test]
    public void SaveAccount_SymlinkedFile_IsRefused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix symbolic links only.");
        }

        var target = _sandbox.WriteConfig(ConfigSandbox.TwoAccounts(), Path.Combine(_sandbox.Home, "real.toml"));
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.DefaultConfigPath)!);
        File.CreateSymbolicLink(_sandbox.DefaultConfigPath, target);

        Assert.That(() => CreateSut().SaveAccount(Account("x")), Throws.TypeOf<ConfigurationException>().With.Message.Contains("symbolic link"));
        Assert.That(File.ResolveLinkTarget(_sandbox.DefaultConfigPath, false)?.FullName, Is.EqualTo(target));
    }

    [Test]
    public void RemoveAccount_Default_PromotesNextAccountAndKeepsTheRest()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());

        var removed = CreateSut().RemoveAccount("production");

        Assert.That(removed, Is.True);
        Assert.That(FileText(), Does.StartWith("default = \"staging\"\n"));
        Assert.That(FileText(), Does.Not.Contain("[accounts.production]"));
        Assert.That(_sandbox.CreateSut().Resolve().Name, Is.EqualTo("staging"));
    }

    [Test]
    public void RemoveAccount_LastAccount_RemovesDefaultToo()
    {
        var sut = CreateSut();
        sut.SaveAccount(Account("only"));

        Assert.That(sut.RemoveAccount("only"), Is.True);
        Assert.That(FileText().Trim(), Is.Empty);
    }

    [Test]
    public void RemoveAccount_WithSubTable_RemovesBoth()
    {
        _sandbox.WriteConfig("""
            [accounts.a]
            username = "u"
            secret = "s-s-s-s"
            project_id = 1
            [accounts.a.headers]
            X-Source = "x"
            [accounts.b]
            username = "v"
            secret = "t-t-t-t"
            project_id = 2
            """);

        CreateSut().RemoveAccount("a");

        Assert.That(_sandbox.CreateSut().ListAccounts().Select(a => a.Name), Is.EqualTo(new[] { "b" }));
        Assert.That(FileText(), Does.Not.Contain("X-Source"));
    }

    [Test]
    public void RemoveAccount_Unknown_ReturnsFalseAndLeavesNoFile()
    {
        Assert.That(CreateSut().RemoveAccount("nobody"), Is.False);
        Assert.That(File.Exists(_sandbox.DefaultConfigPath), Is.False);
    }

    [Test]
    public void SetDefault_KnownAccount_ChangesOnlyTheDefault()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());
        var before = FileText();

        CreateSut().SetDefault("staging");

        Assert.That(FileText(), Is.EqualTo(before.Replace("default = \"production\"", "default = \"staging\"", StringComparison.Ordinal)));
    }

    [Test]
    public void SetDefault_UnknownAccount_ListsTheAccounts()
    {
        _sandbox.WriteConfig(ConfigSandbox.TwoAccounts());

        Assert.That(() => CreateSut().SetDefault("prod"), Throws.TypeOf<ConfigurationException>().With.Message.Contains("configured accounts: staging, production"));
    }
}
