using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Analytics;
using MixpanelData.Fetching;
using MixpanelData.Queries;
using MixpanelData.Storage;

namespace MixpanelData.Insights;

/// <summary>
/// Conversion between named events that no saved funnel starts with: the Query API only computes saved funnels, so the
/// named events are streamed from the Export API (the range plus the conversion window, capped at the last complete
/// day) into a scratch in-memory store (spooled through a temporary file) and counted by the library's local funnel (<see cref="LocalAnalytics.FunnelAsync"/>):
/// users entering at their first step-1 event in the range, each later step within <see cref="WindowDays"/> days of it.
/// The user's own local store is not touched.
/// </summary>
internal static class ExportFunnel
{
    /// <summary>The step's operation name in an answer's provenance.</summary>
    public const string Op = "export_funnel";

    /// <summary>The conversion window, as Mixpanel's default for funnels.</summary>
    public const int WindowDays = 30;

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    public static async Task<StepOutcome> RunAsync(InsightSources sources, IReadOnlyList<string> steps, DayRange range, DateOnly lastDay, int index, QueryBudget budget, CancellationToken cancellationToken)
    {
        var exportTo = range.To.AddDays(WindowDays) < lastDay ? range.To.AddDays(WindowDays) : (lastDay > range.To ? lastDay : range.To);
        // One export request for the whole span: a question should not spend a sixth of the hour's export budget.
        var request = new StreamEventsRequest(range.From, exportTo) { Events = [.. steps.Distinct(StringComparer.Ordinal)], WindowDays = Math.Min(exportTo.DayNumber - range.From.DayNumber + 1, FetchEventsRequest.MaxWindowDays) };
        var query = new FunnelQuery(steps, range.From, range.To) { WindowLength = WindowDays, WindowUnit = WindowUnit.Day };
        var purpose = $"export of {string.Join(", ", request.Events)} {range.From:yyyy-MM-dd}..{exportTo:yyyy-MM-dd} for the funnel {string.Join(" → ", steps)} (1 Export API request, not a Query API call)";
        var step = new ValidStep(index, Op, new ExportFunnelRequest(request, query), purpose, new Dictionary<string, object?>
        {
            ["steps"] = steps,
            ["from_date"] = Day(range.From),
            ["to_date"] = Day(range.To),
            ["export_to_date"] = Day(exportTo),
            ["window_days"] = WindowDays,
        });
        var run = await budget.RunAsync(purpose, 0, ct => CountAsync(sources, request, query, ct), cancellationToken).ConfigureAwait(false);
        if (!run.Ok)
        {
            return new StepOutcome(step, null, run.Error);
        }

        var overall = run.Value!.Overall;
        var summary = $"Funnel {string.Join(" → ", overall.Steps.Select(s => $"{s.Event} {ResultDigest.N(s.Count)}"))}, {range}, from the export; overall {DeterministicAnswer.Percent(overall.ConversionRate)}";
        var data = new JsonObject
        {
            ["funnel_id"] = null,
            ["name"] = null,
            ["entered"] = overall.Entered,
            ["completed"] = overall.Completed,
            ["conversion"] = overall.ConversionRate,
            ["steps"] = new JsonArray([.. overall.Steps.Select(s => new JsonObject { ["event"] = s.Event, ["count"] = s.Count, ["step_conversion"] = s.StepConversion })]),
        };
        return new StepOutcome(step, new Digest(summary, data), null);
    }

    private static async Task<FunnelResult> CountAsync(InsightSources sources, StreamEventsRequest request, FunnelQuery query, CancellationToken cancellationToken)
    {
        // The export is spooled to a temporary file (memory stays flat however many events) and then loaded.
        var spool = Path.Combine(Path.GetTempPath(), "mixpanel-data-funnel-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            await using (file.ConfigureAwait(false))
            {
                var json = new Utf8JsonWriter(file);
                await using (json.ConfigureAwait(false))
                {
                    await foreach (var e in sources.Fetch.StreamEventsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        json.WriteStartObject();
                        json.WriteString("event", e.Name);
                        json.WritePropertyName("properties");
                        e.Properties.WriteTo(json);
                        json.WriteEndObject();
                        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                        json.Reset();
                        await file.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
                    }
                }

                file.Position = 0;
                var store = LocalStore.OpenInMemory();
                await using (store.ConfigureAwait(false))
                {
                    await store.IngestEventsAsync("events", file, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return await new LocalAnalytics(store).FunnelAsync(query, "events", cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            File.Delete(spool);
        }
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>An ad-hoc funnel computed from the export: the export request and the local funnel query run over it.</summary>
/// <param name="Export">The Export API request (the named events over the range and the conversion window).</param>
/// <param name="Funnel">The funnel counted over the exported events.</param>
public sealed record ExportFunnelRequest(StreamEventsRequest Export, FunnelQuery Funnel);
