using System.Text;
using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

public sealed class ConfigFileTests
{
    private ConfigSandbox _sandbox = null!;

    [SetUp]
    public void SetUp() => _sandbox = new ConfigSandbox();

    [TearDown]
    public void TearDown() => _sandbox.Dispose();

    [Test]
    public void Load_Mode600_IsAccepted()
    {
        var path = _sandbox.WriteConfig("a = 1");
        Assert.That(ConfigFile.Load(path).Keys, Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public void Load_Mode400_IsAccepted()
    {
        var path = _sandbox.WriteConfig("a = 1", mode: UnixFileMode.UserRead);
        Assert.That(ConfigFile.Load(path).Keys, Is.EqualTo(new[] { "a" }));
    }

    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite, "0602")]
    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupExecute, "0610")]
    public void Load_GroupOrOtherPermission_IsRefusedWithChmodFix(UnixFileMode mode, string shown)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix permissions only.");
        }

        var path = _sandbox.WriteConfig($"secret = \"{ConfigSandbox.Secret}\"", mode: mode);

        var ex = Assert.Throws<ConfigurationException>(() => ConfigFile.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"chmod 600 {path}").And.Contain(shown).And.Contain("other users"));
        Assert.That(ex.Message, Does.Not.Contain(ConfigSandbox.Secret));
        Assert.That(ex.SourcesTried, Is.EqualTo(new[] { $"config file {path}" }));
    }

    [Test]
    public void Load_Symlink_IsRefusedEvenWhenTargetIsPrivate()
    {
        var target = _sandbox.WriteConfig("a = 1", Path.Combine(_sandbox.Home, "real.toml"));
        var link = Path.Combine(_sandbox.Home, "link.toml");
        File.CreateSymbolicLink(link, target);

        var ex = Assert.Throws<ConfigurationException>(() => ConfigFile.Load(link))!;
        Assert.That(ex.Message, Does.Contain("symbolic link").And.Contain(target));
    }

    [Test]
    public void Load_DanglingSymlink_IsRefusedAndExists()
    {
        var link = Path.Combine(_sandbox.Home, "dangling.toml");
        File.CreateSymbolicLink(link, Path.Combine(_sandbox.Home, "missing.toml"));

        Assert.That(ConfigFile.Exists(link), Is.True);
        Assert.That(() => ConfigFile.Load(link), Throws.TypeOf<ConfigurationException>().With.Message.Contains("symbolic link"));
    }

    [Test]
    public void Load_Directory_IsRefusedNotCrashed()
    {
        var path = Path.Combine(_sandbox.Home, "dir.toml");
        Directory.CreateDirectory(path);

        Assert.That(() => ConfigFile.Load(path), Throws.TypeOf<ConfigurationException>().With.Message.Contains("is a directory"));
    }

    [Test]
    public void Load_InvalidUtf8_IsRefusedNotCrashed()
    {
        var path = _sandbox.WriteConfig(string.Empty);
        File.WriteAllBytes(path, [(byte)'a', (byte)' ', (byte)'=', (byte)' ', (byte)'"', 0xFF, 0xFE, (byte)'"']);

        Assert.That(() => ConfigFile.Load(path), Throws.TypeOf<ConfigurationException>().With.Message.Contains("not valid UTF-8"));
    }

    [Test]
    public void Load_HugeFile_IsRefused()
    {
        var path = _sandbox.WriteConfig(new StringBuilder().Append('#', (int)ConfigFile.MaxBytes + 1).ToString());

        Assert.That(() => ConfigFile.Load(path), Throws.TypeOf<ConfigurationException>().With.Message.Contains("larger than"));
    }

    [Test]
    public void Load_BrokenToml_NamesThisFileAndLine()
    {
        var path = _sandbox.WriteConfig("a = 1\nb = \"open");

        Assert.That(() => ConfigFile.Load(path), Throws.TypeOf<ConfigurationException>().With.Message.StartsWith($"{path}:2:").And.Message.Contains("not closed"));
    }
}
