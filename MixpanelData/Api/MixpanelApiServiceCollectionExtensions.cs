using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Http;
using Refit;

namespace MixpanelData.Api;

/// <summary>Registers the Api interfaces as Refit generated clients, each on its family's Http core pipeline.</summary>
internal static class MixpanelApiServiceCollectionExtensions
{
    /// <summary>Adds <see cref="IQueryApi"/> (and the other families' interfaces) on the pipelines of <c>AddMixpanelHttp</c>.</summary>
    public static IServiceCollection AddMixpanelApi(this IServiceCollection services)
    {
        services.AddRefitGeneratedClient<IQueryApi>(Settings).AddMixpanelPipeline(ApiFamily.Query);
        services.AddRefitGeneratedClient<IAppApi>(Settings).AddMixpanelPipeline(ApiFamily.App);
        services.AddRefitGeneratedClient<IEngageApi>(Settings).AddMixpanelPipeline(ApiFamily.Query);
        services.AddRefitGeneratedClient<IExportApi>(Settings).AddMixpanelPipeline(ApiFamily.Export);
        return services;
    }

    private static RefitSettings Settings(IServiceProvider services)
    {
        var context = services.GetRequiredService<MixpanelHttpContext>();
        return new RefitSettings
        {
            ContentSerializer = new SystemTextJsonContentSerializer(new JsonSerializerOptions { TypeInfoResolver = MixpanelJsonContext.Default }),

            // Error statuses and failed connections were already turned into the library's exceptions by the Http core.
            ExceptionFactory = _ => ValueTask.FromResult<Exception?>(null),
            TransportExceptionFactory = (_, exception, _) => exception,
            DeserializationExceptionFactory = async (response, exception) =>
            {
                var path = response.RequestMessage?.RequestUri?.AbsolutePath ?? string.Empty;
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return new InvalidResponseException(
                    $"Mixpanel's answer at {path} is not the JSON expected: {exception.Message}",
                    response.StatusCode, path, ErrorMapper.Excerpt(body, context.Resolved?.Credentials.Secret), exception);
            },
        };
    }
}
