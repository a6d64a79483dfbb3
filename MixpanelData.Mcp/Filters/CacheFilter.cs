using System.Collections.Concurrent;
using System.Text.Json;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Mcp.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// Reuses successful answers of discovery tools and of resources that ask Mixpanel (both marked
/// <see cref="CacheableAttribute"/>) for five minutes, keyed by account, project, and tool and arguments or resource URI.
/// Errors are never cached. A request answered from the cache is marked so the audit line can say so.
/// </summary>
internal sealed class CacheFilter(WorkspaceHolder workspaces, TimeProvider time)
{
    private const string HitKey = "mp_mcp.cache_hit";
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, object Result)> _entries = new();

    /// <summary>Whether the cache answered this request.</summary>
    public static bool WasHit(MessageContext context) => context.Items.TryGetValue(HitKey, out var hit) && hit is true;

    public McpRequestFilter<CallToolRequestParams, CallToolResult> Create() => next => async (context, cancellationToken) =>
    {
        if (context.MatchedPrimitive is not McpServerTool tool || !tool.Metadata.OfType<CacheableAttribute>().Any())
        {
            return await next(context, cancellationToken).ConfigureAwait(false);
        }

        return await GetOrAddAsync(context, "tool|" + context.Params?.Name + "|" + Arguments(context.Params?.Arguments), r => r.IsError != true, () => next(context, cancellationToken)).ConfigureAwait(false);
    };

    public McpRequestFilter<ReadResourceRequestParams, ReadResourceResult> CreateForResources() => next => async (context, cancellationToken) =>
    {
        if (context.MatchedPrimitive is not McpServerResource resource || !resource.Metadata.OfType<CacheableAttribute>().Any())
        {
            return await next(context, cancellationToken).ConfigureAwait(false);
        }

        return await GetOrAddAsync(context, "resource|" + context.Params?.Uri, _ => true, () => next(context, cancellationToken)).ConfigureAwait(false);
    };

    public void Clear() => _entries.Clear();

    private async ValueTask<T> GetOrAddAsync<T>(MessageContext context, string subject, Func<T, bool> keep, Func<ValueTask<T>> load)
        where T : class
    {
        var workspace = workspaces.Current;
        var key = $"{workspace.Account.Name}|{workspace.ProjectId}|{subject}";
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var hit) && hit.Expires > now && hit.Result is T cached)
        {
            context.Items[HitKey] = true;
            return cached;
        }

        var result = await load().ConfigureAwait(false);
        if (keep(result))
        {
            _entries[key] = (now + Duration, result);
        }

        return result;
    }

    private static string Arguments(IDictionary<string, JsonElement>? arguments) =>
        arguments is null ? string.Empty : string.Join("&", arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value.GetRawText()));
}
