using System.Globalization;
using System.Text.Json.Nodes;
using MixpanelData.Fetching;

namespace MixpanelData.Insights;

/// <summary>
/// The exact number of distinct users who did one event over a range, counted from the Export API stream of that event
/// alone (segmentation can only sum daily uniques). The step it records carries the <see cref="StreamEventsRequest"/>
/// itself, so the figure can be reproduced.
/// </summary>
internal static class DistinctUsers
{
    /// <summary>The step's operation name in an answer's provenance.</summary>
    public const string Op = "export_distinct_users";

    public static async Task<StepOutcome> CountAsync(InsightSources sources, string eventName, DayRange range, int index, QueryBudget budget, CancellationToken cancellationToken)
    {
        // One export request for the whole range: a question should not spend a sixth of the hour's export budget.
        var request = new StreamEventsRequest(range.From, range.To) { Events = [eventName], WindowDays = Math.Min(range.Days, FetchEventsRequest.MaxWindowDays) };
        var purpose = $"export of {eventName} {range} to count its distinct users (1 Export API request, not a Query API call)";
        var step = new ValidStep(index, Op, request, purpose, new Dictionary<string, object?>
        {
            ["event"] = eventName,
            ["from_date"] = range.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to_date"] = range.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        var counted = await budget.RunAsync(purpose, 0, async ct =>
        {
            var users = new HashSet<string>(StringComparer.Ordinal);
            long events = 0;
            await foreach (var e in sources.Fetch.StreamEventsAsync(request, cancellationToken: ct).ConfigureAwait(false))
            {
                events++;
                if (!string.IsNullOrEmpty(e.DistinctId))
                {
                    users.Add(e.DistinctId);
                }
            }

            return (Users: users.Count, Events: events);
        }, cancellationToken).ConfigureAwait(false);
        if (!counted.Ok)
        {
            return new StepOutcome(step, null, counted.Error);
        }

        var (distinct, total) = counted.Value;
        var summary = $"{eventName}, {range}: {ResultDigest.N(distinct)} distinct users in {ResultDigest.N(total)} exported events";
        return new StepOutcome(step, new Digest(summary, new JsonObject { ["event"] = eventName, ["distinct_users"] = (long)distinct, ["events"] = total }), null);
    }
}
