using MixpanelData.Queries;
using MixpanelData.Storage;

namespace MixpanelData.Analytics;

/// <summary>
/// Mixpanel's segmentation, funnels, retention and frequency computed on an events table in the local store,
/// with the same semantics as the Query API (docs/semantics.md) and without spending its hourly budget.
/// The table needs the columns a fetch creates: <c>event_name</c>, <c>event_time</c>, <c>distinct_id</c>, <c>properties</c>.
/// </summary>
public sealed class LocalAnalytics
{
    private readonly LocalStore _store;

    /// <summary>Analyses tables of <paramref name="store"/>.</summary>
    public LocalAnalytics(LocalStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// A profiles table (<c>distinct_id</c>, <c>properties</c>) whose rows <c>user["..."]</c> reads in <c>where</c>/<c>on</c>; null
    /// (the default) makes <c>user[...]</c> an error. The emulator sets it so that event queries can filter on user properties.
    /// </summary>
    internal string? ProfilesTable { get; init; }

    /// <summary>Counts an event per time bucket, optionally broken down.</summary>
    /// <exception cref="EventNotFoundException">The event is not in the table; suggestions are attached.</exception>
    /// <exception cref="Expressions.ExpressionException"><c>where</c> or <c>on</c> is malformed.</exception>
    public Task<SegmentationResult> SegmentationAsync(SegmentationQuery query, string table = "events", CancellationToken cancellationToken = default) =>
        SegmentationEngine.RunAsync(Table(table), query, cancellationToken);

    /// <summary>Counts several events per time bucket (Mixpanel's <c>/events</c>): one line per event.</summary>
    public async Task<SegmentationResult> EventCountsAsync(IReadOnlyList<string> events, DateOnly fromDate, DateOnly toDate, CountType type = CountType.General, TimeUnit unit = TimeUnit.Day, string table = "events", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("Name at least one event.", nameof(events));
        }

        SegmentationEngine.ValidateRange(fromDate, toDate, unit);
        var engineTable = Table(table);
        await engineTable.RequireEventsAsync(events, cancellationToken).ConfigureAwait(false);
        var (series, segments, _) = await SegmentationEngine.CountAsync(engineTable, events, fromDate, toDate, type, unit, null, null, events.Count, cancellationToken).ConfigureAwait(false);
        return new SegmentationResult(string.Join(", ", events), fromDate, toDate, unit, type, null, series, segments, false);
    }

    /// <summary>A funnel over ad-hoc steps.</summary>
    public Task<FunnelResult> FunnelAsync(FunnelQuery query, string table = "events", CancellationToken cancellationToken = default) =>
        FunnelEngine.RunAsync(Table(table), query, cancellationToken);

    /// <summary>Cohort retention.</summary>
    public Task<RetentionResult> RetentionAsync(RetentionQuery query, string table = "events", CancellationToken cancellationToken = default) =>
        RetentionEngine.RunAsync(Table(table), query, cancellationToken);

    /// <summary>How many distinct hours (or days) per period users do an event.</summary>
    public Task<FrequencyResult> FrequencyAsync(FrequencyQuery query, string table = "events", CancellationToken cancellationToken = default) =>
        FrequencyEngine.RunAsync(Table(table), query, cancellationToken);

    private EngineTable Table(string table) => new(_store, table, ProfilesTable);
}
