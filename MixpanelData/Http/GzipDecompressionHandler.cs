using System.IO.Compression;

namespace MixpanelData.Http;

/// <summary>
/// Asks for gzip and inflates gzip responses, whatever the primary handler is (sockets or the in-process
/// emulator), so every layer above sees plain bodies. The export stream stays a stream.
/// </summary>
internal sealed class GzipDecompressionHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Headers.AcceptEncoding.Any(e => e.Value == "gzip"))
        {
            request.Headers.AcceptEncoding.Add(new("gzip"));
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var content = response.Content;
        if (content is not null && content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase))
        {
            var compressed = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var inflated = new StreamContent(new GZipStream(compressed, CompressionMode.Decompress));
            foreach (var header in content.Headers)
            {
                if (header.Key is not ("Content-Encoding" or "Content-Length"))
                {
                    inflated.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            response.Content = inflated;
        }

        return response;
    }
}
