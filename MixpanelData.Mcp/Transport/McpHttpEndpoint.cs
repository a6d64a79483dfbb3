using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// The Streamable HTTP endpoint at <c>/mcp</c>, written over the SDK's <see cref="StreamableHttpServerTransport"/>
/// because ModelContextProtocol.AspNetCore is not available. It follows MapMcp's
/// <c>StatefulForInitializeClients</c> mode: <c>2026-07-28</c> requests get a fresh stateless server each, while
/// initialize-era clients get a session so that the server can reach them (elicitation, sampling, notifications).
/// </summary>
internal sealed class McpHttpEndpoint
{
    public const string SessionIdHeader = "Mcp-Session-Id";
    public const string ProtocolVersionHeader = "MCP-Protocol-Version";
    public const string SessionlessRevision = "2026-07-28";

    private const string ProtocolVersionMetaKey = "io.modelcontextprotocol/protocolVersion";
    private const string EventStream = "text/event-stream";
    private const string Json = "application/json";

    private static readonly FrozenSet<string> s_supportedVersions =
        FrozenSet.Create(StringComparer.Ordinal, "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", SessionlessRevision);

    private readonly McpHttpHostOptions _options;
    private readonly Func<McpServerOptions> _serverOptions;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly McpHttpSessionStore _sessions;
    private readonly McpHttpRequestGuard _guard;
    private readonly CancellationToken _stopping;

    public McpHttpEndpoint(
        McpHttpHostOptions options,
        Func<McpServerOptions> serverOptions,
        IServiceProvider services,
        ILoggerFactory loggerFactory,
        McpHttpSessionStore sessions,
        CancellationToken stopping)
    {
        _options = options;
        _serverOptions = serverOptions;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<McpHttpEndpoint>();
        _sessions = sessions;
        _guard = new McpHttpRequestGuard(options);
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (_guard.Check(context.Request) is { } refusal)
        {
            if (refusal.Challenge is { } challenge)
            {
                context.Response.Headers.WWWAuthenticate = challenge;
            }

            await WriteErrorAsync(context, refusal.StatusCode, -32000, refusal.Message).ConfigureAwait(false);
            return;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsPost(method))
        {
            await PostAsync(context).ConfigureAwait(false);
        }
        else if (HttpMethods.IsGet(method))
        {
            await GetAsync(context).ConfigureAwait(false);
        }
        else if (HttpMethods.IsDelete(method))
        {
            await DeleteAsync(context).ConfigureAwait(false);
        }
        else
        {
            context.Response.Headers.Allow = "GET, POST, DELETE";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, -32000, $"Method Not Allowed: {method}.").ConfigureAwait(false);
        }
    }

    private async Task PostAsync(HttpContext context)
    {
        if (!Accepts(context.Request, Json) || !Accepts(context.Request, EventStream))
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, -32000,
                "Not Acceptable: the client must accept both application/json and text/event-stream.").ConfigureAwait(false);
            return;
        }

        JsonRpcMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync(context.Request.Body, MessageTypeInfo, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest,
                $"Bad Request: the body is not a JSON-RPC message ({ex.Message})").ConfigureAwait(false);
            return;
        }

        if (message is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest,
                "Bad Request: the body is empty; send one JSON-RPC message.").ConfigureAwait(false);
            return;
        }

        var header = HeaderValue(context.Request, ProtocolVersionHeader);
        var meta = MetaProtocolVersion(message);
        foreach (var requested in new[] { header, meta })
        {
            if (requested is not null && !s_supportedVersions.Contains(requested))
            {
                var data = new JsonObject
                {
                    ["supported"] = new JsonArray([.. s_supportedVersions.Order(StringComparer.Ordinal).Select(v => (JsonNode)v)]),
                    ["requested"] = requested,
                };
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.UnsupportedProtocolVersion,
                    $"Bad Request: unsupported protocol version '{requested}'.", data).ConfigureAwait(false);
                return;
            }
        }

        if (header is not null && meta is not null && header != meta)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.HeaderMismatch,
                $"Bad Request: the {ProtocolVersionHeader} header ('{header}') does not match _meta's protocol version ('{meta}').").ConfigureAwait(false);
            return;
        }

        var version = header ?? meta;
        if (McpStandardHeaders.Check(context.Request, message, version) is { } mismatch)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.HeaderMismatch, mismatch, id: (message as JsonRpcRequest)?.Id).ConfigureAwait(false);
            return;
        }

        if (version is not null)
        {
            // The server keys its per-request (2026-07-28) behaviour off this context.
            message.Context = new JsonRpcMessageContext { ProtocolVersion = version };
        }

        if (version == SessionlessRevision)
        {
            await ServeStatelessAsync(context, message).ConfigureAwait(false);
        }
        else
        {
            await ServeStatefulAsync(context, message).ConfigureAwait(false);
        }
    }

    private async Task ServeStatelessAsync(HttpContext context, JsonRpcMessage message)
    {
        var options = _serverOptions();
        options.ScopeRequests = false;
        var scope = _services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var transport = new StreamableHttpServerTransport(_loggerFactory) { Stateless = true };
            var server = McpServer.Create(transport, options, _loggerFactory, scope.ServiceProvider);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            var run = server.RunAsync(cts.Token);
            try
            {
                await ServePostAsync(context, transport, message, mapErrorsToStatus: true).ConfigureAwait(false);
            }
            finally
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                await cts.CancelAsync().ConfigureAwait(false);
                try
                {
                    await run.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The per-request server ends with its request.
                }

                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ServeStatefulAsync(HttpContext context, JsonRpcMessage message)
    {
        var sessionId = HeaderValue(context.Request, SessionIdHeader);
        McpHttpSession? session;
        if (sessionId is not null)
        {
            session = _sessions.Acquire(sessionId);
            if (session is null)
            {
                await WriteSessionNotFoundAsync(context).ConfigureAwait(false);
                return;
            }
        }
        else if (message is JsonRpcRequest { Method: RequestMethods.Initialize })
        {
            session = await _sessions.CreateAsync(
                () => McpHttpSession.Start(_serverOptions(), _services, _loggerFactory, _options.TimeProvider),
                context.RequestAborted).ConfigureAwait(false);
            if (session is null)
            {
                context.Response.Headers.RetryAfter = "5";
                await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, -32000,
                    $"Service Unavailable: all {_options.MaxSessions} sessions are busy; retry shortly.").ConfigureAwait(false);
                return;
            }

            _logger.LogDebug("Session {SessionId} started.", session.Id);
        }
        else
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest,
                $"Bad Request: the {SessionIdHeader} header is required; start a session with initialize (or use protocol revision {SessionlessRevision}).").ConfigureAwait(false);
            return;
        }

        try
        {
            context.Response.Headers[SessionIdHeader] = session.Id;
            await ServePostAsync(context, session.Transport, message, mapErrorsToStatus: false).ConfigureAwait(false);
        }
        finally
        {
            session.Release();
        }
    }

    private async Task ServePostAsync(HttpContext context, StreamableHttpServerTransport transport, JsonRpcMessage message, bool mapErrorsToStatus)
    {
        var response = context.Response;
        PrepareEventStream(context);

        // Only a request gets an answer worth waiting for; notifications and responses end at once with a 202.
        var keepAlive = message is JsonRpcRequest
            ? new KeepAliveSseStream(response.Body, _options.KeepAliveInterval, _options.TimeProvider, _stopping)
            : null;
        bool wrote;
        try
        {
            wrote = await transport.HandlePostRequestAsync(
                message,
                keepAlive ?? response.Body,
                first => OnResponseStarting(response, first, mapErrorsToStatus),
                context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            if (keepAlive is not null)
            {
                await keepAlive.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (!wrote && !response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status202Accepted;
            response.Headers.ContentType = default;
            response.Headers.CacheControl = default;
            response.Headers.ContentEncoding = default;
            response.Headers["X-Accel-Buffering"] = default;
        }
    }

    private static ValueTask OnResponseStarting(HttpResponse response, JsonRpcMessage? first, bool mapErrorsToStatus)
    {
        // A keep-alive may have started the response already; then the error travels in the stream with a 200.
        if (mapErrorsToStatus && !response.HasStarted && first is JsonRpcError { Error.Code: var code })
        {
            response.StatusCode = code switch
            {
                (int)McpErrorCode.MethodNotFound => StatusCodes.Status404NotFound,
                (int)McpErrorCode.MissingRequiredClientCapability or (int)McpErrorCode.UnsupportedProtocolVersion or (int)McpErrorCode.HeaderMismatch
                    => StatusCodes.Status400BadRequest,
                _ => response.StatusCode,
            };
        }

        return ValueTask.CompletedTask;
    }

    private async Task GetAsync(HttpContext context)
    {
        var sessionId = HeaderValue(context.Request, SessionIdHeader);
        if (HeaderValue(context.Request, ProtocolVersionHeader) == SessionlessRevision || sessionId is null)
        {
            // @ai-sdk/mcp opens this stream speculatively and logs anything but 405 as an error.
            context.Response.Headers.Allow = "POST";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, -32000,
                "Method Not Allowed: server-to-client streams exist only within a session; POST requests instead.").ConfigureAwait(false);
            return;
        }

        if (!Accepts(context.Request, EventStream))
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, -32000,
                "Not Acceptable: the client must accept text/event-stream.").ConfigureAwait(false);
            return;
        }

        var session = _sessions.Acquire(sessionId);
        if (session is null)
        {
            await WriteSessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        // An open GET stream does not keep a session alive: only requests count as in flight, so a client that
        // leaves its stream open but stops calling still has its session expire, and the stream ends with it.
        var sessionClosed = session.Closed;
        session.Release();
        // The spec lets a client hold several streams; the server sends each message on one of them. The first GET
        // carries the session's server-to-client messages; later ones (@ai-sdk/mcp opens a second one when its first
        // races the initialized notification, and logs any refusal as an error) stay open with keep-alives only.
        var carriesMessages = session.TryClaimGetStream();
        PrepareEventStream(context);
        context.Response.Headers[SessionIdHeader] = session.Id;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping, sessionClosed);
        var keepAlive = new KeepAliveSseStream(context.Response.Body, _options.KeepAliveInterval, _options.TimeProvider, cts.Token);
        await using (keepAlive.ConfigureAwait(false))
        {
            try
            {
                // Send the headers now: the client learns the stream is open before anything is pushed.
                await context.Response.Body.FlushAsync(cts.Token).ConfigureAwait(false);
                if (carriesMessages)
                {
                    await session.Transport.HandleGetRequestAsync(keepAlive, cts.Token).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, cts.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // The client left, the session ended or the server is stopping.
            }
        }
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (HeaderValue(context.Request, ProtocolVersionHeader) == SessionlessRevision)
        {
            context.Response.Headers.Allow = "POST";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, -32000,
                $"Method Not Allowed: protocol revision {SessionlessRevision} has no sessions to end.").ConfigureAwait(false);
            return;
        }

        var sessionId = HeaderValue(context.Request, SessionIdHeader);
        if (sessionId is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest,
                $"Bad Request: the {SessionIdHeader} header names the session to end.").ConfigureAwait(false);
            return;
        }

        // Ending a session that is already gone (expired, or deleted twice) succeeds: the client's goal is met, and
        // TypeScript clients treat a failed DELETE on close as an error.
        if (await _sessions.RemoveAsync(sessionId).ConfigureAwait(false))
        {
            _logger.LogDebug("Session {SessionId} ended by the client.", sessionId);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static void PrepareEventStream(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.ContentType = EventStream;
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    private static Task WriteSessionNotFoundAsync(HttpContext context) =>
        WriteErrorAsync(context, StatusCodes.Status404NotFound, -32001, "Session not found");

    private static async Task WriteErrorAsync(HttpContext context, int status, int code, string message, JsonNode? data = null, RequestId? id = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null)
        {
            error["data"] = data;
        }

        // A refused request that has an id gets it back, so the client can match the error to its call.
        var requestId = id is { } known ? JsonSerializer.SerializeToNode(known, McpJsonUtilities.DefaultOptions) : null;
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = requestId, ["error"] = error };
        context.Response.StatusCode = status;
        context.Response.ContentType = Json;
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonTypeInfo<JsonRpcMessage> MessageTypeInfo =>
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    private static bool Accepts(HttpRequest request, string mediaType) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));

    private static string? HeaderValue(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.ToString() is { Length: > 0 } value ? value : null;

    private static string? MetaProtocolVersion(JsonRpcMessage message)
    {
        var parameters = message switch
        {
            JsonRpcRequest request => request.Params,
            JsonRpcNotification notification => notification.Params,
            _ => null,
        };
        return parameters is JsonObject obj
            && obj["_meta"] is JsonObject meta
            && meta[ProtocolVersionMetaKey] is JsonValue value
            && value.TryGetValue<string>(out var version)
                ? version
                : null;
    }
}
