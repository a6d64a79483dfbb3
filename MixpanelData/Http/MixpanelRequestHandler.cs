using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Polly.Timeout;

namespace MixpanelData.Http;

/// <summary>
/// The outermost handler of a family's pipeline: points the request at the project's base URL (region and
/// overrides), adds <c>project_id</c>/<c>workspace_id</c>, basic auth, <c>Accept</c> and the extra headers; after the
/// retries it turns an error status into the typed exception of <see cref="ErrorMapper"/> and a failed connection
/// into <see cref="TransportException"/>. Nothing above the Http core sees a failed <see cref="HttpResponseMessage"/>.
/// </summary>
internal sealed class MixpanelRequestHandler(ApiFamily family, MixpanelHttpContext context) : DelegatingHandler
{
    private static readonly ProductInfoHeaderValue UserAgent = new("MixpanelData.NET", typeof(MixpanelRequestHandler).Assembly.GetName().Version?.ToString(3) ?? "0");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = await context.TargetAsync(cancellationToken).ConfigureAwait(false);
        var options = context.Options;
        var baseUri = family switch
        {
            ApiFamily.Query => target.Endpoints.Query,
            ApiFamily.Export => target.Endpoints.Export,
            _ => target.Endpoints.App,
        };
        var relative = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute.PathAndQuery : request.RequestUri?.OriginalString ?? "/";
        var path = baseUri.AbsolutePath.TrimEnd('/') + "/" + relative.Split('?', 2)[0].TrimStart('/');
        request.RequestUri = new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/" + relative.TrimStart('/') + ScopeParameters(request, relative.Contains('?', StringComparison.Ordinal), target));

        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{target.Credentials.Username}:{target.Credentials.Secret}")));
        if (request.Headers.Accept.Count == 0)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }

        request.Headers.UserAgent.Clear();
        request.Headers.UserAgent.Add(UserAgent);
        foreach (var (name, value) in options.DefaultHeaders)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new TransportException($"Could not reach Mixpanel at {path}: {ex.Message}", path, ex);
        }
        catch (IOException ex)
        {
            throw new TransportException($"The connection to Mixpanel broke at {path}: {ex.Message}", path, ex);
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var timeout = family == ApiFamily.Export ? options.ExportTimeout : options.QueryTimeout;
            throw new TransportException($"Mixpanel did not answer {path} within {timeout.TotalSeconds:0} s (tried {options.Retry.MaxRetries + 1} times).", path, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw ErrorMapper.Map(response.StatusCode, path, body, MixpanelResilience.RetryAfter(response, options.TimeProvider), target.Credentials.Secret);
        }
    }

    private string ScopeParameters(HttpRequestMessage request, bool hasQuery, MixpanelTarget target)
    {
        // The App API's paths carry the project id.
        if (family == ApiFamily.App)
        {
            return string.Empty;
        }

        var text = (hasQuery ? "&" : "?") + "project_id=" + target.Credentials.ProjectId.ToString(CultureInfo.InvariantCulture);
        if (context.Options.WorkspaceId is { } workspace && family != ApiFamily.Export)
        {
            text += "&workspace_id=" + workspace.ToString(CultureInfo.InvariantCulture);
        }

        return text;
    }
}
