using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace MixpanelData.Http;

/// <summary>
/// One project's Http core, composed: a service provider holding the per-family <c>IHttpClientFactory</c> pipelines
/// (<see cref="MixpanelHttpServiceCollectionExtensions.AddMixpanelPipeline"/>) and whatever else the composer
/// registered on them (the Api interfaces). It can also send a request described by an <see cref="ApiRequest"/> through
/// the same pipeline, for callers below the Api layer (region probing) and for wire-level tests.
/// Thread-safe: one connection serves any number of concurrent calls.
/// </summary>
internal sealed class MixpanelConnection : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IHttpClientFactory _clients;

    /// <summary>A connection to <paramref name="options"/>' endpoints, with the project's shared limiter when given.</summary>
    public MixpanelConnection(MixpanelClientOptions options, MixpanelRateLimiter? sharedLimiter = null)
        : this(new MixpanelHttpContext(options, sharedLimiter))
    {
    }

    /// <summary>A connection on <paramref name="context"/>; <paramref name="compose"/> registers more services on it (the Api interfaces).</summary>
    public MixpanelConnection(MixpanelHttpContext context, Action<IServiceCollection>? compose = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
        var services = new ServiceCollection();
        services.AddMixpanelHttp(context);
        compose?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _clients = _services.GetRequiredService<IHttpClientFactory>();
    }

    public MixpanelHttpContext Context { get; }

    public MixpanelClientOptions Options => Context.Options;

    /// <summary>The services composed on this connection.</summary>
    public IServiceProvider Services => _services;

    /// <summary>The project's limiter (resolved with the target; only valid once a call went out or for a context known up front).</summary>
    public MixpanelRateLimiter RateLimiter => Context.Resolved?.RateLimiter ?? throw new InvalidOperationException("The connection has not resolved its target yet.");

    /// <summary>Sends the request and returns its body once it succeeded; error statuses throw the typed exception.</summary>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await _clients.CreateClient(MixpanelHttpServiceCollectionExtensions.ClientName(request.Family))
            .SendAsync(Message(request), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new ApiResponse(response.StatusCode, body, response.RequestMessage?.RequestUri?.AbsolutePath ?? request.Path);
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
        ArgumentNullException.ThrowIfNull(request);
        var response = await _clients.CreateClient(MixpanelHttpServiceCollectionExtensions.ClientName(request.Family))
            .SendAsync(Message(request), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ApiStream(stream, response, response.RequestMessage?.RequestUri?.AbsolutePath ?? request.Path);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await Context.DisposeAsync().ConfigureAwait(false);
    }

    private static HttpRequestMessage Message(ApiRequest request)
    {
        var query = Encode(request.Query);
        var message = new HttpRequestMessage(request.Method, new Uri(request.Path.TrimStart('/') + (query.Length > 0 ? "?" + query : string.Empty), UriKind.Relative));
        message.Options.Set(MixpanelRequestOptions.ProjectScoped, request.ProjectScoped);

        if (request.Counted is { } counted)
        {
            message.Options.Set(MixpanelRequestOptions.Counted, counted);
        }

        if (request.Form is not null)
        {
            message.Content = new FormUrlEncodedContent(request.Form.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)));
        }
        else if (request.JsonBody is not null)
        {
            message.Content = new StringContent(request.JsonBody, Encoding.UTF8, "application/json");
        }

        return message;
    }

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
}

/// <summary>A successful, buffered response.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, byte[] Body, string Path);

/// <summary>A streamed response body that releases its HTTP response and rate-limit slot when disposed.</summary>
internal sealed class ApiStream(Stream body, HttpResponseMessage response, string path) : IAsyncDisposable
{
    public Stream Body { get; } = body;

    public string Path { get; } = path;

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync().ConfigureAwait(false);
        response.Dispose();
    }
}
