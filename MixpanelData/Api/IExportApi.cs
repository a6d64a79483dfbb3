using Refit;

namespace MixpanelData.Api;

/// <summary>
/// Mixpanel's raw event export (<c>/api/2.0/export</c>): JSONL, one event per line, streamed. The Http core's
/// retries and timeouts cover the request until its headers arrive; the body is read as it comes, and the stream
/// holds one of the project's concurrent export slots until it is disposed.
/// </summary>
internal interface IExportApi
{
    /// <summary><c>GET /export</c>: the events of a range; <paramref name="events"/> is sent as a JSON array of names.</summary>
    [Get("/export")]
    Task<Stream> ExportAsync(
        [AliasAs("from_date"), Query(Format = "yyyy-MM-dd")] DateOnly fromDate,
        [AliasAs("to_date"), Query(Format = "yyyy-MM-dd")] DateOnly toDate,
        [AliasAs("event")] JsonStringArray? events,
        [AliasAs("where")] string? where,
        [AliasAs("limit")] long? limit,
        CancellationToken cancellationToken);
}
