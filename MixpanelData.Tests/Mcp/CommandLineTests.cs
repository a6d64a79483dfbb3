using MixpanelData.Mcp.Cli;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Mcp;

public sealed class CommandLineTests
{
    private const string Secret = "S3CRET-do-not-print";

    private static string EmptyHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "mp-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        return home;
    }

    [TestCase("stdio", TransportKind.Stdio)]
    [TestCase("HTTP", TransportKind.Http)]
    [TestCase("streamable-http", TransportKind.Http)]
    public void ParseTransport_KnownNames_Parse(string text, object expected) =>
        Assert.That(CommandLine.ParseTransport(text), Is.EqualTo((TransportKind)expected));

    [Test]
    public void ParseTransport_Sse_IsRefusedWithTheChoices()
    {
        var ex = Assert.Throws<ArgumentException>(() => CommandLine.ParseTransport("sse"));

        Assert.That(ex!.Message, Does.Contain("stdio or http"));
    }

    [TestCase(0)]
    [TestCase(65536)]
    public void ParsePort_OutOfRange_IsRefused(int port) =>
        Assert.Throws<ArgumentException>(() => CommandLine.ParsePort(port));

    [Test]
    public void ParseToolsets_UnknownName_ListsTheValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => CommandLine.ParseToolsets("local,telepathy"));

        Assert.That(ex!.Message, Does.Contain("telepathy").And.Contain("discovery,live,fetch"));
    }

    [Test]
    public void ParseToolsets_Subset_KeepsThem() =>
        Assert.That(CommandLine.ParseToolsets(" Local , live,local"), Is.EqualTo(new[] { "local", "live" }));

    [Test]
    public void ParseHeaders_NameValue_ParsesAndRefusesAuthorization()
    {
        var headers = CommandLine.ParseHeaders(["X-Internal-Source: copilot", "X-Other:  two words "]);

        Assert.That(headers["x-internal-source"], Is.EqualTo("copilot"));
        Assert.That(headers["X-Other"], Is.EqualTo("two words"));
        Assert.Throws<ArgumentException>(() => CommandLine.ParseHeaders(["Authorization: Basic abc"]));
        Assert.Throws<ArgumentException>(() => CommandLine.ParseHeaders(["no colon here"]));
        Assert.Throws<ArgumentException>(() => CommandLine.ParseHeaders(["Bad Name: x"]));
    }

    [Test]
    public async Task Run_NoCredentialsAnywhere_SaysSoOnStderrAndNothingOnStdout()
    {
        var outcome = await ProcessRunner.RunMcpAsync(new Dictionary<string, string?> { ["HOME"] = EmptyHome() });

        Assert.That(outcome.ExitCode, Is.Zero, outcome.StandardError);
        Assert.That(outcome.StandardOutput, Is.Empty, "stdout belongs to the protocol");
        Assert.That(outcome.StandardError, Does.Contain("No Mixpanel credentials were found").And.Contain("demo"));
        Assert.That(outcome.StandardError, Does.Contain("config.toml: does not exist"));
    }

    [Test]
    public async Task Run_EnvironmentCredentials_ReportsThemWithoutTheSecret()
    {
        var outcome = await ProcessRunner.RunMcpAsync(
            new Dictionary<string, string?>
            {
                ["HOME"] = EmptyHome(),
                ["MP_USERNAME"] = "svc.test.mp-service-account",
                ["MP_SECRET"] = Secret,
                ["MP_PROJECT_ID"] = "4242",
                ["MP_REGION"] = "eu",
            });

        Assert.That(outcome.ExitCode, Is.Zero, outcome.StandardError);
        Assert.That(outcome.StandardOutput, Is.Empty);
        Assert.That(outcome.StandardError, Does.Contain("project 4242").And.Contain("region eu").And.Contain("https://data-eu.mixpanel.com/api/2.0"));
        Assert.That(outcome.StandardError + outcome.StandardOutput, Does.Not.Contain(Secret));
    }

    [Test]
    public async Task Run_PartialEnvironment_FailsNamingTheMissingVariables()
    {
        var outcome = await ProcessRunner.RunMcpAsync(new Dictionary<string, string?> { ["HOME"] = EmptyHome(), ["MP_USERNAME"] = "svc", ["MP_SECRET"] = Secret });

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.StandardError, Does.Contain("MP_PROJECT_ID"));
        Assert.That(outcome.StandardError, Does.Not.Contain(Secret));
    }

    [Test]
    public async Task Run_UnknownAccount_FailsListingTheAccounts()
    {
        var home = EmptyHome();
        Directory.CreateDirectory(Path.Combine(home, ".mp"));
        var config = Path.Combine(home, ".mp", "config.toml");
        await File.WriteAllTextAsync(config, $"default = \"prod\"\n[accounts.prod]\nusername = \"svc\"\nsecret = \"{Secret}\"\nproject_id = 7\nregion = \"us\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var outcome = await ProcessRunner.RunMcpAsync(new Dictionary<string, string?> { ["HOME"] = home }, "--account", "staging");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.StandardError, Does.Contain("staging").And.Contain("prod"));
        Assert.That(outcome.StandardError, Does.Not.Contain(Secret));
    }

    [Test]
    public async Task Run_BadOption_ExitsWithUsageError()
    {
        var outcome = await ProcessRunner.RunMcpAsync(new Dictionary<string, string?> { ["HOME"] = EmptyHome() }, "--toolsets", "nope");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.StandardError, Does.Contain("Unknown toolset"));
        Assert.That(outcome.StandardOutput, Is.Empty);
    }
}
