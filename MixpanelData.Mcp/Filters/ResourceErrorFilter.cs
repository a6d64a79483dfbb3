using MixpanelData.Analytics.Expressions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// Turns failures of a resource read into JSON-RPC errors whose message says what to change (resources have no
/// <c>isError</c> result): a bad URI parameter or unknown event is invalid params (-32602), with the closest names;
/// a Mixpanel failure is an internal error (-32603) that says what happened and what to do.
/// </summary>
internal static class ResourceErrorFilter
{
    public static McpRequestFilter<ReadResourceRequestParams, ReadResourceResult> Create() => next => async (context, cancellationToken) =>
    {
        try
        {
            return await next(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (McpException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var uri = context.Params?.Uri ?? "resource";
            var code = ex is ArgumentException or EventNotFoundException or ExpressionException ? McpErrorCode.InvalidParams : McpErrorCode.InternalError;
            var message = ex is EventNotFoundException missing
                ? $"{missing.Message} The project's event names are in schema://events."
                : ToolErrorFilter.Describe(ex, "reading the resource");
            throw new McpProtocolException($"{uri}: {message}", ex, code);
        }
    };
}
