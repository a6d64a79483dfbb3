using Microsoft.Extensions.DependencyInjection;

namespace MixpanelData.Http;

/// <summary>
/// Composes the Http core on <c>IHttpClientFactory</c>: one pipeline shape for every client of a family, built here
/// and nowhere else.
/// </summary>
internal static class MixpanelHttpServiceCollectionExtensions
{
    /// <summary>The named client of a family, for requests that do not go through an Api interface (region probing).</summary>
    public static string ClientName(ApiFamily family) => "MixpanelData." + family;

    /// <summary>Registers <paramref name="context"/> and a named raw client per family.</summary>
    public static IServiceCollection AddMixpanelHttp(this IServiceCollection services, MixpanelHttpContext context)
    {
        services.AddSingleton(context);
        foreach (var family in Enum.GetValues<ApiFamily>())
        {
            services.AddHttpClient(ClientName(family)).AddMixpanelPipeline(family);
        }

        return services;
    }

    /// <summary>
    /// The pipeline of <paramref name="family"/>, outermost first: address, auth and error mapping → resilience (total
    /// timeout, retry, client-side rate limits, attempt timeout) → reading Query/App bodies within the attempt → gzip →
    /// the target's handler or sockets.
    /// </summary>
    public static IHttpClientBuilder AddMixpanelPipeline(this IHttpClientBuilder builder, ApiFamily family)
    {
        builder.ConfigureHttpClient(client =>
        {
            client.BaseAddress = MixpanelRequestOptions.PlaceholderBase(family);
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        builder.ConfigurePrimaryHttpMessageHandler(services => new TargetPrimaryHandler(services.GetRequiredService<MixpanelHttpContext>()));
        builder.AddHttpMessageHandler(services => new MixpanelRequestHandler(family, services.GetRequiredService<MixpanelHttpContext>()));
        builder.AddResilienceHandler("MixpanelData." + family, (pipeline, handler) =>
            MixpanelResilience.Configure(pipeline, family, handler.ServiceProvider.GetRequiredService<MixpanelHttpContext>()));
        builder.AddHttpMessageHandler(() => new BodyBufferHandler(family));
        builder.AddHttpMessageHandler(() => new GzipDecompressionHandler());

        // The handlers hold no DNS-bound state of their own (sockets recycle their connections), and a borrowed
        // primary handler (the emulator) must not be disposed under a caller: keep one chain for the container's life.
        builder.SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return builder;
    }
}
