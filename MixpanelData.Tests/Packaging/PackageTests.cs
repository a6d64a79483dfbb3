using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Packaging;

/// <summary>
/// SPEC §8: `dotnet pack` of both projects into a temporary local feed, then the packages used the way people use them:
/// the tool installed with `dotnet tool install` and run by `dnx`, each driven over stdio by the SDK's real client, and a
/// fresh console app that references the library from the feed. Restores are offline (the feed plus this machine's
/// global packages folder) into a private packages folder, so no cache outside the temp folder is touched.
/// The library is packed from this test run's build (--no-build); the tool is packed as for a release (-c Release, its
/// RID-specific packages built by the pack).
/// </summary>
[NonParallelizable]
public sealed class PackageTests
{
    private const string Version = "0.1.0-packtest";
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(5);

    private string _root = "";
    private string _feed = "";
    private string _config = "";
    private readonly ConcurrentQueue<string> _stderr = new();

    [OneTimeSetUp]
    public async Task PackIntoLocalFeedAsync()
    {
        var clock = Stopwatch.StartNew();
        _root = Path.Combine(Path.GetTempPath(), "mp-pack-" + Guid.NewGuid().ToString("N")[..10]);
        _feed = Path.Combine(_root, "feed");
        Directory.CreateDirectory(_feed);

        var locals = await DotnetCli.RunAsync(_root, new Dictionary<string, string?>(), TimeSpan.FromMinutes(1), "nuget", "locals", "global-packages", "--list");
        var machinePackages = locals.EnsureSuccess("dotnet nuget locals").Output.Split(':', 2)[1].Trim();
        _config = Path.Combine(_root, "nuget.config");
        await File.WriteAllTextAsync(_config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="under-test" value="{_feed}" />
                <add key="machine-packages" value="{machinePackages}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="under-test"><package pattern="MixpanelData*" /></packageSource>
                <packageSource key="machine-packages"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        (await DotnetCli.RunAsync(DotnetCli.RepositoryRoot, new Dictionary<string, string?>(), Slow,
            "pack", Path.Combine("MixpanelData", "MixpanelData.csproj"), "--no-build", "-c", DotnetCli.Configuration, "-o", _feed,
            "-p:PackageVersion=" + Version, "--disable-build-servers", "-nodeReuse:false"))
            .EnsureSuccess("dotnet pack MixpanelData");
        // The tool exactly as `dotnet pack -c Release` makes it for release: the pointer package, the self-contained
        // composite ReadyToRun linux-x64 package and the portable one. It builds its own RID-specific outputs.
        (await DotnetCli.RunAsync(DotnetCli.RepositoryRoot, new Dictionary<string, string?>(), TimeSpan.FromMinutes(15),
            "pack", Path.Combine("MixpanelData.Mcp", "MixpanelData.Mcp.csproj"), "-c", "Release", "-o", _feed,
            "-p:PackageVersion=" + Version, "--disable-build-servers", "-nodeReuse:false"))
            .EnsureSuccess("dotnet pack MixpanelData.Mcp");
        TestContext.Progress.WriteLine($"PackageTests: packed both in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [OneTimeTearDown]
    public void DeleteTemporaryFolder()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ZipArchive Open(string package) => ZipFile.OpenRead(package);

    private static XElement Metadata(ZipArchive package, string id)
    {
        using var stream = package.GetEntry(id + ".nuspec")!.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static XElement? Child(XElement parent, string name) => parent.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    private static void AssertElfLibrary(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path);
        Assert.That(entry, Is.Not.Null, path + " is in the package");
        Assert.That(entry!.Length, Is.GreaterThan(20_000_000), path + " is the real DuckDB library, not a stub");
        using var stream = entry.Open();
        var magic = new byte[4];
        stream.ReadExactly(magic);
        Assert.That(magic, Is.EqualTo(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), path + " is an ELF shared library");
    }

    [Test]
    public void LibraryPackage_HoldsAssemblyDocsAndMetadataAndGetsDuckDbThroughItsDependency()
    {
        using var package = Open(Path.Combine(_feed, $"MixpanelData.{Version}.nupkg"));
        var names = package.Entries.Select(e => e.FullName).ToList();

        Assert.That(names, Is.SupersetOf(new[] { "lib/net10.0/MixpanelData.dll", "lib/net10.0/MixpanelData.xml", "README.md" }));
        Assert.That(names, Has.None.StartsWith("runtimes/"), "DuckDB's natives come from the DuckDB.NET.Bindings.Full package, not from ours");
        using (var docs = new StreamReader(package.GetEntry("lib/net10.0/MixpanelData.xml")!.Open()))
        {
            Assert.That(docs.ReadToEnd(), Does.Contain("<member name=\"T:MixpanelData.Workspace\">"), "XML docs describe the public API");
        }
        var metadata = Metadata(package, "MixpanelData");
        Assert.That(Child(metadata, "id")!.Value, Is.EqualTo("MixpanelData"));
        Assert.That(Child(metadata, "version")!.Value, Is.EqualTo(Version));
        Assert.That(Child(metadata, "authors")!.Value, Is.Not.Empty);
        Assert.That(Child(metadata, "description")!.Value, Does.Contain("Mixpanel"));
        Assert.That(Child(metadata, "license")!.Attribute("type")!.Value, Is.EqualTo("expression"));
        Assert.That(Child(metadata, "license")!.Value, Is.EqualTo("MIT"));
        Assert.That(Child(metadata, "readme")!.Value, Is.EqualTo("README.md"));
        Assert.That(Child(metadata, "repository"), Is.Null, "the package names no repository");
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
        Assert.That(dependencies.Keys, Does.Contain("Polly.Core"));
        Assert.That(dependencies.GetValueOrDefault("DuckDB.NET.Data.Full"), Is.EqualTo("1.5.6.1"), "DuckDB (engine and natives) is a package dependency");
    }

    [Test]
    public void ToolPackages_PointerNamesThePlatformPackages_LinuxIsSelfContainedComposite()
    {
        Assert.That(Directory.GetFiles(_feed, "MixpanelData.Mcp*.nupkg").Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            $"MixpanelData.Mcp.{Version}.nupkg", $"MixpanelData.Mcp.linux-x64.{Version}.nupkg", $"MixpanelData.Mcp.any.{Version}.nupkg",
        }));
        using (var pointer = Open(Path.Combine(_feed, $"MixpanelData.Mcp.{Version}.nupkg")))
        using (var settings = pointer.GetEntry("tools/any/any/DotnetToolSettings.xml")!.Open())
        {
            var document = XDocument.Load(settings);
            Assert.That(document.Descendants("Command").Single().Attribute("Name")!.Value, Is.EqualTo("mp_mcp"));
            Assert.That(document.Descendants("RuntimeIdentifierPackage").Select(p => p.Attribute("RuntimeIdentifier")!.Value + "=" + p.Attribute("Id")!.Value),
                Is.EquivalentTo(new[] { "linux-x64=MixpanelData.Mcp.linux-x64", "any=MixpanelData.Mcp.any" }));
            Assert.That(pointer.Entries.Where(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal)), Is.Empty, "the pointer package holds no code");
        }

        using var linux = Open(Path.Combine(_feed, $"MixpanelData.Mcp.linux-x64.{Version}.nupkg"));
        var names = linux.Entries.Select(e => e.FullName).ToList();
        Assert.That(names, Is.SupersetOf(new[] { "tools/any/linux-x64/mp_mcp", "tools/any/linux-x64/mp_mcp.dll", "tools/any/linux-x64/libcoreclr.so" }),
            "self-contained: the runtime travels with the tool");
        var composite = linux.GetEntry("tools/any/linux-x64/mp_mcp.r2r.dll");
        Assert.That(composite, Is.Not.Null, "one composite ReadyToRun image of the app and the framework");
        Assert.That(composite!.Length, Is.GreaterThan(50_000_000), "the composite image holds the framework's code too");
        AssertElfLibrary(linux, "tools/any/linux-x64/libduckdb.so");
        Assert.That(names, Has.None.Contains("duckdb.dll").And.None.Contains("libduckdb.dylib").And.None.Contains("linux-arm64"), "only Linux x64's DuckDB");
        using (var reader = new StreamReader(linux.GetEntry("tools/any/linux-x64/mp_mcp.runtimeconfig.json")!.Open()))
        {
            var options = JsonDocument.Parse(reader.ReadToEnd()).RootElement.GetProperty("runtimeOptions");
            Assert.That(options.TryGetProperty("includedFrameworks", out _), Is.True, "a self-contained app lists the frameworks it includes");
            Assert.That(options.TryGetProperty("framework", out _) || options.TryGetProperty("frameworks", out _), Is.False, "and needs no shared framework");
        }
    }

    [Test]
    public void ToolPackage_IsADotnetToolAndAnMcpServerWithItsManifest()
    {
        using var pointer = Open(Path.Combine(_feed, $"MixpanelData.Mcp.{Version}.nupkg"));
        var metadata = Metadata(pointer, "MixpanelData.Mcp");

        Assert.That(Child(metadata, "id")!.Value, Is.EqualTo("MixpanelData.Mcp"));
        Assert.That(metadata.Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")!.Value),
            Is.EquivalentTo(new[] { "DotnetTool", "McpServer" }));
        Assert.That(Child(metadata, "repository"), Is.Null);

        using var package = Open(Path.Combine(_feed, $"MixpanelData.Mcp.any.{Version}.nupkg"));
        var names = package.Entries.Select(e => e.FullName).ToList();
        using (var settings = package.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open())
        {
            var command = XDocument.Load(settings).Descendants("Command").Single();
            Assert.That(command.Attribute("Name")!.Value, Is.EqualTo("mp_mcp"));
            Assert.That(command.Attribute("EntryPoint")!.Value, Is.EqualTo("mp_mcp.dll"));
        }
        // The fallback tool is portable: its publish carries every platform DuckDB.NET.Bindings.Full ships (the build
        // output folders keep only the build machine's, see Directory.Build.targets).
        AssertElfLibrary(package, "tools/net10.0/any/runtimes/linux-x64/native/libduckdb.so");
        AssertElfLibrary(package, "tools/net10.0/any/runtimes/linux-arm64/native/libduckdb.so");
        Assert.That(names, Is.SupersetOf(new[]
        {
            "tools/net10.0/any/runtimes/osx/native/libduckdb.dylib", "tools/net10.0/any/runtimes/win-x64/native/duckdb.dll", "tools/net10.0/any/runtimes/win-arm64/native/duckdb.dll",
        }), "macOS and Windows (where most Claude Desktop users are) get DuckDB too");
        Assert.That(names, Has.None.Matches<string>(n => Regex.IsMatch(n ?? "", @"^tools/net10\.0/any/(lib)?duckdb\.(so|dylib|dll)$")),
            "no single-platform library at the tool's root");

        string text;
        using (var reader = new StreamReader(pointer.GetEntry(".mcp/server.json")!.Open()))
        {
            text = reader.ReadToEnd();
        }
        Assert.That(text, Does.Not.Contain("${"), "every placeholder was filled in at pack time");
        using var manifest = JsonDocument.Parse(text);
        var server = manifest.RootElement;
        Assert.That(server.GetProperty("$schema").GetString(), Does.Match(@"^https://static\.modelcontextprotocol\.io/schemas/\d{4}-\d{2}-\d{2}/server\.schema\.json$"));
        Assert.That(server.GetProperty("name").GetString(), Does.Match(@"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$"), "the schema's reverse-DNS name pattern");
        Assert.That(server.GetProperty("description").GetString()!.Length, Is.InRange(1, 100), "the schema's description limit");
        Assert.That(server.GetProperty("version").GetString(), Is.EqualTo(Version));
        var entry = server.GetProperty("packages").EnumerateArray().Single();
        Assert.That(entry.GetProperty("registryType").GetString(), Is.EqualTo("nuget"));
        Assert.That(entry.GetProperty("identifier").GetString(), Is.EqualTo("MixpanelData.Mcp"));
        Assert.That(entry.GetProperty("version").GetString(), Is.EqualTo(Version));
        Assert.That(entry.GetProperty("transport").GetProperty("type").GetString(), Is.EqualTo("stdio"));
        var demo = entry.GetProperty("packageArguments").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "--demo");
        Assert.That(demo.GetProperty("isRequired").GetBoolean(), Is.False);
        var variables = entry.GetProperty("environmentVariables").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Assert.That(variables.Keys, Is.EquivalentTo(new[] { "MP_USERNAME", "MP_SECRET", "MP_PROJECT_ID", "MP_REGION" }));
        Assert.That(variables["MP_SECRET"].GetProperty("isSecret").GetBoolean(), Is.True);
        Assert.That(variables["MP_REGION"].GetProperty("choices").EnumerateArray().Select(c => c.GetString()), Is.EquivalentTo(new[] { "us", "eu", "in" }));
    }

    private async Task<McpClient> ConnectAsync(string command, IReadOnlyList<string> arguments, string packagesFolder)
    {
        var clock = Stopwatch.StartNew();
        var home = await SharedDemo.HomeAsync();
        TestContext.Progress.WriteLine($"PackageTests: demo home ready after {clock.Elapsed.TotalSeconds:0.0} s");
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["DOTNET_ROOT"] = DotnetCli.DotnetRoot,
            ["NUGET_PACKAGES"] = packagesFolder,
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["MP_CONFIG_PATH"] = Path.Combine(home, "no-config.toml"),
        };
        foreach (var name in DotnetCli.InheritedNoise())
        {
            environment.TryAdd(name, null);
        }
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = command,
            Arguments = [.. arguments],
            EnvironmentVariables = environment,
            StandardErrorLines = line => _stderr.Enqueue(line),
            Name = "packaged mp_mcp",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // The handshake Claude Desktop and most clients use. (A default 2.3.1 client probes with server/discover and
        // falls back to initialize after a short wait; a server still starting under dnx answers the probe late and
        // then refuses the initialize that followed it.)
        var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = "2025-06-18" }, cancellationToken: timeout.Token);
        TestContext.Progress.WriteLine($"PackageTests: {command} {string.Join(' ', arguments)} connected after {clock.Elapsed.TotalSeconds:0.0} s");
        return client;
    }

    private static async Task AssertServesDemoWithDuckDbAsync(McpClient client)
    {
        Assert.That(client.ServerInfo?.Name, Is.EqualTo("mp_mcp"));
        var info = await client.CallToolAsync("workspace_info");
        Assert.That(info.IsError, Is.Not.True, string.Join("\n", info.Content.OfType<TextContentBlock>().Select(t => t.Text)));
        Assert.That(info.StructuredContent!.Value.GetProperty("demo").GetBoolean(), Is.True);

        var scalar = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = "SELECT 42" });
        Assert.That(scalar.IsError, Is.Not.True, string.Join("\n", scalar.Content.OfType<TextContentBlock>().Select(t => t.Text)));
        Assert.That(scalar.StructuredContent!.Value.GetProperty("value").GetInt64(), Is.EqualTo(42), "DuckDB's native library loaded from the package");
    }

    [Test]
    public async Task InstalledTool_ServesTheDemoOverStdio()
    {
        var tools = Path.Combine(_root, "tools");
        var packages = Path.Combine(_root, "tool-packages");
        (await DotnetCli.RunAsync(_root, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages }, Slow,
            "tool", "install", "--tool-path", tools, "--configfile", _config, "MixpanelData.Mcp", "--version", Version))
            .EnsureSuccess("dotnet tool install");
        var launcher = Path.Combine(tools, OperatingSystem.IsWindows() ? "mp_mcp.exe" : "mp_mcp");
        Assert.That(File.Exists(launcher), Is.True, "the tool's command is mp_mcp");
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.That(Directory.Exists(Path.Combine(tools, ".store", "mixpaneldata.mcp", Version, "mixpaneldata.mcp.linux-x64")), Is.True,
                "dotnet tool install picked the precompiled Linux x64 package");
        }

        await using var client = await ConnectAsync(launcher, ["--demo"], packages);

        await AssertServesDemoWithDuckDbAsync(client);
    }

    [Test]
    public async Task Dnx_RunsTheServerStraightFromTheFeed()
    {
        var packages = Path.Combine(_root, "dnx-packages");
        await using var client = await ConnectAsync("dotnet",
            ["dnx", $"MixpanelData.Mcp@{Version}", "--yes", "--configfile", _config, "--", "--demo"], packages);

        await AssertServesDemoWithDuckDbAsync(client);
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.That(Directory.Exists(Path.Combine(packages, "mixpaneldata.mcp.linux-x64")), Is.True, "dnx picked the precompiled Linux x64 package");
        }
    }

    private Task<string>? _consumer;

    /// <summary>Builds (once) a fresh console app that references MixpanelData from the feed; returns its output folder.</summary>
    private Task<string> ConsumerAsync() => _consumer ??= BuildConsumerAsync();

    private async Task<string> BuildConsumerAsync()
    {
        var app = Path.Combine(_root, "consumer");
        Directory.CreateDirectory(app);
        // Fence the temp folder off from any MSBuild or NuGet settings above it.
        await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.props"), "<Project><PropertyGroup><ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps></PropertyGroup></Project>");
        await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.targets"), "<Project />");
        File.Copy(_config, Path.Combine(app, "nuget.config"));
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MixpanelData" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using MixpanelData.Storage;

            var path = Path.Combine(args[0], "consumer-" + Guid.NewGuid().ToString("N") + ".duckdb");
            await using (var store = LocalStore.Open(new LocalStoreOptions { Path = path }))
            {
                await store.SqlAsync("CREATE TABLE numbers AS SELECT range AS n FROM range(10)");
            }
            await using (var store = LocalStore.Open(new LocalStoreOptions { Path = path }))
            {
                var sum = await store.SqlScalarAsync("SELECT sum(n) FROM numbers");
                var json = await store.SqlScalarAsync("SELECT json_extract_string('{\"plan\": \"pro\"}', '$.plan')");
                Console.WriteLine($"sum={sum} json={json} duckdb={LocalStore.DuckDbVersion}");
            }
            // Which DuckDB file the process mapped (Linux).
            if (File.Exists("/proc/self/maps"))
            {
                foreach (var file in File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 6 && f[^1].Contains("duckdb", StringComparison.Ordinal)).Select(f => f[^1]).Distinct())
                {
                    Console.WriteLine("loaded=" + file);
                }
            }
            """);
        (await DotnetCli.RunAsync(app, ConsumerEnvironment(), Slow, "build", "-c", "Release", "--disable-build-servers", "-nodeReuse:false"))
            .EnsureSuccess("building the consumer app");
        return Path.Combine(app, "bin", "Release", "net10.0");
    }

    private Dictionary<string, string?> ConsumerEnvironment() => new() { ["NUGET_PACKAGES"] = Path.Combine(_root, "consumer-packages") };

    private async Task<DotnetCli.Outcome> RunConsumerAsync(string output) =>
        await DotnetCli.RunAsync(_root, ConsumerEnvironment(), TimeSpan.FromMinutes(2), Path.Combine(output, "Consumer.dll"), _root);

    [Test]
    public async Task ConsumerApp_ReferencingThePackage_QueriesDuckDbThroughThePublicApi()
    {
        var output = await ConsumerAsync();
        Assert.That(File.Exists(Path.Combine(output, "runtimes", "linux-x64", "native", "libduckdb.so")), Is.True,
            "the library's native asset lands in NuGet's runtimes layout of the app");

        var run = (await RunConsumerAsync(output)).EnsureSuccess("running the consumer app");

        Assert.That(run.Output, Does.Contain("sum=45 json=pro duckdb=v1.5."), run.Output);
        if (OperatingSystem.IsLinux())
        {
            Assert.That(run.Output, Does.Contain("loaded=" + Path.Combine(output, "runtimes", "linux-x64", "native", "libduckdb.so")), run.Output);
        }
    }
}
