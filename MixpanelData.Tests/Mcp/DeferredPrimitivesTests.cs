using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Mcp.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Tests.Mcp;

/// <summary>
/// The server's tools, resources and prompts are registered deferred (<see cref="DeferredRegistration"/>) so that none is
/// created before the <c>initialize</c> response. These tests compose the real server (every toolset and the conformance
/// fixtures) and hold the deferred primitives against what the SDK's own eager registration
/// (<c>WithToolsFromAssembly</c> and friends, which create every primitive at start) makes of the same classes.
/// </summary>
public sealed class DeferredPrimitivesTests
{
    private static readonly ServerSettings Everything = new() { Demo = true, ConformanceFixtures = true };

    private readonly List<WorkspaceHolder> _holders = [];

    [Test]
    public async Task ComposingTheServerOptions_CreatesNoToolResourceOrPrompt()
    {
        await using var services = Compose(Everything);

        var options = services.GetRequiredService<IOptions<McpServerOptions>>().Value;

        var tools = options.ToolCollection!.OfType<DeferredTool>().ToList();
        var resources = options.ResourceCollection!.OfType<DeferredResource>().ToList();
        var prompts = options.PromptCollection!.OfType<DeferredPrompt>().ToList();
        Assert.That(tools, Has.Count.EqualTo(options.ToolCollection!.Count).And.Count.GreaterThan(40), "every tool is deferred");
        Assert.That(resources, Has.Count.EqualTo(options.ResourceCollection!.Count).And.Count.GreaterThan(5), "every resource is deferred");
        Assert.That(prompts, Has.Count.EqualTo(options.PromptCollection!.Count).And.Count.GreaterThan(0), "every prompt is deferred");
        Assert.That(tools.Where(t => t.IsCreated).Select(t => t.Name), Is.Empty);
        Assert.That(resources.Where(r => r.IsCreated).Select(r => r.UriTemplate), Is.Empty);
        Assert.That(prompts.Where(p => p.IsCreated).Select(p => p.Name), Is.Empty);
    }

    [Test]
    public async Task DeferredTools_ListExactlyWhatTheSdkCreatesFromTheSameClasses()
    {
        await using var services = Compose(Everything);
        await using var eager = Eager();

        var deferred = services.GetServices<McpServerTool>().Cast<DeferredTool>().ToDictionary(t => t.Name);
        var sdk = eager.GetServices<McpServerTool>().ToDictionary(t => t.ProtocolTool.Name);

        Assert.That(deferred.Keys, Is.EquivalentTo(sdk.Keys));
        foreach (var (name, tool) in sdk)
        {
            // The server sends compact input schemas (ToolSchemas), whichever way the tool was created.
            tool.ProtocolTool.InputSchema = ToolSchemas.Compact(tool.ProtocolTool.InputSchema);
            Assert.That(Json(deferred[name].ProtocolTool), Is.EqualTo(Json(tool.ProtocolTool)), name);

            // The SDK reshapes output schemas for pre-2026 clients only for its own tool type, so a deferred tool must have none.
            Assert.That(tool.ProtocolTool.OutputSchema, Is.Null, $"{name}: no output schema");
            Assert.That(deferred[name].Destructive, Is.EqualTo(tool.ProtocolTool.Annotations?.DestructiveHint == true), $"{name}: destructive, read from the attribute");
            Assert.That(deferred[name].Toolset, Is.EqualTo(tool.Metadata.OfType<ToolsetAttribute>().SingleOrDefault()?.Name), $"{name}: toolset");
            Assert.That(deferred[name].Metadata.Select(m => m.GetType()), Is.EqualTo(tool.Metadata.Select(m => m.GetType())), $"{name}: metadata the filters read");
        }
    }

    [Test]
    public async Task DeferredResourcesAndPrompts_MatchWhatTheSdkCreatesFromTheSameClasses()
    {
        await using var services = Compose(Everything);
        await using var eager = Eager();

        var deferred = services.GetServices<McpServerResource>().Cast<DeferredResource>().ToDictionary(r => r.UriTemplate);
        var sdk = eager.GetServices<McpServerResource>().ToList();
        var prompts = services.GetServices<McpServerPrompt>().Cast<DeferredPrompt>().ToDictionary(p => p.Name);
        var sdkPrompts = eager.GetServices<McpServerPrompt>().ToDictionary(p => p.ProtocolPrompt.Name);

        // The attribute-made resources are the SDK's; the skill guides (made from the embedded files) come on top.
        Assert.That(deferred.Keys.Where(uri => !uri.StartsWith("skill://", StringComparison.Ordinal)), Is.EquivalentTo(sdk.Select(r => r.ProtocolResourceTemplate.UriTemplate)));
        Assert.That(deferred.Keys, Has.Some.StartsWith("skill://mp_mcp/"));
        foreach (var resource in sdk)
        {
            var mine = deferred[resource.ProtocolResourceTemplate.UriTemplate];
            Assert.That(Json(mine.ProtocolResourceTemplate), Is.EqualTo(Json(resource.ProtocolResourceTemplate)), mine.UriTemplate);
            Assert.That(mine.IsTemplated, Is.EqualTo(resource.IsTemplated), mine.UriTemplate);
            Assert.That(mine.Toolset, Is.EqualTo(resource.Metadata.OfType<ToolsetAttribute>().SingleOrDefault()?.Name), mine.UriTemplate);
        }

        foreach (var skill in deferred.Values.Where(r => r.UriTemplate.StartsWith("skill://", StringComparison.Ordinal)))
        {
            Assert.That(skill.ProtocolResourceTemplate.UriTemplate, Is.EqualTo(skill.UriTemplate));
            Assert.That(skill.IsMatch(skill.UriTemplate), Is.True, skill.UriTemplate);
        }

        Assert.That(prompts.Keys, Is.EquivalentTo(sdkPrompts.Keys));
        foreach (var (name, prompt) in sdkPrompts)
        {
            Assert.That(Json(prompts[name].ProtocolPrompt), Is.EqualTo(Json(prompt.ProtocolPrompt)), name);
        }
    }

    [Test]
    public async Task ReadOnlyAndToolsets_AreDecidedWithoutCreatingTools_AndHideWhatTheAnnotationsSay()
    {
        await using var services = Compose(new ServerSettings { Demo = true, ReadOnly = true, Toolsets = ["local", "discovery", "fetch"] });
        await using var eager = Eager();

        var options = services.GetRequiredService<IOptions<McpServerOptions>>().Value;
        var listed = options.ToolCollection!.Cast<DeferredTool>().ToList();
        Assert.That(listed.Where(t => t.IsCreated).Select(t => t.Name), Is.Empty);

        // Expected from the SDK's own tools: in those toolsets or in none (but not the progressive mode's toolsets tool,
        // nor the conformance fixtures, not asked for here), and not destructive unless the store refuses the writes.
        var expected = eager.GetServices<McpServerTool>()
            .Where(t => t.Metadata.OfType<ToolsetAttribute>().SingleOrDefault()?.Name is "local" or "discovery" or "fetch" or null)
            .Where(t => t.ProtocolTool.Name != "toolsets" && !t.ProtocolTool.Name.StartsWith("test_", StringComparison.Ordinal))
            .Where(t => t.ProtocolTool.Annotations?.DestructiveHint != true || t.ProtocolTool.Name is "sql" or "sql_scalar")
            .Select(t => t.ProtocolTool.Name);
        Assert.That(listed.Select(t => t.Name), Is.EquivalentTo(expected));
        Assert.That(listed.Select(t => t.Name), Does.Contain("sql").And.Not.Contain("drop_table").And.Not.Contain("toolsets"));
    }

    [TearDown]
    public async Task DisposeWorkspaces()
    {
        foreach (var holder in _holders)
        {
            await holder.DisposeAsync();
        }
    }

    private ServiceProvider Compose(ServerSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var holder = new WorkspaceHolder(Workspace.OpenDemo(), _ => throw new InvalidOperationException("no accounts in this test"));
        _holders.Add(holder);
        services.AddMixpanelMcp(settings, holder, TextWriter.Null);
        return services.BuildServiceProvider();
    }

    // The SDK's eager registration of every attributed class in mp_mcp (the real and the conformance ones).
    private static ServiceProvider Eager()
    {
        var assembly = typeof(DeferredTool).Assembly;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMcpServer().WithToolsFromAssembly(assembly).WithResourcesFromAssembly(assembly).WithPromptsFromAssembly(assembly);
        return services.BuildServiceProvider();
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, McpJsonUtilities.DefaultOptions);
}
