using System.Globalization;
using System.Text.Json.Nodes;
using MixpanelData.Fetching;
using MixpanelData.Storage;

namespace MixpanelData.Insights;

/// <summary>
/// The exact number of distinct users who did one event over a range (segmentation can only sum daily uniques): counted
/// in a fetched table of the local store when one holds every event of the range, else from the Export API stream of
/// that event alone. The step it records carries the request itself (the <see cref="StoredEventsQuery"/> or the
/// <see cref="StreamEventsRequest"/>), so the figure can be reproduced.
/// </summary>
internal static class DistinctUsers
{
    /// <summary>The step's operation name in an answer's provenance.</summary>
    public const string Op = "export_distinct_users";

    public static async Task<StepOutcome> CountAsync(InsightSources sources, string eventName, DayRange range, int index, QueryBudget budget, CancellationToken cancellationToken)
    {
        if (await sources.EventsTableAsync(range.From, range.To, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return await CountStoredAsync(stored.Store, stored.Table, eventName, range, index, cancellationToken).ConfigureAwait(false);
        }

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

    /// <summary>The same count over a fetched table of the local store that holds every event of the range: no export.</summary>
    private static async Task<StepOutcome> CountStoredAsync(LocalStore store, TableInfo table, string eventName, DayRange range, int index, CancellationToken cancellationToken)
    {
        var sql = $"SELECT count(DISTINCT distinct_id), count(*) FROM {StoreIdentifiers.Quote(table.Name)} WHERE event_name = ? AND event_time >= ? AND event_time < ?";
        var request = new StoredEventsQuery(table.Name, sql, [eventName, range.From.ToDateTime(TimeOnly.MinValue), range.To.AddDays(1).ToDateTime(TimeOnly.MinValue)]);
        var purpose = $"distinct users of {eventName} {range}, counted in the local table {table.Name} (every event fetched {table.Metadata!.FromDate:yyyy-MM-dd}..{table.Metadata.ToDate:yyyy-MM-dd}; no API call)";
        var step = new ValidStep(index, Op, request, purpose, new Dictionary<string, object?>
        {
            ["event"] = eventName,
            ["from_date"] = range.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to_date"] = range.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["table"] = table.Name,
        });
        SqlResult result;
        try
        {
            result = await store.SqlAsync(sql, new SqlOptions { Parameters = request.Parameters }, cancellationToken).ConfigureAwait(false);
        }
        catch (LocalStoreException error)
        {
            return new StepOutcome(step, null, $"the local table {table.Name} could not be read: {error.Message}");
        }

        var distinct = Convert.ToInt64(result.Rows[0][0], CultureInfo.InvariantCulture);
        var total = Convert.ToInt64(result.Rows[0][1], CultureInfo.InvariantCulture);
        var summary = $"{eventName}, {range}: {ResultDigest.N(distinct)} distinct users in {ResultDigest.N(total)} events of the local table {table.Name}";
        return new StepOutcome(step, new Digest(summary, new JsonObject { ["event"] = eventName, ["distinct_users"] = distinct, ["events"] = total, ["table"] = table.Name }), null);
    }
}

/// <summary>A count made in the local store instead of an API call: the table, the SQL and its parameters, to reproduce it with <c>ws.Local.SqlAsync</c>.</summary>
/// <param name="Table">The fetched table read.</param>
/// <param name="Sql">The statement.</param>
/// <param name="Parameters">Its <c>?</c> parameters in order.</param>
public sealed record StoredEventsQuery(string Table, string Sql, IReadOnlyList<object?> Parameters);
