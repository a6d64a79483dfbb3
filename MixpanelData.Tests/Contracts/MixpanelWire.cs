using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using MixpanelData.Configuration;
using MixpanelData.Http;
using MixpanelData.Storage;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MixpanelData.Tests.Contracts;

/// <summary>
/// Mixpanel's three hosts played by WireMock.Net on one loopback port (<c>/api/query</c>, <c>/api/2.0</c>,
/// <c>/api/app</c>), with a workspace whose account points there. Each test answers with a body from
/// reference/mixpanel-api.md and then checks both what our client sent and what it returned.
/// </summary>
internal sealed class MixpanelWire : IDisposable
{
    public const string Username = "contract.1a2b3c.mp-service-account";
    public const string Secret = "contract-secret-9f8e7d6c";
    public const long ProjectId = 4242;

    public WireMockServer Server { get; } = WireMockServer.Start();

    public Uri Root => new(Server.Url!);

    /// <summary>Every request the server received, oldest first.</summary>
    public IReadOnlyList<ILogEntry> Requests => [.. Server.LogEntries.OrderBy(e => e.RequestMessage.DateTime)];

    public MixpanelData.Workspace Workspace(long? workspaceId = null, IReadOnlyDictionary<string, string>? headers = null, RetryOptions? retry = null, MixpanelRegion? region = MixpanelRegion.Us, TimeSpan? maxRateLimitWait = null, TimeProvider? time = null) =>
        new(new WorkspaceOptions
        {
            Account = new MixpanelAccount("contract", new Credentials(Username, Secret, ProjectId, region), "contract test")
            {
                WorkspaceId = workspaceId,
                Headers = headers ?? new Dictionary<string, string>(),
                QueryUrl = new Uri(Root, "/api/query"),
                ExportUrl = new Uri(Root, "/api/2.0"),
                AppUrl = new Uri(Root, "/api/app"),
            },
            Store = new LocalStoreOptions { Mode = LocalStoreMode.InMemory },
            RateLimits = new RateLimitOptions { Disabled = true },
            Retry = retry ?? new RetryOptions { MaxRetries = 0 },
            MaxRateLimitWait = maxRateLimitWait,
            TimeProvider = time ?? TimeProvider.System,
        });

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> with <paramref name="body"/>.</summary>
    public void Answer(string method, string path, string body, int status = 200, string contentType = "application/json", IDictionary<string, string>? headers = null)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(Request.Create().WithPath(path).UsingMethod(method)).RespondWith(response);
    }

    /// <summary>Answers with <paramref name="bytes"/> as they are (e.g. a gzip body with its Content-Encoding header).</summary>
    public void AnswerBytes(string method, string path, byte[] bytes, string contentType, IDictionary<string, string> headers)
    {
        var response = Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(bytes);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(Request.Create().WithPath(path).UsingMethod(method)).RespondWith(response);
    }

    /// <summary>The one request received at <paramref name="path"/>; fails when there were none or several.</summary>
    public ILogEntry Single(string path)
    {
        var seen = Requests.Where(e => e.RequestMessage.Path == path).ToArray();
        Assert.That(seen, Has.Length.EqualTo(1), $"requests to {path}; all seen: {string.Join(", ", Requests.Select(r => r.RequestMessage.Method + " " + r.RequestMessage.Path))}");
        return seen[0];
    }

    /// <summary>The query string of a request as name → value (each name once).</summary>
    public static IReadOnlyDictionary<string, string> Query(ILogEntry entry) =>
        QueryHelpers.ParseQuery(new Uri(entry.RequestMessage.AbsoluteUrl).Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>A form-urlencoded body as name → value.</summary>
    public static IReadOnlyDictionary<string, string> Form(ILogEntry entry)
    {
        Assert.That(Header(entry, "Content-Type"), Does.StartWith("application/x-www-form-urlencoded"));
        return QueryHelpers.ParseQuery(entry.RequestMessage.Body ?? string.Empty).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static string? Header(ILogEntry entry, string name) =>
        entry.RequestMessage.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    /// <summary>Basic auth with the service account, and the secret nowhere in the URL.</summary>
    public static void AssertAuthenticated(ILogEntry entry)
    {
        Assert.That(Header(entry, "Authorization"), Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Secret}"))));
        Assert.That(WebUtility.UrlDecode(entry.RequestMessage.AbsoluteUrl), Does.Not.Contain(Secret));
    }

    public void Dispose() => Server.Stop();
}
