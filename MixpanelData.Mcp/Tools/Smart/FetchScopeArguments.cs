using System.Globalization;
using MixpanelData.Insights;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>A fetch scope as the arguments of a <c>safe_large_fetch</c> or <c>fetch_events</c> call.</summary>
internal static class FetchScopeArguments
{
    /// <summary>The arguments of a <c>safe_large_fetch</c> or <c>fetch_events</c> call for this scope.</summary>
    public static Dictionary<string, object?> Arguments(this FetchScope scope, string? where, string table)
    {
        var arguments = new Dictionary<string, object?>
        {
            ["from_date"] = scope.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to_date"] = scope.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        if (scope.Events is { } events)
        {
            arguments["events"] = events;
        }

        if (where is not null)
        {
            arguments["where"] = where;
        }

        if (scope.Limit is { } limit)
        {
            arguments["limit"] = limit;
        }

        arguments["table"] = table;
        return arguments;
    }
}
