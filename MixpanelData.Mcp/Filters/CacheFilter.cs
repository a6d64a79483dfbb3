using System.Collections.Concurrent;
using System.Text.Json;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Mcp.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// Reuses successful answers of discovery tools (marked <see cref="CacheableAttribute"/>) for five minutes, keyed by
/// account, project, tool and arguments. Errors are never cached.
/// </summary>
internal sealed class CacheFilter(WorkspaceHolder workspaces, TimeProvider time)
{
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, CallToolResult Result)> _entries = new();

    public McpRequestFilter<CallToolRequestParams, CallToolResult> Create() => next => async (context, cancellationToken) =>
    {
        if (context.MatchedPrimitive is not McpServerTool tool || !tool.Metadata.OfType<CacheableAttribute>().Any())
        {
            return await next(context, cancellationToken).ConfigureAwait(false);
        }

        var key = Key(context.Params?.Name, context.Params?.Arguments);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var hit) && hit.Expires > now)
        {
            return hit.Result;
        }

        var result = await next(context, cancellationToken).ConfigureAwait(false);
        if (result.IsError != true)
        {
            _entries[key] = (now + Duration, result);
        }

        return result;
    };

    public void Clear() => _entries.Clear();

    private string Key(string? tool, IDictionary<string, JsonElement>? arguments)
    {
        var workspace = workspaces.Current;
        var args = arguments is null ? string.Empty : string.Join("&", arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value.GetRawText()));
        return $"{workspace.Account.Name}|{workspace.ProjectId}|{tool}|{args}";
    }
}
