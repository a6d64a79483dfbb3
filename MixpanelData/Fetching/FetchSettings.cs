using MixpanelData.Http;

namespace MixpanelData.Fetching;

/// <summary>How a day whose stream broke off is tried again.</summary>
internal sealed record FetchSettings(int MaxRetries, TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan IdleTimeout, TimeProvider Time)
{
    /// <summary>A failure that a new request for the same day can cure: the body broke off, stalled or ended with <c>terminated early</c>.</summary>
    public static bool IsBrokenStream(Exception error, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && error is IOException or HttpRequestException or InvalidDataException
            or LocalStoreException { ErrorType: Storage.LocalStore.TerminatedEarlyError };

    public async Task BackoffAsync(int attempt, CancellationToken cancellationToken)
    {
        // Exponential with jitter (half to all of it), like the HTTP core's retries.
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The error once a day has failed every attempt; <paramref name="cause"/> null means <c>terminated early</c>.</summary>
    public MixpanelApiException GiveUp(DateOnly day, int attempts, Exception? cause)
    {
        var when = ExportPlan.Iso(day);
        if (cause is null or LocalStoreException { ErrorType: Storage.LocalStore.TerminatedEarlyError })
        {
            return new InvalidResponseException(
                $"The export of {when} ended with \"terminated early\" on all {attempts} attempts: Mixpanel stopped before the end of the day, so the data would be incomplete. Try again later or narrow the request (events, where).",
                null, "export", "terminated early", cause);
        }

        return new TransportException($"The export stream of {when} broke off on all {attempts} attempts ({cause.Message}).", "export", cause);
    }
}
