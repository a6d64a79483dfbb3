using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Mcp.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Hosting;

/// <summary>
/// A tool whose SDK tool (<c>McpServerTool.Create</c>: reflection over the method's parameters and a JSON schema built
/// for them) is created the first time the tool is listed or called, not when the server starts: creating the tools,
/// resources and prompts took about a third of the start before the <c>initialize</c> response. What the server needs
/// before that — the name (the collection's key), the toolset and whether the tool is destructive
/// (<see cref="McpComposition.ApplyPolicy"/>) — comes from the attributes. The SDK tool is created once per process
/// and shared by every server options object (every HTTP session); its input schema is made compact then
/// (<see cref="ToolSchemas.Compact"/>).
/// </summary>
internal sealed class DeferredTool(string name, string? toolset, bool destructive, Func<McpServerTool> create) : McpServerTool, IMcpServerPrimitive
{
    private readonly Lazy<McpServerTool> _tool = new(() => Compacted(create()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The tool's name on the wire.</summary>
    public string Name { get; } = name;

    /// <summary>The toolset of the tool (its class's <see cref="ToolsetAttribute"/>), or null.</summary>
    public string? Toolset { get; } = toolset;

    /// <summary>Whether the tool announces itself as destructive (<c>destructiveHint: true</c>).</summary>
    public bool Destructive { get; } = destructive;

    /// <summary>Whether the SDK tool has been created (listed or called).</summary>
    public bool IsCreated => _tool.IsValueCreated;

    /// <summary>The SDK tool, created now if it was not yet.</summary>
    public McpServerTool Created => _tool.Value;

    public override Tool ProtocolTool => _tool.Value.ProtocolTool;

    public override IReadOnlyList<object> Metadata => _tool.Value.Metadata;

    // The collection's key, known without creating the tool.
    string IMcpServerPrimitive.Id => Name;

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default) =>
        _tool.Value.InvokeAsync(request, cancellationToken);

    public override string ToString() => Name;

    private static McpServerTool Compacted(McpServerTool tool)
    {
        tool.ProtocolTool.InputSchema = ToolSchemas.Compact(tool.ProtocolTool.InputSchema);
        return tool;
    }
}

/// <summary>A resource (or resource template) created on its first listing or read; see <see cref="DeferredTool"/>.</summary>
internal sealed class DeferredResource(string uriTemplate, string? toolset, Func<McpServerResource> create) : McpServerResource, IMcpServerPrimitive
{
    private readonly Lazy<McpServerResource> _resource = new(create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The resource's URI or URI template.</summary>
    public string UriTemplate { get; } = uriTemplate;

    /// <summary>The toolset of the resource (its class's <see cref="ToolsetAttribute"/>), or null.</summary>
    public string? Toolset { get; } = toolset;

    /// <summary>Whether the SDK resource has been created (listed or read).</summary>
    public bool IsCreated => _resource.IsValueCreated;

    /// <summary>The SDK resource, created now if it was not yet.</summary>
    public McpServerResource Created => _resource.Value;

    public override ResourceTemplate ProtocolResourceTemplate => _resource.Value.ProtocolResourceTemplate;

    public override Resource? ProtocolResource => _resource.Value.ProtocolResource;

    public override IReadOnlyList<object> Metadata => _resource.Value.Metadata;

    string IMcpServerPrimitive.Id => UriTemplate;

    public override bool IsMatch(string uri) => _resource.Value.IsMatch(uri);

    public override ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken = default) =>
        _resource.Value.ReadAsync(request, cancellationToken);

    public override string ToString() => UriTemplate;
}

/// <summary>A prompt created on its first listing or use; see <see cref="DeferredTool"/>.</summary>
internal sealed class DeferredPrompt(string name, Func<McpServerPrompt> create) : McpServerPrompt, IMcpServerPrimitive
{
    private readonly Lazy<McpServerPrompt> _prompt = new(create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The prompt's name on the wire.</summary>
    public string Name { get; } = name;

    /// <summary>Whether the SDK prompt has been created (listed or used).</summary>
    public bool IsCreated => _prompt.IsValueCreated;

    /// <summary>The SDK prompt, created now if it was not yet.</summary>
    public McpServerPrompt Created => _prompt.Value;

    public override Prompt ProtocolPrompt => _prompt.Value.ProtocolPrompt;

    public override IReadOnlyList<object> Metadata => _prompt.Value.Metadata;

    string IMcpServerPrimitive.Id => Name;

    public override ValueTask<GetPromptResult> GetAsync(RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken = default) =>
        _prompt.Value.GetAsync(request, cancellationToken);

    public override string ToString() => Name;
}

/// <summary>
/// Registers tool, resource and prompt classes the way the SDK's <c>WithTools&lt;T&gt;()</c>, <c>WithResources&lt;T&gt;()</c>
/// and <c>WithPrompts&lt;T&gt;()</c> do (each attributed method; an instance of <c>T</c> per request, its constructor's
/// services from the request's services), as deferred primitives: nothing is created before its first use.
/// Every primitive must name itself in its attribute (Name, or UriTemplate for resources). Two things the SDK does only
/// for its own primitive types, so deferred ones must not need them: reshaping a tool's output schema for pre-2026-07-28
/// clients (no tool here has one; <c>DeferredPrimitivesTests</c> checks) and offering completions from
/// <c>[AllowedValues]</c> parameters (none here uses it).
/// </summary>
internal static class DeferredRegistration
{
    private const BindingFlags AllMethods = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
    private const DynamicallyAccessedMemberTypes Members = DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods | DynamicallyAccessedMemberTypes.PublicConstructors;

    public static IMcpServerBuilder WithDeferredTools<[DynamicallyAccessedMembers(Members)] T>(this IMcpServerBuilder builder)
    {
        var toolset = typeof(T).GetCustomAttribute<ToolsetAttribute>()?.Name;
        foreach (var method in typeof(T).GetMethods(AllMethods))
        {
            if (AttributeArguments.Of<McpServerToolAttribute>(method) is not { } attribute)
            {
                continue;
            }

            var name = attribute.Named<string>(nameof(McpServerToolAttribute.Name)) ?? throw Unnamed(method, "[McpServerTool(Name = ...)]");

            // The SDK sets destructiveHint only from an explicit Destructive; a read-only tool is never destructive.
            var destructive = !attribute.Named<bool>(nameof(McpServerToolAttribute.ReadOnly)) && attribute.Named<bool>(nameof(McpServerToolAttribute.Destructive));
            builder.Services.AddSingleton<McpServerTool>(services => new DeferredTool(name, toolset, destructive, () => method.IsStatic
                ? McpServerTool.Create(method, (object?)null, new McpServerToolCreateOptions { Services = services })
                : McpServerTool.Create(method, request => Target<T>(request.Services ?? services), new McpServerToolCreateOptions { Services = services })));
        }

        return builder;
    }

    public static IMcpServerBuilder WithDeferredResources<[DynamicallyAccessedMembers(Members)] T>(this IMcpServerBuilder builder)
    {
        var toolset = typeof(T).GetCustomAttribute<ToolsetAttribute>()?.Name;
        foreach (var method in typeof(T).GetMethods(AllMethods))
        {
            if (AttributeArguments.Of<McpServerResourceAttribute>(method) is not { } attribute)
            {
                continue;
            }

            var uri = attribute.Named<string>(nameof(McpServerResourceAttribute.UriTemplate)) ?? throw Unnamed(method, "[McpServerResource(UriTemplate = ...)]");
            builder.Services.AddSingleton<McpServerResource>(services => new DeferredResource(uri, toolset, () => method.IsStatic
                ? McpServerResource.Create(method, (object?)null, new McpServerResourceCreateOptions { Services = services })
                : McpServerResource.Create(method, request => Target<T>(request.Services ?? services), new McpServerResourceCreateOptions { Services = services })));
        }

        return builder;
    }

    public static IMcpServerBuilder WithDeferredResources(this IMcpServerBuilder builder, IEnumerable<DeferredResource> resources)
    {
        foreach (var resource in resources)
        {
            builder.Services.AddSingleton<McpServerResource>(resource);
        }

        return builder;
    }

    public static IMcpServerBuilder WithDeferredPrompts<[DynamicallyAccessedMembers(Members)] T>(this IMcpServerBuilder builder)
    {
        foreach (var method in typeof(T).GetMethods(AllMethods))
        {
            if (AttributeArguments.Of<McpServerPromptAttribute>(method) is not { } attribute)
            {
                continue;
            }

            var name = attribute.Named<string>(nameof(McpServerPromptAttribute.Name)) ?? throw Unnamed(method, "[McpServerPrompt(Name = ...)]");
            builder.Services.AddSingleton<McpServerPrompt>(services => new DeferredPrompt(name, () => method.IsStatic
                ? McpServerPrompt.Create(method, (object?)null, new McpServerPromptCreateOptions { Services = services })
                : McpServerPrompt.Create(method, request => Target<T>(request.Services ?? services), new McpServerPromptCreateOptions { Services = services })));
        }

        return builder;
    }

    private static object Target<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(IServiceProvider services) =>
        ActivatorUtilities.CreateInstance(services, typeof(T));

    private static InvalidOperationException Unnamed(MethodInfo method, string attribute) =>
        new($"{method.DeclaringType?.Name}.{method.Name} must name itself: {attribute}.");
}

/// <summary>
/// An attribute's named arguments read from metadata (<see cref="CustomAttributeData"/>), without constructing the
/// attribute: constructing one sets each named property through reflection, and from the second call on the runtime
/// compiles an invoke stub per property — two dozen optimised JIT compilations on every start for the 46 tools.
/// </summary>
internal sealed class AttributeArguments(CustomAttributeData data)
{
    public static AttributeArguments? Of<TAttribute>(MemberInfo member) where TAttribute : Attribute
    {
        foreach (var data in member.GetCustomAttributesData())
        {
            if (data.AttributeType == typeof(TAttribute))
            {
                return new AttributeArguments(data);
            }
        }

        return null;
    }

    /// <summary>The named argument's value, or the type's default when the attribute does not set it.</summary>
    public T? Named<T>(string name)
    {
        foreach (var argument in data.NamedArguments)
        {
            if (argument.MemberName == name && argument.TypedValue.Value is T value)
            {
                return value;
            }
        }

        return default;
    }
}
