using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Retry;

namespace MixpanelData.Http;

/// <summary>
/// The one HTTP pipeline every Mixpanel call goes through: authentication, <c>project_id</c>/<c>workspace_id</c>,
/// default headers, gzip, client-side rate limits, retries with jittered backoff that honour <c>Retry-After</c>,
/// per-attempt timeouts, cancellation, and mapping of error statuses to typed exceptions.
/// Thread-safe: one connection serves any number of concurrent calls.
/// </summary>
internal sealed class MixpanelConnection : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly bool _ownsLimiter;
    private readonly string _authorization;

    public MixpanelConnection(MixpanelClientOptions options, MixpanelRateLimiter? sharedLimiter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _ownsLimiter = sharedLimiter is null;
        RateLimiter = sharedLimiter ?? new MixpanelRateLimiter(options.RateLimits, options.TimeProvider);
        _authorization = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Credentials.Username}:{options.Credentials.Secret}"));

        var primary = options.PrimaryHandler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(new GzipDecompressionHandler(primary), disposeHandler: options.PrimaryHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("MixpanelData.NET", typeof(MixpanelConnection).Assembly.GetName().Version?.ToString(3) ?? "0"));
        _retry = BuildRetry(options);
    }

    public MixpanelClientOptions Options { get; }

    public MixpanelRateLimiter RateLimiter { get; }

    /// <summary>Sends the request and returns its body once it succeeded; error statuses throw the typed exception.</summary>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken cancellationToken = default)
    {
        var path = RequestPath(request);
        using var response = await ExecuteAsync(request, path, bufferBody: true, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfFailed(response, path, body);
        return new ApiResponse(response.StatusCode, body, path);
    }

    /// <summary>Sends the request and deserialises its JSON body.</summary>
    public async Task<T> SendJsonAsync<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(response.Body, typeInfo)
                ?? throw new InvalidResponseException($"Mixpanel answered {response.Path} with an empty JSON body.", response.Status, response.Path, null);
        }
        catch (JsonException ex)
        {
            throw new InvalidResponseException(
                $"Mixpanel's answer at {response.Path} is not the JSON expected: {ex.Message}",
                response.Status, response.Path, ErrorMapper.Excerpt(Encoding.UTF8.GetString(response.Body), Options.Credentials.Secret), ex);
        }
    }

    /// <summary>
    /// Opens a streamed response (the export JSONL). Retries cover the request until its headers arrive;
    /// the returned stream holds the concurrent-request slot until it is disposed.
    /// </summary>
    public async Task<ApiStream> OpenStreamAsync(ApiRequest request, CancellationToken cancellationToken = default)
    {
        var path = RequestPath(request);
        var lease = new LeaseHolder();
        var response = await ExecuteAsync(request, path, bufferBody: false, cancellationToken, lease).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                ThrowIfFailed(response, path, body);
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ApiStream(stream, response, lease.Take(), path);
        }
        catch
        {
            response.Dispose();
            lease.Take()?.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_ownsLimiter)
        {
            await RateLimiter.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The request's URL path, for messages: never the query string, never credentials.</summary>
    internal string RequestPath(ApiRequest request) => BaseOf(request.Family).AbsolutePath.TrimEnd('/') + "/" + request.Path.TrimStart('/');

    internal Uri BuildUri(ApiRequest request)
    {
        var parameters = new List<KeyValuePair<string, string?>>();
        if (request.ProjectScoped)
        {
            parameters.Add(new("project_id", Options.Credentials.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (Options.WorkspaceId is { } workspace && request.Family != ApiFamily.Export)
            {
                parameters.Add(new("workspace_id", workspace.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        parameters.AddRange(request.Query);
        var query = Encode(parameters);
        var baseUri = BaseOf(request.Family).AbsoluteUri.TrimEnd('/');
        return new Uri($"{baseUri}/{request.Path.TrimStart('/')}{(query.Length > 0 ? "?" + query : string.Empty)}");
    }

    private Uri BaseOf(ApiFamily family) => family switch
    {
        ApiFamily.Query => Options.Endpoints.Query,
        ApiFamily.Export => Options.Endpoints.Export,
        _ => Options.Endpoints.App,
    };

    private async Task<HttpResponseMessage> ExecuteAsync(ApiRequest request, string path, bool bufferBody, CancellationToken cancellationToken, LeaseHolder? keepLease = null)
    {
        var uri = BuildUri(request);
        var timeout = request.Family == ApiFamily.Export ? Options.ExportTimeout : Options.QueryTimeout;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await _retry.ExecuteAsync(
                async ctx =>
                {
                    var lease = await RateLimiter.AcquireAsync(request.Family, request.IsCounted, path, Options.MaxRateLimitWait, Options.OnRateLimitWait, ctx.CancellationToken).ConfigureAwait(false);
                    var keep = false;
                    try
                    {
                        Options.OnApiCall?.Invoke(new ApiCallSent(request.Family, path, request.IsCounted));
                        var response = await AttemptAsync(request, uri, path, timeout, bufferBody, ctx.CancellationToken).ConfigureAwait(false);
                        RateLimiter.Learn(request.Family, HeaderValue(response, "RateLimit-Policy"));
                        if (keepLease is not null && response.IsSuccessStatusCode)
                        {
                            keepLease.Set(lease);
                            keep = true;
                        }

                        return response;
                    }
                    finally
                    {
                        if (!keep)
                        {
                            lease.Dispose();
                        }
                    }
                },
                context).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new TransportException($"Could not reach Mixpanel at {path}: {ex.Message}", path, ex);
        }
        catch (IOException ex)
        {
            throw new TransportException($"The connection to Mixpanel broke at {path}: {ex.Message}", path, ex);
        }
        catch (AttemptTimeoutException ex)
        {
            throw new TransportException($"Mixpanel did not answer {path} within {timeout.TotalSeconds:0} s (tried {Options.Retry.MaxRetries + 1} times).", path, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<HttpResponseMessage> AttemptAsync(ApiRequest request, Uri uri, string path, TimeSpan timeout, bool bufferBody, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, uri);
        message.Headers.Authorization = new AuthenticationHeaderValue("Basic", _authorization);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in Options.DefaultHeaders)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Form is not null)
        {
            message.Content = new FormUrlEncodedContent(request.Form.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)));
        }
        else if (request.JsonBody is not null)
        {
            message.Content = new StringContent(request.JsonBody, Encoding.UTF8, "application/json");
        }

        using var attemptTimeout = new CancellationTokenSource(timeout, Options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (bufferBody || !response.IsSuccessStatusCode)
            {
                try
                {
                    await response.Content.LoadIntoBufferAsync(linked.Token).ConfigureAwait(false);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }

            return response;
        }
        catch (OperationCanceledException ex) when (attemptTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AttemptTimeoutException(path, ex);
        }
    }

    private void ThrowIfFailed(HttpResponseMessage response, string path, byte[] body)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(body);
        throw ErrorMapper.Map(response.StatusCode, path, text, RetryAfter(response, Options.TimeProvider), Options.Credentials.Secret);
    }

    private ResiliencePipeline<HttpResponseMessage> BuildRetry(MixpanelClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        if (options.Retry.MaxRetries == 0)
        {
            return builder.Build();
        }

        return builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = options.Retry.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            Delay = options.Retry.BaseDelay,
            MaxDelay = null,
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayFor(args.Outcome, args.AttemptNumber)),
            OnRetry = async args =>
            {
                if (args.Outcome.Result is { } failed)
                {
                    if (failed.StatusCode == HttpStatusCode.TooManyRequests && options.OnRateLimitWait is { } notify)
                    {
                        var path = failed.RequestMessage?.RequestUri?.AbsolutePath ?? string.Empty;
                        var family = path.StartsWith(options.Endpoints.Export.AbsolutePath, StringComparison.Ordinal) && options.Endpoints.Export.Host == failed.RequestMessage?.RequestUri?.Host
                            ? ApiFamily.Export
                            : ApiFamily.Query;
                        await notify(new RateLimitWait(family, RateLimitKind.Server, args.RetryDelay, path)).ConfigureAwait(false);
                    }

                    failed.Dispose();
                }
            },
        }).Build();
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or IOException or AttemptTimeoutException;
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (status == 429)
        {
            // A server wait longer than the caller allows is not retried: the caller gets the retry time instead.
            return Options.MaxRateLimitWait is not { } limit || (RetryAfter(response, Options.TimeProvider) ?? TimeSpan.Zero) <= limit;
        }

        return status >= 500;
    }

    private TimeSpan DelayFor(Outcome<HttpResponseMessage> outcome, int attemptNumber)
    {
        if (outcome.Result is { } response && RetryAfter(response, Options.TimeProvider) is { } serverSaid)
        {
            return serverSaid;
        }

        // Exponential backoff with jitter: between half and all of base * 2^attempt, capped.
        var retry = Options.Retry;
        var exponential = retry.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attemptNumber, 20));
        var capped = Math.Min(exponential, retry.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
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

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    private static string Encode(IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    /// <summary>One attempt took longer than its per-attempt timeout (retried; the caller's token did not fire).</summary>
    private sealed class AttemptTimeoutException(string path, Exception inner)
        : TimeoutException($"No answer from {path} in time.", inner);

    private sealed class LeaseHolder
    {
        private IDisposable? _lease;

        public void Set(IDisposable lease)
        {
            _lease?.Dispose();
            _lease = lease;
        }

        public IDisposable? Take()
        {
            var lease = _lease;
            _lease = null;
            return lease;
        }
    }
}

/// <summary>A successful, buffered response.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, byte[] Body, string Path);

/// <summary>A streamed response body that releases its HTTP response and rate-limit slot when disposed.</summary>
internal sealed class ApiStream(Stream body, HttpResponseMessage response, IDisposable? lease, string path) : IAsyncDisposable
{
    public Stream Body { get; } = body;

    public string Path { get; } = path;

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync().ConfigureAwait(false);
        response.Dispose();
        lease?.Dispose();
    }
}
