using System.Text.RegularExpressions;
using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

/// <summary>Keeps the example in docs/configuration.md loadable.</summary>
public sealed partial class ConfigurationDocsTests
{
    [GeneratedRegex("```toml\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex TomlBlock();

    private static string DocsExample()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var doc = Path.Combine(dir.FullName, "docs", "configuration.md");
            if (File.Exists(doc))
            {
                return TomlBlock().Match(File.ReadAllText(doc)).Groups["body"].Value;
            }
        }

        Assert.Fail("docs/configuration.md not found above the test directory");
        return string.Empty;
    }

    [Test]
    public void Resolve_DocumentedExample_LoadsEveryAccount()
    {
        using var sandbox = new ConfigSandbox();
        sandbox.WriteConfig(DocsExample());
        var sut = sandbox.CreateSut();

        var accounts = sut.ListAccounts();
        var staging = sut.Resolve("staging team");
        var local = sut.Resolve("local-emulator");

        Assert.That(accounts.Select(a => (a.Name, a.ProjectId, a.IsDefault)), Is.EqualTo(new[]
        {
            ("production", 2195193L, true),
            ("staging team", 3141592L, false),
            ("local-emulator", 1L, false),
        }));
        Assert.That(sut.Resolve().Headers["X-Source"], Is.EqualTo("copilot"));
        Assert.That(staging.Headers.Keys, Is.EquivalentTo(new[] { "X-Source", "X-Team" }));
        Assert.That(local.ResolveEndpoints(MixpanelRegion.Us).Query, Is.EqualTo(new Uri("http://127.0.0.1:5080/api/query")));
    }
}
