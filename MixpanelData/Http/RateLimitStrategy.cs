using System.Net;
using Polly;

namespace MixpanelData.Http;

/// <summary>
/// The client-side rate limits as a strategy of the family's resilience pipeline, between the retry and the attempt
/// timeout: every attempt (retries too) queues for the project's budgets (<see cref="MixpanelRateLimiter"/>:
/// concurrency, rolling hour, per second) before it is sent, and the wait never counts against the attempt's timeout.
/// Each attempt is told to <see cref="MixpanelClientOptions.OnApiCall"/>, and the limiter learns the quota of a
/// <c>RateLimit-Policy</c> answer. A successful export keeps its concurrent slot until its stream is disposed.
/// </summary>
internal sealed class RateLimitStrategy(ApiFamily family, MixpanelHttpContext context) : ResilienceStrategy<HttpResponseMessage>
{
    /// <summary>Adds the strategy to a family's pipeline.</summary>
    public static void AddTo(ResiliencePipelineBuilder<HttpResponseMessage> builder, ApiFamily family, MixpanelHttpContext context) =>
        builder.AddStrategy(_ => new RateLimitStrategy(family, context), new Options());

    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback, ResilienceContext resilienceContext, TState state)
    {
        var request = resilienceContext.GetRequestMessage()
            ?? throw new InvalidOperationException("The rate-limit strategy runs only inside an HTTP resilience handler.");
        var cancellationToken = resilienceContext.CancellationToken;
        IDisposable? lease;
        MixpanelTarget target;
        bool counted;
        var path = request.RequestUri!.AbsolutePath;
        try
        {
            target = await context.TargetAsync(cancellationToken).ConfigureAwait(false);
            counted = await IsCountedAsync(request, target, cancellationToken).ConfigureAwait(false);
            lease = await target.RateLimiter.AcquireAsync(family, counted, path, context.Options.MaxRateLimitWait, context.Options.OnRateLimitWait, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<HttpResponseMessage>(ex);
        }

        try
        {
            context.Options.OnApiCall?.Invoke(new ApiCallSent(family, path, counted));
            var outcome = await callback(resilienceContext, state).ConfigureAwait(false);
            if (outcome.Result is { } response)
            {
                target.RateLimiter.Learn(family, response.Headers.TryGetValues("RateLimit-Policy", out var policy) ? string.Join(", ", policy) : null);
                if (family == ApiFamily.Export && response.IsSuccessStatusCode)
                {
                    response.Content = new LeasedContent(response.Content, lease);
                    lease = null;
                }
            }

            return outcome;
        }
        finally
        {
            lease?.Dispose();
        }
    }

    private async ValueTask<bool> IsCountedAsync(HttpRequestMessage request, MixpanelTarget target, CancellationToken cancellationToken)
    {
        if (family != ApiFamily.Query)
        {
            return false;
        }

        var relative = request.RequestUri!.AbsolutePath[target.Endpoints.Query.AbsolutePath.TrimEnd('/').Length..];
        var hasSession = HasSessionId(request.RequestUri.Query.TrimStart('?'));
        if (!hasSession && request.Content is FormUrlEncodedContent form)
        {
            hasSession = HasSessionId(await form.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }

        return MixpanelRateLimiter.IsCountedQuery(relative, hasSession);
    }

    private static bool HasSessionId(string encoded) =>
        encoded.Split('&').Any(p => p.StartsWith("session_id=", StringComparison.Ordinal) && p.Length > "session_id=".Length);

    private sealed class Options : ResilienceStrategyOptions
    {
        public Options() => Name = "rate-limits";
    }

    /// <summary>An export body that gives back its concurrent-request slot when it (or the stream read from it) is disposed.</summary>
    private sealed class LeasedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private IDisposable? _lease;

        public LeasedContent(HttpContent inner, IDisposable lease)
        {
            _inner = inner;
            _lease = lease;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new ReleasingStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Release);

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream, context);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) => _inner.CopyToAsync(stream, context, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                Release();
            }

            base.Dispose(disposing);
        }

        private void Release() => Interlocked.Exchange(ref _lease, null)?.Dispose();
    }

    private sealed class ReleasingStream(Stream inner, Action release) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            release();
            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                release();
            }

            base.Dispose(disposing);
        }
    }
}
