using MixpanelData.Discovery;
using MixpanelData.Fetching;
using MixpanelData.Queries;
using MixpanelData.Storage;

namespace MixpanelData.Insights;

/// <summary>
/// The areas an insight reads from, injected by the workspace: Insights composes them through their own APIs and
/// never reaches back into the workspace, the Api interfaces or the Http core.
/// </summary>
/// <param name="Discovery">Events, properties, saved funnels and cohorts.</param>
/// <param name="Query">Live Query API calls.</param>
/// <param name="Fetch">Export and Engage streams (cohort members, exact distinct users).</param>
/// <param name="Local">The local store, opened on first use.</param>
/// <param name="Time">The clock that says which day is "yesterday".</param>
internal sealed record InsightSources(DiscoveryClient Discovery, QueryClient Query, FetchClient Fetch, Func<LocalStore> Local, TimeProvider Time)
{
    /// <summary>Today (UTC).</summary>
    public DateOnly Today => DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// The local store and its newest table that a fetch of every event (no event list, where or limit) over at least
    /// <paramref name="from"/>..<paramref name="to"/> filled, so an insight can count there instead of exporting; null
    /// when there is none or the store cannot be opened (e.g. another process holds its file).
    /// </summary>
    public async Task<(LocalStore Store, TableInfo Table)?> EventsTableAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        try
        {
            var store = Local();
            var table = (await store.ListTablesAsync(cancellationToken).ConfigureAwait(false))
                .Where(t => t.Metadata is { Kind: "events", Source: "export", Filters: null, FromDate: { } first, ToDate: { } last } && first <= from && last >= to)
                .OrderByDescending(t => t.Metadata!.FetchedAt)
                .FirstOrDefault();
            return table is null ? null : (store, table);
        }
        catch (LocalStoreException)
        {
            return null;
        }
    }
}
