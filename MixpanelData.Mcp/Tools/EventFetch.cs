using MixpanelData.Fetching;
using ModelContextProtocol;

namespace MixpanelData.Mcp.Tools;

/// <summary>
/// Fetches events into the local store the way every fetching tool does: MCP progress notifications per window and
/// as its events load (days done, events, rate, time left) and one sentence saying what the table now holds.
/// </summary>
internal static class EventFetch
{
    public static async Task<FetchResult> RunAsync(Workspace workspace, FetchEventsRequest request, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        // Said up front, before the first request: the export budget will hold the fetch back.
        var budget = await workspace.Fetch.ExportBudgetAsync(request, cancellationToken).ConfigureAwait(false);
        if (budget.MustWait)
        {
            progress.Report(new ProgressNotificationValue
            {
                Progress = 0,
                Total = request.To.DayNumber - request.From.DayNumber + 1,
                Message = $"This fetch {budget.Summary}; it waits rather than fail (cancel to stop).",
            });
        }

        var reporter = new Progress<FetchProgress>(p => progress.Report(new ProgressNotificationValue
        {
            Progress = p.DaysDone,
            Total = p.DaysTotal,
            Message = $"{p.DaysDone}/{p.DaysTotal} days, {p.Events:N0} events, {p.EventsPerSecond:N0}/s{(p.EstimatedRemaining is { } eta ? $", about {Math.Ceiling(eta.TotalSeconds):0} s left" : string.Empty)}",
        }));
        return await workspace.Fetch.EventsAsync(request, reporter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"Fetched N events (from..to) into table; it now holds M rows." plus malformed lines, a budget wait and where to go next.</summary>
    public static string Describe(FetchResult result) =>
        $"Fetched {result.RowsInserted:N0} events ({result.From:yyyy-MM-dd}..{result.To:yyyy-MM-dd}, {result.Windows} export request(s) of {result.WindowDays} day(s)) into {result.Table}; it now holds {result.TableRowCount:N0} rows. "
        + (result.MalformedLines > 0 ? $"{result.MalformedLines} malformed line(s) skipped. " : string.Empty)
        + (result.Budget is { MustWait: true } budget ? $"The Export API budget held it back: at the start it {budget.Summary}. " : string.Empty)
        + "Query it with sql or local_segmentation/local_funnel/local_retention.";
}
