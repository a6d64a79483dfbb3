using MixpanelData.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// Tells the client when a tool call waits for a Mixpanel rate limit ("waiting 42 s for the Query API hourly rate
/// limit"), as a progress notification on that call, so a long wait does not look like a hang. The workspace reports
/// waits to <see cref="Report"/>; the filter makes the current call the one that hears about them.
/// </summary>
internal static class RateLimitNoticeFilter
{
    private static readonly AsyncLocal<Func<RateLimitWait, ValueTask>?> CurrentCall = new();

    /// <summary>For <see cref="WorkspaceOptions.OnRateLimitWait"/>: forwards the wait to the tool call it belongs to.</summary>
    public static ValueTask Report(RateLimitWait wait) => CurrentCall.Value is { } notify ? notify(wait) : ValueTask.CompletedTask;

    public static McpRequestFilter<CallToolRequestParams, CallToolResult> Create() => next => async (context, cancellationToken) =>
    {
        var token = context.Params?.ProgressToken;
        var server = context.Server;
        CurrentCall.Value = async wait =>
        {
            if (token is { } progressToken)
            {
                await server.NotifyProgressAsync(progressToken, new ProgressNotificationValue { Progress = 0, Message = wait.ToString() }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        };
        try
        {
            return await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CurrentCall.Value = null;
        }
    };
}
