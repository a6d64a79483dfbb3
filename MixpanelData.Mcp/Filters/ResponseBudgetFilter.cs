using System.Text;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// The last guard on result size: tools already cut their rows to the budget; anything still larger than twice
/// the budget (a bug, or an unexpectedly wide value) is replaced by an explicit notice instead of being sent
/// silently cut or whole.
/// </summary>
internal static class ResponseBudgetFilter
{
    public static McpRequestFilter<CallToolRequestParams, CallToolResult> Create(int budgetBytes) => next => async (context, cancellationToken) =>
    {
        var result = await next(context, cancellationToken).ConfigureAwait(false);
        var size = result.Content.OfType<TextContentBlock>().Sum(t => (long)Encoding.UTF8.GetByteCount(t.Text));
        if (size <= 2L * budgetBytes)
        {
            return result;
        }

        return new CallToolResult
        {
            IsError = true,
            Content = [new TextContentBlock
            {
                Text = $"The answer of {context.Params?.Name} is {size:N0} bytes, over the response budget of {budgetBytes:N0}; it was not sent (truncated: true). Narrow the request: a shorter date range, a limit, fewer columns, or a where filter.",
            }],
        };
    };

    public static McpRequestFilter<ReadResourceRequestParams, ReadResourceResult> CreateForResources(int budgetBytes) => next => async (context, cancellationToken) =>
    {
        var result = await next(context, cancellationToken).ConfigureAwait(false);
        var size = result.Contents.OfType<TextResourceContents>().Sum(t => (long)Encoding.UTF8.GetByteCount(t.Text));
        return size <= 2L * budgetBytes
            ? result
            : throw new McpProtocolException($"The resource {context.Params?.Uri} is {size:N0} bytes, over the response budget of {budgetBytes:N0}; it was not sent (truncated: true). Use the matching tool with a limit or a shorter range.", McpErrorCode.InternalError);
    };
}
