using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using MixpanelData.Api;
using MixpanelData.Configuration;
using MixpanelData.Http;
using MixpanelData.Tests.Contracts;
using MixpanelData.Tests.Support;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MixpanelData.Tests.Http;

/// <summary>The Http core against WireMock.Net over a real loopback socket: what it sends, how it retries, limits and maps errors.</summary>
public sealed class MixpanelConnectionTests
{
    private const string Secret = "S3CRET-do-not-print";
    private static readonly Credentials TestCredentials = new("svc.test.mp-service-account", Secret, 4242, MixpanelRegion.Us);

    private WireMockServer _server = null!;

    [SetUp]
    public void StartServer()
    {
        _server = WireMockServer.Start();
        _arrived = 0;
    }

    [TearDown]
    public void StopServer() => _server.Stop();

    private IReadOnlyList<ILogEntry> Requests => [.. _server.LogEntries.OrderBy(e => e.RequestMessage.DateTime)];

    private MixpanelEndpoints Endpoints(string prefix = "")
    {
        var root = new Uri(_server.Url!);
        return new(new Uri(root, $"{prefix}/api/query"), new Uri(root, $"{prefix}/api/2.0"), new Uri(root, $"{prefix}/api/app"));
    }

    private MixpanelClientOptions Options() => new()
    {
        Credentials = TestCredentials,
        Endpoints = Endpoints(),
        Retry = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
    };

    private int _arrived;

    private void AnswerSlowly(TimeSpan delay) => WireResponses.AnswerSlowly(_server, delay, () => Interlocked.Increment(ref _arrived));

    private static IResponseBuilder Json(int status, string json, string? retryAfter = null) => WireResponses.Json(status, json, retryAfter);

    private void AnswerAll(IResponseBuilder response) => _server.Given(Request.Create().WithPath("/*")).RespondWith(response);

    /// <summary>Answers with <paramref name="responses"/> in turn (the last one from then on).</summary>
    private void AnswerInTurn(params IResponseBuilder[] responses)
    {
        for (var i = 0; i < responses.Length; i++)
        {
            var given = _server.Given(Request.Create().WithPath("/*")).InScenario("turns");
            given = i == 0 ? given : given.WhenStateIs(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (i < responses.Length - 1)
            {
                given = given.WillSetStateTo((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            given.RespondWith(responses[i]);
        }
    }

    private static string Path(ILogEntry entry) => entry.RequestMessage.Path;

    [Test]
    public async Task SendAsync_AnyQuery_SendsBasicAuthProjectIdWorkspaceAndDefaultHeaders()
    {
        AnswerAll(Json(200, """{"ok":true}"""));
        await using var connection = new MixpanelConnection(Options() with
        {
            WorkspaceId = 77,
            DefaultHeaders = new Dictionary<string, string> { ["X-Internal-Source"] = "copilot" },
        });

        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation") { Query = [new("event", "Signed up"), new("on", null)] });
        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = [new("where", "true")] });

        Assert.That(Requests, Has.Count.EqualTo(2));
        foreach (var seen in Requests)
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"svc.test.mp-service-account:{Secret}"));
            Assert.That(MixpanelWire.Header(seen, "Authorization"), Is.EqualTo(expected));
            Assert.That(MixpanelWire.Query(seen)["project_id"], Is.EqualTo("4242"));
            Assert.That(MixpanelWire.Query(seen)["workspace_id"], Is.EqualTo("77"));
            Assert.That(MixpanelWire.Header(seen, "X-Internal-Source"), Is.EqualTo("copilot"));
            Assert.That(MixpanelWire.Header(seen, "Accept-Encoding"), Does.Contain("gzip"));
        }

        Assert.That(Path(Requests[0]), Is.EqualTo("/api/query/segmentation"));
        Assert.That(MixpanelWire.Query(Requests[0])["event"], Is.EqualTo("Signed up"));
        Assert.That(MixpanelWire.Query(Requests[0]).ContainsKey("on"), Is.False, "null parameters are left out");
        Assert.That(Requests[1].RequestMessage.Method, Is.EqualTo("POST"));
        Assert.That(Requests[1].RequestMessage.Body, Is.EqualTo("where=true"));
    }

    [Test]
    public async Task SendAsync_NotProjectScoped_OmitsProjectId()
    {
        AnswerAll(Json(200, """{"status":"ok","results":{}}"""));
        await using var connection = new MixpanelConnection(Options());

        await connection.SendAsync(new PipelineRequest(ApiFamily.App, "me"));

        Assert.That(Path(Requests.Single()), Is.EqualTo("/api/app/me"));
        Assert.That(MixpanelWire.Query(Requests.Single()).ContainsKey("project_id"), Is.False);
    }

    [Test]
    public async Task SendAsync_GzipBody_IsInflated()
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes("""{"data":"compressed"}"""));
        }

        AnswerAll(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithHeader("Content-Encoding", "gzip").WithBody(buffer.ToArray()));
        await using var connection = new MixpanelConnection(Options());

        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "events/names"));

        Assert.That(Encoding.UTF8.GetString(response.Body), Is.EqualTo("""{"data":"compressed"}"""));
    }

    [Test]
    public async Task SendAsync_429WithRetryAfter_WaitsThenRetriesAndReportsTheWait()
    {
        AnswerInTurn(Json(429, """{"error":"Query rate limit exceeded for project_id: 4242."}""", retryAfter: "1"), Json(200, """{"ok":1}"""));
        var waits = new List<RateLimitWait>();
        await using var connection = new MixpanelConnection(Options() with
        {
            OnRateLimitWait = w => { lock (waits) { waits.Add(w); } return ValueTask.CompletedTask; },
        });

        var clock = Stopwatch.StartNew();
        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        clock.Stop();

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Requests, Has.Count.EqualTo(2));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950)), "Retry-After: 1 must be honoured");
        Assert.That(waits, Has.Count.EqualTo(1));
        Assert.That(waits[0].Kind, Is.EqualTo(RateLimitKind.Server));
        Assert.That(waits[0].EstimatedWait, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(waits[0].ToString(), Does.Contain("waiting 1 s"));
    }

    [Test]
    public async Task SendAsync_429RetryAfterLongerThanMaxWait_FailsAtOnceWithRetryTime()
    {
        AnswerAll(Json(429, """{"error":"Query rate limit exceeded for project_id: 4242. This request exceeded the rate limit (61/60 queries running in the last hour)."}""", retryAfter: "3600"));
        await using var connection = new MixpanelConnection(Options() with { MaxRateLimitWait = TimeSpan.FromSeconds(30) });

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation")));

        Assert.That(ex!.RetryAfter, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(ex.MixpanelError, Does.Contain("61/60"));
        Assert.That(ex.Code, Is.EqualTo("rate_limited"));
        Assert.That(Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_5xxThenSuccess_IsRetried()
    {
        AnswerInTurn(Json(503, """{"error":"Service Unavailable"}"""), Json(503, """{"error":"Service Unavailable"}"""), Json(200, "[]"));
        await using var connection = new MixpanelConnection(Options());

        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list"));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task SendAsync_5xxEveryTime_ThrowsServerExceptionAfterAllAttempts()
    {
        AnswerAll(Json(502, """{"request":"/api/query/retention","error":"Timeout Error."}"""));
        await using var connection = new MixpanelConnection(Options());

        var ex = await Assert.ThrowsAsync<ServerException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "retention")));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        Assert.That(ex.MixpanelError, Is.EqualTo("Timeout Error."));
        Assert.That(ex.RequestPath, Is.EqualTo("/api/query/retention"));
        Assert.That(Requests, Has.Count.EqualTo(4), "1 attempt + 3 retries");
    }

    [TestCase(400, """{"request":"/api/query/segmentation","error":"Error in from_date: invalid date, bad year"}""", typeof(QueryException), "query_error", "Error in from_date: invalid date, bad year")]
    [TestCase(401, """{"error":"Unable to authenticate request"}""", typeof(AuthenticationException), "authentication", "Unable to authenticate request")]
    [TestCase(402, """{"error":"Payment Required"}""", typeof(PaymentRequiredException), "payment_required", "Payment Required")]
    [TestCase(403, """{"error":"Date range exceeds 90 days into the past"}""", typeof(PermissionDeniedException), "permission_denied", "Date range exceeds 90 days into the past")]
    [TestCase(404, """{"error":"bookmark not found"}""", typeof(NotFoundException), "not_found", "bookmark not found")]
    [TestCase(412, """{"error":"UserVisiblePreconditionFailedError: Uncaught exception TypeError"}""", typeof(JqlException), "jql_error", "UserVisiblePreconditionFailedError: Uncaught exception TypeError")]
    public async Task SendAsync_ClientErrorStatus_MapsToTypedExceptionWithoutRetry(int status, string body, Type expectedType, string expectedCode, string expectedError)
    {
        AnswerAll(Json(status, body));
        await using var connection = new MixpanelConnection(Options());

        MixpanelApiException? caught = null;
        try
        {
            await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        }
        catch (MixpanelApiException ex)
        {
            caught = ex;
        }

        Assert.That(caught, Is.Not.Null.And.TypeOf(expectedType));
        Assert.That(caught!.Code, Is.EqualTo(expectedCode));
        Assert.That(caught.MixpanelError, Is.EqualTo(expectedError));
        Assert.That(caught.Message, Does.Contain(expectedError));
        Assert.That(caught.RequestPath, Is.EqualTo("/api/query/segmentation"));
        Assert.That((int?)caught.StatusCode, Is.EqualTo(status));
        Assert.That(Requests, Has.Count.EqualTo(1), "4xx other than 429 is never retried");
    }

    [Test]
    public async Task OpenStreamAsync_ExportPlainText400UnableToAuthenticate_IsAuthenticationError()
    {
        AnswerAll(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "text/plain").WithBody("Unable to authenticate request"));
        await using var connection = new MixpanelConnection(Options());

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export")));

        Assert.That(ex!.RequestPath, Is.EqualTo("/api/2.0/export"));
        Assert.That(ex.ResponseExcerpt, Is.EqualTo("Unable to authenticate request"));
    }

    [Test]
    public async Task OpenStreamAsync_ExportJsonl_StreamsTheBody()
    {
        AnswerAll(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("{\"event\":\"a\"}\n{\"event\":\"b\"}\n"));
        await using var connection = new MixpanelConnection(Options());

        await using var stream = await connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export") { Query = [new("from_date", "2026-01-01")] });
        using var reader = new StreamReader(stream.Body);
        var text = await reader.ReadToEndAsync();

        Assert.That(text, Is.EqualTo("{\"event\":\"a\"}\n{\"event\":\"b\"}\n"));
        Assert.That(MixpanelWire.Query(Requests.Single())["project_id"], Is.EqualTo("4242"));
    }

    [Test]
    public async Task SendAsync_ErrorBodyEchoesSecret_SecretNeverInExceptionOrExcerpt()
    {
        AnswerAll(Json(400, $$"""{"request":"/api/query/segmentation?secret={{Secret}}","error":"bad value {{Secret}}"}"""));
        await using var connection = new MixpanelConnection(Options());

        var ex = await Assert.ThrowsAsync<QueryException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation")));

        Assert.That(ex!.ToString(), Does.Not.Contain(Secret));
        Assert.That(ex.MixpanelError, Does.Not.Contain(Secret));
        Assert.That(ex.ResponseExcerpt, Does.Not.Contain(Secret));
        Assert.That(connection.Options.ToString(), Does.Not.Contain(Secret));
    }

    [Test]
    public async Task SendAsync_TwentyParallelCallers_NeverMoreThanFiveQueriesInFlightAtTheServer()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        // Each answer is held (without blocking a thread, so a busy machine's thread pool is no factor) until
        // five requests are in flight or two seconds pass, then 150 ms more so a sixth could show itself.
        _server.Given(Request.Create().WithPath("/*")).RespondWith(Response.Create().WithCallback(async _ =>
        {
            var now = Interlocked.Increment(ref inFlight);
            int seen;
            while ((seen = Volatile.Read(ref maxInFlight)) < now && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
            {
            }

            var held = System.Diagnostics.Stopwatch.StartNew();
            while (Volatile.Read(ref maxInFlight) < 5 && held.Elapsed < TimeSpan.FromSeconds(2))
            {
                await Task.Delay(10);
            }

            await Task.Delay(150);
            Interlocked.Decrement(ref inFlight);
            return (WireMock.IResponseMessage)new WireMock.ResponseMessage { StatusCode = 200, BodyData = new WireMock.Util.BodyData { BodyAsString = "{}", DetectedBodyType = WireMock.Types.BodyType.String } };
        }));
        await using var connection = new MixpanelConnection(Options());

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation") { Query = [new("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))] })));

        Assert.That(Requests, Has.Count.EqualTo(20));
        Assert.That(maxInFlight, Is.EqualTo(5), "the limit is 5 concurrent, and 20 callers should reach it");
    }

    [Test]
    public async Task SendAsync_HourlyBudgetSpent_WaitsForTheWindowAndReportsIt()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        AnswerAll(Json(200, "{}"));
        var waited = new TaskCompletionSource<RateLimitWait>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = new MixpanelConnection(Options() with
        {
            TimeProvider = time,
            OnRateLimitWait = w => { waited.TrySetResult(w); return ValueTask.CompletedTask; },
        });

        for (var i = 0; i < 60; i++)
        {
            await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        var sixtyFirst = connection.SendAsync(new PipelineRequest(ApiFamily.Query, "retention"));
        var wait = await waited.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The first of the 60 was sent at 12:00:00 and the clock now reads 12:10:00: it ages out at 13:00:00.
        Assert.That(wait.Kind, Is.EqualTo(RateLimitKind.Hourly));
        Assert.That(wait.EstimatedWait, Is.EqualTo(TimeSpan.FromMinutes(50)));
        await Task.Delay(200);
        Assert.That(sixtyFirst.IsCompleted, Is.False);
        Assert.That(Requests, Has.Count.EqualTo(60));

        time.Advance(TimeSpan.FromMinutes(50));
        await sixtyFirst.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(Requests, Has.Count.EqualTo(61));
        Assert.That(Path(Requests[^1]), Is.EqualTo("/api/query/retention"));
    }

    [Test]
    public async Task SendAsync_HourlyBudgetSpentAndWaitTooLong_ThrowsRateLimitedWithRetryTime()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        AnswerAll(Json(200, "{}"));
        await using var connection = new MixpanelConnection(Options() with
        {
            TimeProvider = time,
            RateLimits = new RateLimitOptions { QueryPerHour = 3 },
            MaxRateLimitWait = TimeSpan.FromMinutes(5),
        });
        for (var i = 0; i < 3; i++)
        {
            await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        }

        time.Advance(TimeSpan.FromMinutes(20));
        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation")));

        Assert.That(ex!.RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(40)));
        Assert.That(ex.Message, Does.Contain("2400 s"));
        Assert.That(Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task SendAsync_UncountedQueryPaths_DoNotSpendTheHourlyBudget()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        AnswerAll(Json(200, "{}"));
        await using var connection = new MixpanelConnection(Options() with
        {
            TimeProvider = time,
            RateLimits = new RateLimitOptions { QueryPerHour = 2 },
            MaxRateLimitWait = TimeSpan.Zero,
        });

        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = [new("where", "true")] });
        for (var page = 1; page <= 5; page++)
        {
            await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = [new("session_id", "abc"), new("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture))] });
        }

        await connection.SendAsync(new PipelineRequest(ApiFamily.App, "me"));
        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));

        Assert.That(connection.RateLimiter.QueryHourlyRemaining, Is.Zero, "the first engage page and the segmentation count; session pages and /me do not");
        await Assert.ThrowsAsync<RateLimitedException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels")));
    }

    [Test]
    public async Task SendAsync_CancelledWhileWaitingForTheHourlyBudget_StopsWithinASecond()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        AnswerAll(Json(200, "{}"));
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = new MixpanelConnection(Options() with
        {
            TimeProvider = time,
            RateLimits = new RateLimitOptions { QueryPerHour = 1 },
            OnRateLimitWait = _ => { waiting.TrySetResult(); return ValueTask.CompletedTask; },
        });
        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));

        using var cts = new CancellationTokenSource();
        var blocked = connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"), cts.Token);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();

        await Assert.CatchAsync<OperationCanceledException>(() => blocked);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_CancelledDuringSlowResponse_StopsWithinASecond()
    {
        AnswerSlowly(TimeSpan.FromSeconds(3));
        await using var connection = new MixpanelConnection(Options());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await Assert.CatchAsync<OperationCanceledException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"), cts.Token));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1.3)));
        Assert.That(_arrived, Is.EqualTo(1), "a cancelled call is not retried");
    }

    [Test]
    public async Task SendAsync_AttemptTimesOut_RetriesThenThrowsTransportException()
    {
        AnswerSlowly(TimeSpan.FromSeconds(2));
        await using var connection = new MixpanelConnection(Options() with
        {
            QueryTimeout = TimeSpan.FromMilliseconds(200),
            Retry = new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(10) },
        });

        var ex = await Assert.ThrowsAsync<TransportException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation")));

        Assert.That(ex!.Message, Does.Contain("within 0 s").Or.Contain("did not answer"));
        Assert.That(_arrived, Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_RateLimitPolicyHeader_LearnsTheHourlyQuota()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        AnswerAll(Json(200, "{}").WithHeader("RateLimit-Policy", "\"project\";q=2;w=3600, \"project-concurrency\";q=5;qu=\"concurrent-requests\""));
        await using var connection = new MixpanelConnection(Options() with { TimeProvider = time, MaxRateLimitWait = TimeSpan.FromSeconds(1) });

        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));

        Assert.That(connection.RateLimiter.QueryHourlyQuota, Is.EqualTo(2));
        await Assert.ThrowsAsync<RateLimitedException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation")));
    }

    [Test]
    public async Task DetectAsync_WrongRegionsAnswer401_ReturnsTheFirstRegionThatAccepts()
    {
        _server.Given(Request.Create().WithPath("/eu/*")).AtPriority(1).RespondWith(Json(200, """{"status":"ok","results":{"user_id":1}}"""));
        _server.Given(Request.Create().WithPath("/*")).AtPriority(2).RespondWith(Json(401, """{"error":"Unable to authenticate request"}"""));
        var options = Options();

        var region = await RegionDetector.DetectAsync(options, r => Endpoints("/" + r.ToConfigString()));

        Assert.That(region, Is.EqualTo(MixpanelRegion.Eu));
        Assert.That(Requests.Select(Path), Is.EqualTo(new[] { "/us/api/app/me", "/eu/api/app/me" }));
    }

    [Test]
    public async Task DetectAsync_EveryRegionRefuses_ThrowsAuthenticationNamingTheRegions()
    {
        AnswerAll(Json(401, """{"error":"Unable to authenticate request"}"""));

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => RegionDetector.DetectAsync(Options(), r => Endpoints("/" + r.ToConfigString())));

        Assert.That(ex!.Message, Does.Contain("us").And.Contain("eu").And.Contain("in"));
        Assert.That(ex.Message, Does.Not.Contain(Secret));
        Assert.That(Requests, Has.Count.EqualTo(3));
    }
}
