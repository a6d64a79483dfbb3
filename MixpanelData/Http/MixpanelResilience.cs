using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MixpanelData.Http;

/// <summary>
/// The one retry and timeout policy of the library, on Polly (through Microsoft.Extensions.Http.Resilience for the
/// HTTP pipelines): jittered exponential backoff from <see cref="RetryOptions"/>, a server's <c>Retry-After</c>
/// honoured (a wait beyond <see cref="MixpanelClientOptions.MaxRateLimitWait"/> is not retried: the caller gets
/// <see cref="RateLimitedException"/> with the retry time), a per-attempt timeout that covers time to headers (and the
/// body of Query and App answers, which are read within the attempt, but never an export stream), a total timeout over
/// all attempts, and the caller's cancellation. Every wait is on the injected <see cref="TimeProvider"/>.
/// </summary>
internal static class MixpanelResilience
{
    /// <summary>Adds total timeout → retry → client-side rate limits → attempt timeout for <paramref name="family"/> to an HTTP pipeline.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ApiFamily family, MixpanelHttpContext context)
    {
        var options = context.Options;
        builder.TimeProvider = options.TimeProvider;
        var attempt = family == ApiFamily.Export ? options.ExportTimeout : options.QueryTimeout;
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total", Timeout = TotalTimeout(options, attempt) });
        if (options.Retry.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = options.Retry.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.Retry.BaseDelay,
                MaxDelay = options.Retry.MaxDelay,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, options, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response, options.TimeProvider) : null),
                OnRetry = args => NotifyServerWaitAsync(args, family, options),
            });
        }

        RateLimitStrategy.AddTo(builder, family, context);
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = attempt });
    }

    /// <summary>
    /// The same retry, for work that is not one HTTP request: a fetch asks again for a day whose export stream broke off
    /// (<paramref name="shouldRetry"/> says which failures), with the same backoff and clock.
    /// </summary>
    public static ResiliencePipeline StreamRetry(MixpanelClientOptions options, Func<Exception, bool> shouldRetry)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.Retry.MaxRetries == 0)
        {
            return builder.Build();
        }

        return builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.Retry.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.Retry.BaseDelay,
            MaxDelay = options.Retry.MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } error && !args.Context.CancellationToken.IsCancellationRequested && shouldRetry(error)),
        }).Build();
    }

    /// <summary>The server's <c>Retry-After</c> (seconds or a date), never negative; null when absent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>
    /// Every attempt at its timeout plus every backoff at its longest (a server <c>Retry-After</c> up to the allowed
    /// rate-limit wait, or an hour): a bound on a call that is stuck, not one that any working call reaches.
    /// </summary>
    internal static TimeSpan TotalTimeout(MixpanelClientOptions options, TimeSpan attempt)
    {
        var retries = options.Retry.MaxRetries;
        var longestWait = options.MaxRateLimitWait is { } max && max > options.Retry.MaxDelay ? max : TimeSpan.FromHours(1);
        return (attempt * (retries + 1)) + (longestWait * retries) + TimeSpan.FromSeconds(1);
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, MixpanelClientOptions options, CancellationToken cancellationToken)
    {
        if (outcome.Exception is { } exception)
        {
            return !cancellationToken.IsCancellationRequested && exception is HttpRequestException or IOException or TimeoutRejectedException;
        }

        var response = outcome.Result!;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // A server wait longer than the caller allows is not retried: the caller gets the retry time instead.
            return options.MaxRateLimitWait is not { } limit || (RetryAfter(response, options.TimeProvider) ?? TimeSpan.Zero) <= limit;
        }

        return (int)response.StatusCode >= 500;
    }

    private static async ValueTask NotifyServerWaitAsync(OnRetryArguments<HttpResponseMessage> args, ApiFamily family, MixpanelClientOptions options)
    {
        if (args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } failed && options.OnRateLimitWait is { } notify)
        {
            await notify(new RateLimitWait(family, RateLimitKind.Server, args.RetryDelay, failed.RequestMessage?.RequestUri?.AbsolutePath ?? string.Empty)).ConfigureAwait(false);
        }
    }
}
