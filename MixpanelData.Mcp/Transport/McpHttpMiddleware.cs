using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// What the SDK's <c>MapMcp</c> leaves out, as plain ASP.NET Core middleware in front of <c>/mcp</c>:
/// Host and Origin validation (403) and the bearer token (401) before the SDK sees the request; a request-size limit
/// (413); a 405, not the SDK's 400, for a GET without a session (<c>@ai-sdk/mcp</c> opens one speculatively and
/// logs anything else as an error); a second GET stream of a session held open instead of refused; keep-alive
/// comments on SSE responses that would otherwise stay silent; and the protocol-version rules of the
/// <c>2026-07-28</c> revision the SDK does not enforce (<see cref="McpProtocolConformance"/>).
/// </summary>
internal sealed class McpHttpMiddleware
{
    public const string Path = "/mcp";
    public const string SessionIdHeader = "Mcp-Session-Id";
    public const string ProtocolVersionHeader = "MCP-Protocol-Version";

    private const string EventStream = "text/event-stream";

    private readonly McpHttpHostOptions _options;
    private readonly McpHttpRequestGuard _guard;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _getStreams = new(StringComparer.Ordinal);

    public McpHttpMiddleware(McpHttpHostOptions options, CancellationToken stopping)
    {
        _options = options;
        _guard = new McpHttpRequestGuard(options);
        _stopping = stopping;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_guard.Check(context.Request) is { } refusal)
        {
            if (refusal.Challenge is { } challenge)
            {
                context.Response.Headers.WWWAuthenticate = challenge;
            }

            await WriteErrorAsync(context, refusal.StatusCode, refusal.Message).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        if (request.ContentLength > _options.MaxRequestBodyBytes)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"Payload Too Large: the body has {request.ContentLength:N0} bytes; this server accepts at most {_options.MaxRequestBodyBytes:N0} per message.").ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsGet(request.Method))
        {
            await GetAsync(context, next).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            if (await McpProtocolConformance.CheckPostAsync(context).ConfigureAwait(false) is { } violation)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, violation.Message, violation.Code, violation.Id).ConfigureAwait(false);
                return;
            }

            await WithKeepAliveAsync(context, next).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsDelete(request.Method))
        {
            context.Response.Headers.Allow = "GET, POST, DELETE";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, $"Method Not Allowed: {request.Method}.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context, RequestDelegate next)
    {
        var sessionId = context.Request.Headers[SessionIdHeader].ToString();
        if (sessionId.Length == 0)
        {
            // The SDK answers 400 here; @ai-sdk/mcp opens this stream speculatively and logs anything but 405 as an error.
            context.Response.Headers.Allow = "POST";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed,
                "Method Not Allowed: server-to-client streams exist only within a session; POST requests instead.").ConfigureAwait(false);
            return;
        }

        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var existing = _getStreams.GetOrAdd(sessionId, first);
        if (existing != first)
        {
            // The spec lets a client hold several streams and the SDK carries the session's messages on the first;
            // @ai-sdk/mcp opens a second one when its first races the initialized notification and logs the SDK's
            // refusal as an error. The extra stream stays open with keep-alives and ends with the first one.
            await HoldExtraStreamAsync(context, sessionId, existing.Task).ConfigureAwait(false);
            return;
        }

        try
        {
            await WithKeepAliveAsync(context, next).ConfigureAwait(false);
        }
        finally
        {
            _getStreams.TryRemove(new KeyValuePair<string, TaskCompletionSource>(sessionId, first));
            first.TrySetResult();
        }
    }

    private async Task HoldExtraStreamAsync(HttpContext context, string sessionId, Task firstEnded)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.ContentType = EventStream;
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers[SessionIdHeader] = sessionId;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        var keepAlive = new KeepAliveSseStream(response.Body, _options.KeepAliveInterval, _options.TimeProvider, () => true, cts.Token);
        await using (keepAlive.ConfigureAwait(false))
        {
            try
            {
                await response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
                await firstEnded.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // The client left or the server is stopping.
            }
        }
    }

    private async Task WithKeepAliveAsync(HttpContext context, RequestDelegate next)
    {
        var response = context.Response;
        var original = response.Body;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        // Comments only go on an SSE response (never into a JSON error or a 202), and only between events.
        var keepAlive = new KeepAliveSseStream(
            original,
            _options.KeepAliveInterval,
            _options.TimeProvider,
            () => response.StatusCode == StatusCodes.Status200OK && response.ContentType == EventStream,
            cts.Token);
        response.Body = keepAlive;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            await keepAlive.DisposeAsync().ConfigureAwait(false);
            response.Body = original;
        }
    }

    internal static async Task WriteErrorAsync(HttpContext context, int status, string message, int code = -32000, JsonNode? id = null)
    {
        var body = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id?.DeepClone(),
            ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
