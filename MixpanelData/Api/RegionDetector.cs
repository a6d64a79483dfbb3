using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MixpanelData.Configuration;
using MixpanelData.Http;

namespace MixpanelData.Api;

/// <summary>
/// Finds the region a service account belongs to the way Mixpanel's own tools do: <c>GET /api/app/me</c>
/// on us, then eu, then in; the first 200 wins, a wrong region answers 401. Each probe is an <see cref="IAppApi.MeAsync"/>
/// call on a connection to that region's endpoints (its own pipeline, client-side limits off).
/// </summary>
public static class RegionDetector
{
    /// <summary>Probes the regions in order and returns the first that accepts the credentials.</summary>
    /// <param name="options">Client options; their <see cref="MixpanelClientOptions.Endpoints"/> are replaced per region probed.</param>
    /// <param name="endpointsFor">The endpoints to probe for a region (defaults to the documented hosts).</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <exception cref="AuthenticationException">Every region refused the credentials.</exception>
    public static async Task<MixpanelRegion> DetectAsync(
        MixpanelClientOptions options,
        Func<MixpanelRegion, MixpanelEndpoints>? endpointsFor = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        endpointsFor ??= MixpanelEndpoints.ForRegion;
        var tried = new List<string>();
        foreach (var region in MixpanelRegions.ProbeOrder)
        {
            var endpoints = endpointsFor(region);
            var connection = new MixpanelConnection(
                new MixpanelHttpContext(options with { Endpoints = endpoints, RateLimits = options.RateLimits with { Disabled = true } }),
                services => services.AddMixpanelApi());
            await using var owned = connection.ConfigureAwait(false);
            try
            {
                await connection.Services.GetRequiredService<IAppApi>().MeAsync(cancellationToken).ConfigureAwait(false);
                return region;
            }
            catch (AuthenticationException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized)
            {
                tried.Add($"{region.ToConfigString()} ({endpoints.App.Host})");
            }
        }

        throw new AuthenticationException(
            $"No Mixpanel region accepted the service account '{options.Credentials.Username}' (tried {string.Join(", ", tried)}). Check the username and secret, or set the region explicitly.",
            HttpStatusCode.Unauthorized, "/api/app/me", null, null);
    }
}
