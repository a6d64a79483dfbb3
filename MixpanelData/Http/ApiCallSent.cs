namespace MixpanelData.Http;

/// <summary>
/// Told to <see cref="MixpanelClientOptions.OnApiCall"/> each time a request is actually sent to Mixpanel (every
/// attempt, retries included), so that a caller can account for what an operation spent.
/// </summary>
/// <param name="Family">The API family the request went to.</param>
/// <param name="RequestPath">The path, without the query string, e.g. <c>/api/query/segmentation</c>.</param>
/// <param name="Counted">Whether Mixpanel counts it against the hourly budget (e.g. engage pages with a session id are free).</param>
public sealed record ApiCallSent(ApiFamily Family, string RequestPath, bool Counted);
