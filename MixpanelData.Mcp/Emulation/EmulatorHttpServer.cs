using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MixpanelData.Emulation;

namespace MixpanelData.Mcp.Emulation;

/// <summary>
/// Serves a <see cref="MixpanelEmulator"/> over HTTP on a loopback port with Kestrel, so that any Mixpanel client
/// (ours through <c>MP_QUERY_URL</c> and friends, curl, someone else's SDK) can be pointed at it.
/// Requests are handed to the emulator unchanged; streamed answers stay streamed.
/// </summary>
internal sealed class EmulatorHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorHttpServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:9100/</c>.</summary>
    public Uri BaseUri { get; }

    /// <exception cref="IOException">The port is taken; the message says which.</exception>
    public static async Task<EmulatorHttpServer> StartAsync(MixpanelEmulator emulator, IPAddress address, int port, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(address, port));
        var app = builder.Build();
        var invoker = new HttpMessageInvoker(emulator, disposeHandler: false);
        app.Run(context => BridgeAsync(context, invoker));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"Port {port} on {address} is already in use; choose another with --port.", ex);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorHttpServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task BridgeAsync(HttpContext context, HttpMessageInvoker invoker)
    {
        var incoming = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(incoming.Method), $"{incoming.Scheme}://{incoming.Host}{incoming.PathBase}{incoming.Path}{incoming.QueryString}");
        if (incoming.ContentLength is > 0 || incoming.Headers.TransferEncoding.Count > 0)
        {
            var body = new MemoryStream();
            await incoming.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
            body.Position = 0;
            message.Content = new StreamContent(body);
            if (incoming.ContentType is { } contentType)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var header in incoming.Headers)
        {
            if (header.Key is "Authorization" or "Accept-Encoding" or "Accept")
            {
                message.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        using var response = await invoker.SendAsync(message, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            context.Response.Headers[header.Key] = header.Value.ToArray();
        }

        context.Response.Headers.Remove("Transfer-Encoding");
        try
        {
            // Send the headers at once and every piece as it comes, as Mixpanel's export does: a client sees
            // the stream start before it ends (or breaks).
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // A stream fault (or a real failure) mid-body: break the connection as Mixpanel's edge would. The pause
            // lets the bytes already sent reach the client first; an immediate reset can make the kernel discard
            // them, which would look like a failure before the response rather than in the middle of it.
            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None).ConfigureAwait(false);
            context.Abort();
        }
    }
}
