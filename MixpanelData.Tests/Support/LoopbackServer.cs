using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MixpanelData.Tests.Support;

/// <summary>What the server saw of one request.</summary>
public sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A real Kestrel server on a loopback port in the test process, answering with the handler the test gives.
/// It records every request it receives.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SeenRequest> _seen = new();

    private LoopbackServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public IReadOnlyList<SeenRequest> Requests => [.. _seen];

    public static async Task<LoopbackServer> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        LoopbackServer? server = null;
        app.Run(async context =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            server!._seen.Enqueue(new SeenRequest(
                context.Request.Method,
                context.Request.Path.Value ?? string.Empty,
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
            await handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new LoopbackServer(app, new Uri(address));
        return server;
    }

    /// <summary>Endpoints whose three bases all point at this server, under <paramref name="prefix"/>.</summary>
    public MixpanelData.Configuration.MixpanelEndpoints Endpoints(string prefix = "") => new(
        new Uri(BaseUri, $"{prefix}/api/query"),
        new Uri(BaseUri, $"{prefix}/api/2.0"),
        new Uri(BaseUri, $"{prefix}/api/app"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
