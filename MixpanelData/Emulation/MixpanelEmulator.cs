using System.Net;
using System.Text;
using MixpanelData.Configuration;
using MixpanelData.Http;

namespace MixpanelData.Emulation;

/// <summary>
/// An emulator of Mixpanel's HTTP API that answers in-process, as an <see cref="HttpMessageHandler"/>: plug it in
/// where the network would be (<see cref="MixpanelClientOptions.PrimaryHandler"/>) and every layer above runs as it
/// would against Mixpanel. It serves the Query API (under <c>/api/query</c> and <c>/api/2.0</c>), raw export and the
/// App API with Mixpanel's shapes, status codes, error bodies and rate limits, answering live queries from the local
/// analytics engine over its project's data. Planned failures (<see cref="Faults"/>) let tests see how clients cope.
/// </summary>
public sealed class MixpanelEmulator : HttpMessageHandler, IAsyncDisposable
{
    private readonly Func<ValueTask>? _cleanup;
    private int _cleaned;
    private readonly EmulatorContext _context;
    private readonly EmulatorRateLimits _limits;
    private readonly QueryEndpoints _query;
    private readonly ExportEndpoint _export;
    private readonly AppEndpoints _app;

    internal MixpanelEmulator(EmulatorProject project, EmulatorOptions? options = null, Func<ValueTask>? cleanup = null)
    {
        _cleanup = cleanup;
        ArgumentNullException.ThrowIfNull(project);
        _context = new EmulatorContext(project, options ?? new EmulatorOptions());
        _limits = new EmulatorRateLimits(_context.Options, project.ProjectId);
        _query = new QueryEndpoints(_context);
        _export = new ExportEndpoint(_context);
        _app = new AppEndpoints(_context);
    }

    /// <summary>
    /// Serves the built-in demo project: a synthetic SaaS product (about 30,000 users and 1M events over the 90 days
    /// that end yesterday, with stories to find — see docs/demo.md), accepting the service account <c>demo</c>/<c>demo</c>
    /// for project 1. The data is generated once per day and cached (a few seconds); later starts, in any number of processes, read the cache in place.
    /// </summary>
    public static async Task<MixpanelEmulator> CreateDemoAsync(Demo.DemoOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new Demo.DemoOptions();
        var project = await Demo.DemoProject.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var emulatorOptions = (options.Emulator ?? new EmulatorOptions { QueryPerHour = 600 }) with { TimeProvider = options.TimeProvider };
        return new MixpanelEmulator(project, emulatorOptions, async () => await project.Store.DisposeAsync().ConfigureAwait(false));
    }

    /// <summary>Closes the demo project's database, if this emulator owns one.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_cleanup is not null && Interlocked.Exchange(ref _cleaned, 1) == 0)
        {
            await _cleanup().ConfigureAwait(false);
        }

        base.Dispose(true);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Prefer DisposeAsync; a synchronous dispose still releases the database rather than leak it.
        if (disposing && _cleanup is not null && Interlocked.Exchange(ref _cleaned, 1) == 0)
        {
            _cleanup().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    /// <summary>Failures planned for coming requests.</summary>
    public EmulatorFaults Faults { get; } = new();

    /// <summary>The emulated project's id.</summary>
    public long ProjectId => _context.Project.ProjectId;

    /// <summary>The region the project lives in; its hosts answer, other regions' hosts answer 401.</summary>
    public MixpanelRegion Region => _context.Project.Region;

    /// <summary>Requests answered so far (any status).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    private long _requests;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _requests);
        var response = await AnswerAsync(request, cancellationToken).ConfigureAwait(false);
        response.RequestMessage = request;
        return response;
    }

    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        var uri = message.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(message));
        var (family, route) = Classify(uri.AbsolutePath);
        if (family is null)
        {
            return EmulatorJson.Text($"Not found: {uri.AbsolutePath}", HttpStatusCode.NotFound);
        }

        var request = await EmulatorRequest.ReadAsync(message, route, cancellationToken).ConfigureAwait(false);
        try
        {
            var fault = Faults.Take(uri.AbsolutePath, uri.Query);
            if (fault is not null)
            {
                var faulted = await ApplyFaultAsync(fault, family.Value, request, cancellationToken).ConfigureAwait(false);
                if (faulted is not null)
                {
                    return faulted;
                }
            }

            Authenticate(request, uri);
            switch (family.Value)
            {
                case ApiFamily.Export:
                    {
                        RequireProject(request);
                        var admission = _limits.EnterExport();
                        try
                        {
                            return await _export.AnswerAsync(request, fault, admission, cancellationToken).ConfigureAwait(false);
                        }
                        catch
                        {
                            admission.Dispose();
                            throw;
                        }
                    }

                case ApiFamily.App:
                    return await _app.AnswerAsync(request, cancellationToken).ConfigureAwait(false);

                default:
                    {
                        RequireProject(request);
                        var counted = MixpanelRateLimiter.IsCountedQuery(route, request.Optional("session_id") is not null);
                        using var admission = _limits.EnterQuery(counted);
                        var response = await _query.AnswerAsync(request, cancellationToken).ConfigureAwait(false);
                        response.Headers.TryAddWithoutValidation("RateLimit-Policy", _limits.PolicyHeader);
                        return response;
                    }
            }
        }
        catch (EmulatorError error)
        {
            var response = family == ApiFamily.Export
                ? EmulatorJson.Text(error.Message, error.Status)
                : family == ApiFamily.App
                    ? EmulatorJson.AppError(error.Status, error.Message)
                    : EmulatorJson.QueryError(error.Status, request.Echo, error.Message);
            if (family == ApiFamily.Export && error.Status == HttpStatusCode.TooManyRequests)
            {
                response = EmulatorJson.QueryError(error.Status, request.Echo, error.Message);
            }

            foreach (var (name, value) in error.Headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return response;
        }
        catch (MixpanelException ex) when (ex is Analytics.Expressions.ExpressionException or EventNotFoundException)
        {
            return family == ApiFamily.Export
                ? EmulatorJson.Text(ex.Message, HttpStatusCode.BadRequest)
                : EmulatorJson.QueryError(HttpStatusCode.BadRequest, request.Echo, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return family == ApiFamily.Export
                ? EmulatorJson.Text(ex.Message, HttpStatusCode.BadRequest)
                : EmulatorJson.QueryError(HttpStatusCode.BadRequest, request.Echo, ex.Message);
        }
    }

    private async Task<HttpResponseMessage?> ApplyFaultAsync(EmulatorFault fault, ApiFamily family, EmulatorRequest request, CancellationToken cancellationToken)
    {
        switch (fault.Kind)
        {
            case EmulatorFaultKind.RateLimited:
                {
                    var seconds = Math.Max(0, (int)Math.Ceiling(fault.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var response = EmulatorJson.QueryError(HttpStatusCode.TooManyRequests, request.Echo, $"Query rate limit exceeded for project_id: {ProjectId} For more information, please consult our documentation");
                    response.Headers.TryAddWithoutValidation("Retry-After", seconds);
                    return response;
                }

            case EmulatorFaultKind.ServerError:
                return family == ApiFamily.Export
                    ? EmulatorJson.Text("Internal server error", fault.Status)
                    : EmulatorJson.QueryError(fault.Status, request.Echo, "Internal server error");

            case EmulatorFaultKind.Delay:
                await Task.Delay(fault.Delay, cancellationToken).ConfigureAwait(false);
                return null;

            default:
                // Stream faults are played by the export endpoint.
                return null;
        }
    }

    private void Authenticate(EmulatorRequest request, Uri uri)
    {
        var accepted = false;
        var authorization = request.Authorization;
        if (authorization is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[6..].Trim();
            var pair = TryBase64(token) is { } decoded && decoded.Contains(':') ? decoded : token;
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var user = pair[..colon];
                var secret = pair[(colon + 1)..];
                accepted = _context.Project.Accounts.TryGetValue(user, out var expected)
                    && CryptographicEquals(expected, secret);
            }
        }

        if (accepted && HostRegion(uri.Host) is { } region && region != _context.Project.Region)
        {
            accepted = false;
        }

        if (!accepted)
        {
            throw new EmulatorError(HttpStatusCode.Unauthorized, "Unable to authenticate request");
        }
    }

    private void RequireProject(EmulatorRequest request)
    {
        var text = request.Optional("project_id")
            ?? throw new EmulatorError(HttpStatusCode.BadRequest, "project_id is required when using service account authentication");
        if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var id) || id != ProjectId)
        {
            throw new EmulatorError(HttpStatusCode.Forbidden, "Permission denied");
        }
    }

    internal static (ApiFamily? Family, string Route) Classify(string path)
    {
        static string Rest(string path, string prefix) => path[prefix.Length..].Trim('/');

        if (path.StartsWith("/api/query/", StringComparison.Ordinal) || path == "/api/query")
        {
            return (ApiFamily.Query, Rest(path, "/api/query"));
        }

        if (path.StartsWith("/api/2.0/", StringComparison.Ordinal))
        {
            var rest = Rest(path, "/api/2.0");
            return (rest == "export" ? ApiFamily.Export : ApiFamily.Query, rest);
        }

        if (path.StartsWith("/api/app/", StringComparison.Ordinal))
        {
            return (ApiFamily.App, Rest(path, "/api/app"));
        }

        return (null, string.Empty);
    }

    /// <summary>The region a Mixpanel host belongs to; null for any other host (loopback, proxies).</summary>
    internal static MixpanelRegion? HostRegion(string host) => host.ToLowerInvariant() switch
    {
        "mixpanel.com" or "data.mixpanel.com" => MixpanelRegion.Us,
        "eu.mixpanel.com" or "data-eu.mixpanel.com" => MixpanelRegion.Eu,
        "in.mixpanel.com" or "data-in.mixpanel.com" => MixpanelRegion.In,
        _ => null,
    };

    private static string? TryBase64(string token)
    {
        var buffer = new byte[(token.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(token, buffer, out var written) ? Encoding.UTF8.GetString(buffer, 0, written) : null;
    }

    private static bool CryptographicEquals(string expected, string actual) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
