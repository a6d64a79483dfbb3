using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Mcp.Filters;
using MixpanelData.Mcp.Transport;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Tests.Mcp.Transport;

/// <summary>
/// A small set of real tools (echo, progress, elicitation, sampling, a slow one) served by <see cref="McpHttpHost"/> on a
/// loopback port, and the ways tests reach it: the SDK's client or raw HTTP.
/// </summary>
internal static class TestMcpServer
{
    public const string InitializeBody =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    public const string SessionlessRevision = "2026-07-28";

    public static Task<McpHttpHost> StartAsync(McpHttpHostOptions? options = null) =>
        StartAsync(options, CreateTools());

    /// <summary>Serves <paramref name="tools"/>; the collection is the server's own, so changing it changes the listing.</summary>
    public static Task<McpHttpHost> StartAsync(McpHttpHostOptions? options, McpServerPrimitiveCollection<McpServerTool> tools) =>
        McpHttpHost.StartAsync(
            options ?? new McpHttpHostOptions { Port = 0 },
            services =>
            {
                var subscriptions = new SubscriptionCloseFilter();
                return services.AddMcpServer(o =>
                    {
                        o.ServerInfo = new Implementation { Name = "transport-tests", Version = "1.0.0" };
                        o.ToolCollection = tools;
                    })
                    .WithMessageFilters(filters => filters.AddIncomingFilter(subscriptions.Incoming()).AddOutgoingFilter(subscriptions.Outgoing()));
            });

    public static McpServerPrimitiveCollection<McpServerTool> CreateTools() =>
        [
            McpServerTool.Create((string text) => $"echo: {text}", new McpServerToolCreateOptions { Name = "echo" }),
            McpServerTool.Create(CountAsync, new McpServerToolCreateOptions { Name = "count" }),
            McpServerTool.Create(ConfirmAsync, new McpServerToolCreateOptions { Name = "confirm" }),
            McpServerTool.Create(SummarizeAsync, new McpServerToolCreateOptions { Name = "summarize" }),
            McpServerTool.Create(SleepAsync, new McpServerToolCreateOptions { Name = "sleep" }),
            McpServerTool.Create(LogAsync, new McpServerToolCreateOptions { Name = "log" }),
        ];

    public static Task<McpClient> ConnectAsync(
        McpHttpHost host,
        string? protocolVersion,
        McpClientHandlers? handlers = null,
        IDictionary<string, string>? headers = null) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = host.Endpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = headers,
            }),
            new McpClientOptions { ProtocolVersion = protocolVersion, Handlers = handlers ?? new McpClientHandlers() });

    public static HttpRequestMessage Post(McpHttpHost host, string json, string? sessionId = null, string? protocolVersion = null, string accept = "application/json, text/event-stream")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
        }

        if (protocolVersion is not null)
        {
            request.Headers.Add("MCP-Protocol-Version", protocolVersion);
        }

        return request;
    }

    /// <summary>Starts a session with a raw initialize and returns its id.</summary>
    public static async Task<string> InitializeRawAsync(HttpClient http, McpHttpHost host, AuthenticationHeaderValue? authorization = null)
    {
        using var request = Post(host, InitializeBody);
        request.Headers.Authorization = authorization;
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Mcp-Session-Id").Single();
    }

    private static async Task<string> CountAsync(IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        for (var i = 1; i <= 3; i++)
        {
            progress.Report(new ProgressNotificationValue { Progress = i, Total = 3, Message = $"step {i}" });
            await Task.Delay(10, cancellationToken);
        }

        return "counted";
    }

    private static async Task<string> ConfirmAsync(McpServer server, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var question = new ElicitRequestParams
        {
            Message = "Who is asking?",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition> { ["name"] = new ElicitRequestParams.StringSchema() },
                Required = ["name"],
            },
        };

        ElicitResult? answer;
        if (context.Params?.InputResponses is { } responses && responses.TryGetValue("who", out var response))
        {
            answer = response.Deserialize(InputResponse.ElicitResultJsonTypeInfo);
        }
        else if ((context.JsonRpcRequest.Context?.ProtocolVersion ?? server.NegotiatedProtocolVersion) == SessionlessRevision)
        {
            // Sessionless requests cannot wait for the client: ask for the input and be called again (MRTR).
            throw new InputRequiredException(new Dictionary<string, InputRequest> { ["who"] = InputRequest.ForElicitation(question) }, requestState: "asked");
        }
        else
        {
            answer = await server.ElicitAsync(question, cancellationToken);
        }

        return answer is { IsAccepted: true, Content: { } content } && content.TryGetValue("name", out var name)
            ? $"confirmed by {name.GetString()}"
            : "declined";
    }

#pragma warning disable MCP9005 // Sampling is deprecated in 2026-07-28 but is what initialize-era clients offer.
    private static async Task<string> SummarizeAsync(McpServer server, string text, CancellationToken cancellationToken)
    {
        var result = await server.SampleAsync(
            new CreateMessageRequestParams
            {
                Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = $"Summarize: {text}" }] }],
                MaxTokens = 50,
            },
            cancellationToken);
        return $"summary: {string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text))}";
    }
#pragma warning restore MCP9005

#pragma warning disable MCP9005 // Log notifications are deprecated in 2026-07-28 but still delivered in every revision.
    private static async Task<string> LogAsync(McpServer server, string message, CancellationToken cancellationToken)
    {
        await server.SendNotificationAsync(
            NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams { Level = LoggingLevel.Info, Logger = "tests", Data = JsonSerializer.SerializeToElement(message) },
            cancellationToken: cancellationToken);
        return "logged";
    }
#pragma warning restore MCP9005

    private static async Task<string> SleepAsync(int milliseconds, CancellationToken cancellationToken)
    {
        await Task.Delay(milliseconds, cancellationToken);
        return $"slept {milliseconds} ms";
    }
}
