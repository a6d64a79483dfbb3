using System.Text.Json;
using MixpanelData.Analytics.Expressions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// Turns the library's failures into tool errors whose text says what went wrong and what to do next. The SDK
/// would otherwise hide every message behind "An error occurred invoking …". Unexpected exceptions stay generic
/// (their text may carry internals) but name their type, so a report is actionable.
/// </summary>
internal static class ToolErrorFilter
{
    public static McpRequestFilter<CallToolRequestParams, CallToolResult> Create() => next => async (context, cancellationToken) =>
    {
        try
        {
            return await next(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is McpException or InputRequiredException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return Error(Describe(ex, context.Params?.Name ?? "tool"));
        }
    };

    public static CallToolResult Error(string text) => new() { IsError = true, Content = [new TextContentBlock { Text = text }] };

    internal static string Describe(Exception ex, string tool) => ex switch
    {
        EventNotFoundException e => $"{e.Message} Use list_events to see the project's events.",
        ExpressionException e => $"The expression is not valid: {e.Message}\nExpressions look like properties[\"$browser\"] == \"Chrome\" and defined(properties[\"plan\"]).",
        RateLimitedException e => $"{e.Message}{(e.RetryAfter is { } wait ? $" Retry in about {Math.Ceiling(wait.TotalMinutes)} min," : string.Empty)} or answer from fetched data with the local_* tools (no Query API budget).",
        AuthenticationException e => $"{e.Message} (code {e.Code}). Check the account with test_credentials or list_accounts.",
        MixpanelException e => $"{e.Message} (code {e.Code})",
        ArgumentException e => e.Message,
        JsonException e => $"An argument has the wrong type or shape{(e.Path is { Length: > 1 } path ? $" (at {path})" : string.Empty)}; compare it with the tool's input schema.",
        _ => $"{tool} failed unexpectedly ({ex.GetType().Name}). The server is still running; try again, or report this.",
    };
}
