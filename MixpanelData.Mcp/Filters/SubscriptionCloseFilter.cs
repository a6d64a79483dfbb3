using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// The result that closes a <c>subscriptions/listen</c> request (<c>2026-07-28</c>) carries the subscription's id in
/// <c>_meta["io.modelcontextprotocol/subscriptionId"]</c>, as every notification of that subscription does, so a client
/// sharing one channel between several subscriptions knows which one ended. The SDK closes it with an empty result;
/// this pair of message filters remembers listen requests as they come in and tags their responses on the way out.
/// </summary>
internal sealed class SubscriptionCloseFilter
{
    // Keyed by the transport the request came on (an HTTP request's, or the stdio channel), which its response goes
    // back on: request ids are unique only per channel, and what a channel leaves open goes with it.
    private readonly ConditionalWeakTable<object, ConcurrentDictionary<RequestId, byte>> _open = new();
    private readonly object _unrouted = new();

    public McpMessageFilter Incoming() => next => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.SubscriptionsListen } request)
        {
            _open.GetOrCreateValue(Channel(request))[request.Id] = 0;
        }

        return next(context, cancellationToken);
    };

    public McpMessageFilter Outgoing() => next => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcMessageWithId { Id: var id } message && _open.TryGetValue(Channel(message), out var open) && open.TryRemove(id, out _)
            && message is JsonRpcResponse response)
        {
            var result = response.Result as JsonObject ?? new JsonObject();
            var meta = result["_meta"] as JsonObject ?? new JsonObject();
            meta[MetaKeys.SubscriptionId] = id.Id switch
            {
                string text => JsonValue.Create(text),
                long number => JsonValue.Create(number),
                _ => null,
            };
            result["_meta"] = meta;
            response.Result = result;
        }

        return next(context, cancellationToken);
    };

    private object Channel(JsonRpcMessage message) => (object?)message.Context?.RelatedTransport ?? _unrouted;
}
