using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Http;

namespace MixpanelData.Tests;

/// <summary>
/// A request a test sends straight through a connection's Http core (the family's named <see cref="HttpClient"/>):
/// the Http tests exercise the pipeline itself and the emulator tests its wire, below the Api interfaces. The library
/// has no such path; its requests are Api interface calls.
/// </summary>
internal sealed record PipelineRequest(ApiFamily Family, string Path)
{
    public HttpMethod Method { get; init; } = HttpMethod.Get;

    /// <summary>URL query parameters; null values are left out.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Query { get; init; } = [];

    /// <summary>A form body (POST); null values are left out.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? Form { get; init; }

    /// <summary>A JSON body (POST) instead of a form.</summary>
    public string? JsonBody { get; init; }

    public HttpRequestMessage Message()
    {
        var query = string.Join("&", Query.Where(p => p.Value is not null).Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value!)));
        var message = new HttpRequestMessage(Method, new Uri(Path.TrimStart('/') + (query.Length > 0 ? "?" + query : string.Empty), UriKind.Relative));
        if (Form is not null)
        {
            message.Content = new FormUrlEncodedContent(Form.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)));
        }
        else if (JsonBody is not null)
        {
            message.Content = new StringContent(JsonBody, Encoding.UTF8, "application/json");
        }

        return message;
    }
}

/// <summary>A successful, buffered answer.</summary>
internal sealed record PipelineResponse(HttpStatusCode Status, byte[] Body, string Path)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>A streamed answer; disposing it releases the response (and its concurrent slot).</summary>
internal sealed class PipelineStream(Stream body, HttpResponseMessage response) : IAsyncDisposable
{
    public Stream Body { get; } = body;

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync();
        response.Dispose();
    }
}

internal static class PipelineCalls
{
    private static HttpClient Client(MixpanelConnection connection, ApiFamily family) =>
        connection.Services.GetRequiredService<IHttpClientFactory>().CreateClient(MixpanelHttpServiceCollectionExtensions.ClientName(family));

    /// <summary>Sends the request through the family's pipeline; an error status throws the library's typed exception there.</summary>
    public static async Task<PipelineResponse> SendAsync(this MixpanelConnection connection, PipelineRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await Client(connection, request.Family).SendAsync(request.Message(), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new PipelineResponse(response.StatusCode, body, response.RequestMessage?.RequestUri?.AbsolutePath ?? request.Path);
    }

    /// <summary>Opens a streamed answer (the export's JSONL) through the family's pipeline.</summary>
    public static async Task<PipelineStream> OpenStreamAsync(this MixpanelConnection connection, PipelineRequest request, CancellationToken cancellationToken = default)
    {
        var response = await Client(connection, request.Family).SendAsync(request.Message(), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            return new PipelineStream(await response.Content.ReadAsStreamAsync(cancellationToken), response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
