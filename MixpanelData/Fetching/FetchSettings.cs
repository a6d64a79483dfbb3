using Polly;

namespace MixpanelData.Fetching;

/// <summary>
/// How a window whose stream broke off is tried again: <paramref name="DayRetry"/> is the Http core's retry
/// (<see cref="Http.MixpanelResilience.StreamRetry"/>, built once per workspace from its retry options and clock),
/// run over a whole window (that window alone is requested again); <paramref name="MaxRetries"/> is its retry count, for messages.
/// </summary>
internal sealed record FetchSettings(ResiliencePipeline DayRetry, int MaxRetries, TimeSpan IdleTimeout, TimeProvider Time)
{
    /// <summary>A failure that a new request for the same window can cure: the body broke off, stalled or ended with <c>terminated early</c>.</summary>
    public static bool IsBrokenStream(Exception error) =>
        error is IOException or HttpRequestException or InvalidDataException
            or LocalStoreException { ErrorType: Storage.LocalStore.TerminatedEarlyError };

    /// <summary>The error once a window has failed every attempt.</summary>
    public MixpanelApiException GiveUp(ExportWindow window, int attempts, Exception cause)
    {
        var when = window.ToString();
        if (cause is TerminatedEarlyException or LocalStoreException { ErrorType: Storage.LocalStore.TerminatedEarlyError })
        {
            return new InvalidResponseException(
                $"The export of {when} ended with \"terminated early\" on all {attempts} attempts: Mixpanel stopped before the end of the range, so the data would be incomplete. Try again later, narrow the request (events, where) or use shorter windows (window days).",
                null, "export", "terminated early", cause);
        }

        return new TransportException($"The export stream of {when} broke off on all {attempts} attempts ({cause.Message}).", "export", cause);
    }

    /// <summary>
    /// Runs <paramref name="window"/>'s work under <see cref="DayRetry"/>; a failure that survives every attempt becomes
    /// <see cref="GiveUp"/>'s error. <paramref name="retried"/> is told of each new attempt.
    /// </summary>
    public async Task<T> RunWindowAsync<T>(ExportWindow window, Func<CancellationToken, Task<T>> work, Action retried, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            return await DayRetry.ExecuteAsync(
                async ct =>
                {
                    if (++attempts > 1)
                    {
                        retried();
                    }

                    return await work(ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsBrokenStream(ex))
        {
            throw GiveUp(window, attempts, ex);
        }
    }
}

/// <summary>An export stream ended with Mixpanel's <c>terminated early</c> line: the window is incomplete and is asked for again.</summary>
internal sealed class TerminatedEarlyException(ExportWindow window)
    : IOException($"The export of {window} ended with \"terminated early\".");
