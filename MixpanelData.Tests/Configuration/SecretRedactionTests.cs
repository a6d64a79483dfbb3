using System.Collections.ObjectModel;
using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

/// <summary>
/// Provokes every configuration failure we can think of with a distinctive secret in play, and
/// checks the secret never reaches a message, a "sources tried" entry or a <c>ToString()</c>.
/// </summary>
public sealed class SecretRedactionTests
{
    private const string Secret = ConfigSandbox.Secret;
    private const string Good = $"username = \"u\"\nsecret = \"{Secret}\"\nproject_id = 1";

    private ConfigSandbox _sandbox = null!;

    [SetUp]
    public void SetUp() => _sandbox = new ConfigSandbox();

    [TearDown]
    public void TearDown() => _sandbox.Dispose();

    private static IEnumerable<TestCaseData> BrokenFiles()
    {
        TestCaseData Case(string name, string toml) => new TestCaseData(toml).SetArgDisplayNames(name);

        yield return Case("unquoted secret", $"[accounts.a]\nsecret = {Secret}");
        yield return Case("unterminated secret", $"[accounts.a]\nsecret = \"{Secret}");
        yield return Case("text after secret", $"[accounts.a]\nsecret = \"{Secret}\" oops");
        yield return Case("duplicate secret", $"[accounts.a]\nsecret = \"{Secret}\"\nsecret = \"{Secret}\"");
        yield return Case("secret as array", $"[accounts.a]\nusername = \"u\"\nsecret = [\"{Secret}\"]\nproject_id = 1");
        yield return Case("secret as table", $"[accounts.a]\nusername = \"u\"\nsecret = {{ v = \"{Secret}\" }}\nproject_id = 1");
        yield return Case("missing username", $"[accounts.a]\nsecret = \"{Secret}\"\nproject_id = 1");
        yield return Case("missing project", $"[accounts.a]\nusername = \"u\"\nsecret = \"{Secret}\"");
        yield return Case("secret in region", $"[accounts.a]\n{Good}\nregion = \"{Secret}\"");
        yield return Case("secret as project id", $"[accounts.a]\nusername = \"u\"\nsecret = \"{Secret}\"\nproject_id = \"{Secret}\"");
        yield return Case("secret in query url", $"[accounts.a]\n{Good}\nquery_url = \"http://{Secret}.example/api/query\"");
        yield return Case("secret in url path", $"[accounts.a]\n{Good}\nexport_url = \"http://proxy.example/{Secret}\"");
        yield return Case("secret as url", $"[accounts.a]\n{Good}\napp_url = \"{Secret}\"");
        yield return Case("secret in url userinfo", $"[accounts.a]\n{Good}\napp_url = \"https://u:{Secret}@proxy.example/api/app\"");
        yield return Case("secret as header name", $"[accounts.a]\n{Good}\nheaders = {{ \"{Secret} x\" = \"v\" }}");
        yield return Case("secret in bad header value", $"[accounts.a]\n{Good}\nheaders = {{ X-Key = \"{Secret}\\n\" }}");
        yield return Case("secret in authorization", $"[accounts.a]\n{Good}\nheaders = {{ Authorization = \"Basic {Secret}\" }}");
        yield return Case("secret as default", $"default = \"{Secret}\"\n[accounts.a]\n{Good}");
        yield return Case("secret pasted as a line", $"[accounts.a]\n{Good}\n{Secret}");
    }

    [TestCaseSource(nameof(BrokenFiles))]
    public void Resolve_BrokenFile_NeverRevealsSecret(string toml)
    {
        _sandbox.WriteConfig(toml);

        var ex = Assert.Throws<ConfigurationException>(() => _sandbox.CreateSut().Resolve())!;

        AssertClean(ex);
    }

    [TestCaseSource(nameof(BrokenFiles))]
    public void ListAccounts_BrokenFile_NeverRevealsSecret(string toml)
    {
        _sandbox.WriteConfig(toml);

        var ex = Assert.Throws<ConfigurationException>(() => _sandbox.CreateSut().ListAccounts())!;

        AssertClean(ex);
    }

    [TestCase("MP_PROJECT_ID", Secret)]
    [TestCase("MP_REGION", Secret)]
    [TestCase("MP_WORKSPACE_ID", Secret)]
    [TestCase("MP_QUERY_URL", Secret)]
    [TestCase("MP_EXPORT_URL", $"http://{Secret}.example/api/2.0")]
    [TestCase("MP_APP_URL", $"https://user:{Secret}@proxy.example/api/app")]
    public void Resolve_BadEnvironmentValue_NeverRevealsSecret(string variable, string value)
    {
        _sandbox.SetEnvCredentials().Set(variable, value);

        var ex = Assert.Throws<ConfigurationException>(() => _sandbox.CreateSut().Resolve())!;

        AssertClean(ex);
    }

    [Test]
    public void Resolve_PartialEnvironment_NeverRevealsSecret()
    {
        _sandbox.Set("MP_SECRET", Secret);

        AssertClean(Assert.Throws<ConfigurationException>(() => _sandbox.CreateSut().Resolve())!);
    }

    [Test]
    public void Resolve_UnsafeFile_NeverRevealsSecret()
    {
        _sandbox.WriteConfig($"[accounts.a]\n{Good}", mode: (UnixFileMode)0b110_110_110);

        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix permissions only.");
        }

        AssertClean(Assert.Throws<ConfigurationException>(() => _sandbox.CreateSut().Resolve())!);
    }

    [Test]
    public void ToString_EveryConfigurationType_NeverRevealsSecret()
    {
        _sandbox.WriteConfig($$"""
            [accounts.a]
            {{Good}}
            region = "eu"
            workspace_id = 3
            query_url = "https://proxy.example/api/query"
            headers = { "X-Token" = "{{Secret}}" }
            """);
        var sut = _sandbox.CreateSut();

        var account = sut.Resolve();
        var texts = new[]
        {
            account.ToString(),
            account.Credentials.ToString(),
            account with { Name = "b" } is var copy ? copy.ToString() : string.Empty,
            sut.ListAccounts()[0].ToString(),
            sut.ToString()!,
            _sandbox.Options.ToString(),
            account.ResolveEndpoints(MixpanelRegion.Eu).ToString(),
        };

        Assert.That(texts, Has.None.Contains(Secret));
        Assert.That(account.ToString(), Does.Contain("X-Token").And.Contain("Secret = ***").And.Contain("WorkspaceId = 3"));
    }

    [Test]
    public void ToString_HandBuiltAccount_NeverRevealsSecret()
    {
        var account = new MixpanelAccount("x", new Credentials("u", Secret, 1), "test")
        {
            Headers = new ReadOnlyDictionary<string, string>(new Dictionary<string, string> { ["X-Key"] = Secret }),
            AppUrl = new Uri($"https://u:{Secret}@h.example/api/app?key={Secret}"),
        };

        Assert.That(account.ToString(), Does.Not.Contain(Secret));
    }

    private static void AssertClean(ConfigurationException ex)
    {
        Assert.That(ex.Message, Does.Not.Contain(Secret));
        Assert.That(ex.ToString(), Does.Not.Contain(Secret));
        Assert.That(ex.SourcesTried, Has.None.Contains(Secret));
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            Assert.That(inner.Message, Does.Not.Contain(Secret));
        }
    }
}
