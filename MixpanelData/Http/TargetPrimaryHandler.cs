using System.Net;

namespace MixpanelData.Http;

/// <summary>
/// The innermost handler of every pipeline: the target's own handler when it has one (the in-process emulator, a test
/// handler), otherwise real sockets. Handlers given by the caller are borrowed, never disposed here.
/// </summary>
internal sealed class TargetPrimaryHandler(MixpanelHttpContext context) : HttpMessageHandler
{
    private readonly Lazy<HttpMessageInvoker> _sockets = new(() => new HttpMessageInvoker(
        new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        },
        disposeHandler: true));

    private HttpMessageInvoker? _borrowed;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = await context.TargetAsync(cancellationToken).ConfigureAwait(false);
        var invoker = target.PrimaryHandler is { } primary
            ? _borrowed ??= new HttpMessageInvoker(primary, disposeHandler: false)
            : _sockets.Value;
        return await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _sockets.IsValueCreated)
        {
            _sockets.Value.Dispose();
        }

        base.Dispose(disposing);
    }
}
