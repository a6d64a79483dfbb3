using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools;

/// <summary>
/// Progressive listing (<c>--progressive</c>, SPEC §4.9): the first <c>tools/list</c> holds only the core toolsets
/// (<see cref="Core"/>, plus the tools that belong to no toolset); the other configured toolsets are held back until
/// the <c>toolsets</c> tool enables them, which adds their tools to the listing and so sends
/// <c>notifications/tools/list_changed</c>. Enabling lasts for the server's life (every session of an HTTP server).
/// </summary>
internal sealed class ToolsetCatalog(bool progressive, IReadOnlyList<string> configured)
{
    /// <summary>Listed from the start in progressive mode: discovery and live queries answer most first questions.</summary>
    public static readonly IReadOnlyList<string> Core = ["discovery", "live"];

    private readonly ConcurrentDictionary<string, byte> _enabled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _names = new(StringComparer.Ordinal);

    // The tools held back from each server options object (one per stdio server or HTTP session; one per sessionless request).
    private readonly ConditionalWeakTable<McpServerOptions, ConcurrentDictionary<string, McpServerTool>> _held = new();

    public bool Progressive { get; } = progressive;

    public IReadOnlyList<string> Configured { get; } = configured;

    public bool IsEnabled(string toolset) => !Progressive || Core.Contains(toolset) || _enabled.ContainsKey(toolset);

    /// <summary>Notes that <paramref name="tool"/> belongs to <paramref name="toolset"/>; holds it back when not enabled.</summary>
    /// <returns>Whether the tool stays listed.</returns>
    public bool Place(McpServerOptions options, McpServerTool tool, string toolset)
    {
        // The primitive's id is its name, known without creating a deferred tool.
        var name = ((IMcpServerPrimitive)tool).Id;
        _names.GetOrAdd(toolset, _ => new(StringComparer.Ordinal))[name] = 0;
        if (IsEnabled(toolset))
        {
            return true;
        }

        _held.GetOrCreateValue(options)[name] = tool;
        return false;
    }

    /// <summary>Enables <paramref name="toolsets"/> and lists their held tools in <paramref name="options"/>' collection.</summary>
    /// <returns>The toolsets newly enabled.</returns>
    public IReadOnlyList<string> Enable(McpServerOptions options, IEnumerable<string> toolsets)
    {
        var enabled = new List<string>();
        foreach (var toolset in toolsets.Distinct(StringComparer.Ordinal))
        {
            if (!Configured.Contains(toolset))
            {
                throw new McpException($"Unknown toolset '{toolset}'; choose from {string.Join(", ", Configured)}.");
            }

            if (_enabled.TryAdd(toolset, 0) && !Core.Contains(toolset))
            {
                enabled.Add(toolset);
            }

            if (_held.TryGetValue(options, out var held) && options.ToolCollection is { } collection)
            {
                foreach (var name in ToolsOf(toolset))
                {
                    if (held.TryRemove(name, out var tool))
                    {
                        collection.Add(tool);
                    }
                }
            }
        }

        return enabled;
    }

    public IReadOnlyList<string> ToolsOf(string toolset) =>
        _names.TryGetValue(toolset, out var names) ? [.. names.Keys.Order(StringComparer.Ordinal)] : [];
}

/// <summary>The <c>toolsets</c> tool of progressive mode (absent otherwise).</summary>
[McpServerToolType]
internal sealed class ToolsetTools(ToolsetCatalog catalog)
{
    [McpServerTool(Name = "toolsets", Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Lists the toolsets and their tools, and enables more: only discovery and live are listed at first. Enabling adds the tools to tools/list (the client is notified).")]
    public CallToolResult Toolsets(
        McpServer server,
        [Description("Toolsets to enable, e.g. [\"local\",\"fetch\"]; omit to only list them.")] string[]? enable = null)
    {
        var added = enable is { Length: > 0 } ? catalog.Enable(server.ServerOptions, enable) : [];
        var toolsets = catalog.Configured.Select(name => new { name, enabled = catalog.IsEnabled(name), tools = catalog.ToolsOf(name) }).ToList();
        var summary = added.Count > 0
            ? $"Enabled {string.Join(", ", added)}; their tools are now listed."
            : $"Enabled: {string.Join(", ", toolsets.Where(t => t.enabled).Select(t => t.name))}. Enable others with enable=[…].";
        return ToolJson.Result(new { enabled_now = added, toolsets }, summary);
    }
}
