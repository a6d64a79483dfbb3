namespace MixpanelData.Http;

/// <summary>
/// Below the attempt timeout: reads a Query or App answer (and any error answer) to its end within the attempt, so the
/// timeout covers the body and a body that breaks off is retried. A successful export is left a stream.
/// </summary>
internal sealed class BodyBufferHandler(ApiFamily family) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (family == ApiFamily.Export && response.IsSuccessStatusCode)
        {
            return response;
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        return response;
    }
}
