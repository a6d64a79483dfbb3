using System.Net;
using Microsoft.Extensions.Time.Testing;
using MixpanelData.Configuration;
using MixpanelData.Http;
using MixpanelData.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MixpanelData.Tests.Http;

/// <summary>
/// The resilience pipeline on a <see cref="FakeTimeProvider"/>, against WireMock.Net over loopback: the backoff and the
/// timeouts run on the fake clock, so these tests advance time instead of sleeping through it.
/// </summary>
public sealed class ResiliencePipelineTests
{
    private static readonly Credentials TestCredentials = new("svc.pipeline.mp-service-account", "pipeline-secret", 4242, MixpanelRegion.Us);

    private WireMockServer _server = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void Start()
    {
        _server = WireMockServer.Start();
        _arrived = 0;
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void Stop() => _server.Stop();

    private int RequestCount => _server.LogEntries.Count();

    private MixpanelClientOptions Options(int maxRetries = 3, TimeSpan? queryTimeout = null, TimeSpan? maxWait = null)
    {
        var root = new Uri(_server.Url!);
        return new MixpanelClientOptions
        {
            Credentials = TestCredentials,
            Endpoints = new MixpanelEndpoints(new Uri(root, "/api/query"), new Uri(root, "/api/2.0"), new Uri(root, "/api/app")),
            Retry = new RetryOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(30) },
            QueryTimeout = queryTimeout ?? TimeSpan.FromSeconds(120),
            MaxRateLimitWait = maxWait,
            RateLimits = new RateLimitOptions { Disabled = true },
            TimeProvider = _time,
        };
    }

    private int _arrived;

    private void AnswerSlowly(TimeSpan delay) => WireResponses.AnswerSlowly(_server, delay, () => Interlocked.Increment(ref _arrived));

    private static IResponseBuilder Json(int status, string json, string? retryAfter = null) => WireResponses.Json(status, json, retryAfter);

    /// <summary>Waits (in real time, briefly) until the server has seen <paramref name="count"/> requests.</summary>
    private async Task SeenAsync(int count)
    {
        for (var i = 0; i < 500 && RequestCount < count; i++)
        {
            await Task.Delay(10);
        }

        Assert.That(RequestCount, Is.EqualTo(count));
    }

    /// <summary>Moves the fake clock on in steps until <paramref name="call"/> finishes; returns the simulated time it took.</summary>
    private async Task<TimeSpan> AdvanceUntilDoneAsync(Task call, TimeSpan step, TimeSpan limit)
    {
        var start = _time.GetUtcNow();
        while (!call.IsCompleted && _time.GetUtcNow() - start < limit)
        {
            await Task.Delay(5);
            _time.Advance(step);
        }

        await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.That(call.IsCompleted, Is.True, "the call should have finished within the simulated time");
        return _time.GetUtcNow() - start;
    }

    [Test]
    public async Task Retry_5xxEveryTime_MakesOneAttemptPlusMaxRetriesOnTheFakeClock()
    {
        _server.Given(Request.Create().WithPath("/api/query/segmentation")).RespondWith(Json(503, """{"error":"Service Unavailable"}"""));
        await using var connection = new MixpanelConnection(Options(maxRetries: 3));

        var call = connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        await AdvanceUntilDoneAsync(call, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<ServerException>(() => call);
        Assert.That(RequestCount, Is.EqualTo(4), "1 attempt + 3 retries");
    }

    [Test]
    public async Task Retry_429WithRetryAfter_WaitsExactlyThatLongOnTheClock()
    {
        _server.Given(Request.Create().WithPath("/api/query/segmentation")).InScenario("s").WillSetStateTo("open")
            .RespondWith(Json(429, """{"error":"Query rate limit exceeded"}""", retryAfter: "30"));
        _server.Given(Request.Create().WithPath("/api/query/segmentation")).InScenario("s").WhenStateIs("open")
            .RespondWith(Json(200, """{"ok":1}"""));
        var waits = new List<RateLimitWait>();
        await using var connection = new MixpanelConnection(Options() with { OnRateLimitWait = w => { lock (waits) { waits.Add(w); } return ValueTask.CompletedTask; } });

        var call = connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        await SeenAsync(1);
        await Task.Delay(50);
        _time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(200);
        Assert.That((call.IsCompleted, RequestCount), Is.EqualTo((false, 1)), "29 s into a Retry-After of 30 s nothing is re-sent");

        _time.Advance(TimeSpan.FromSeconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(RequestCount, Is.EqualTo(2));
        Assert.That(waits.Single(), Is.EqualTo(new RateLimitWait(ApiFamily.Query, RateLimitKind.Server, TimeSpan.FromSeconds(30), "/api/query/segmentation")));
    }

    [Test]
    public async Task Retry_429RetryAfterBeyondMaxWait_IsNotRetriedAndCarriesTheRetryTime()
    {
        _server.Given(Request.Create().WithPath("/api/query/segmentation")).RespondWith(Json(429, """{"error":"Query rate limit exceeded"}""", retryAfter: "120"));
        await using var connection = new MixpanelConnection(Options(maxWait: TimeSpan.FromSeconds(60)));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation")));

        Assert.That(ex!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(120)));
        Assert.That(ex.Message, Does.Contain("Retry after 120 s."));
        Assert.That(RequestCount, Is.EqualTo(1));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Retry_BackoffGrowsAndIsCappedByMaxDelay()
    {
        // BaseDelay 2 s, MaxDelay 30 s, 4 retries: the four waits are jittered around 2, 4, 8, 16 s, each at most 30 s.
        _server.Given(Request.Create().WithPath("/api/query/segmentation")).RespondWith(Json(500, """{"error":"boom"}"""));
        await using var connection = new MixpanelConnection(Options(maxRetries: 4));

        var call = connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        var took = await AdvanceUntilDoneAsync(call, TimeSpan.FromMilliseconds(250), TimeSpan.FromMinutes(10));

        await Assert.ThrowsAsync<ServerException>(() => call);
        Assert.That(RequestCount, Is.EqualTo(5));
        Assert.That(took, Is.GreaterThan(TimeSpan.FromSeconds(1)).And.LessThanOrEqualTo(TimeSpan.FromSeconds((4 * 30) + 1)));
    }

    [Test]
    public async Task AttemptTimeout_FiresOnTheFakeClock_RetriesThenThrowsTransportException()
    {
        // The server answers after 2 real seconds; the attempt timeout of 10 s on the fake clock fires first.
        AnswerSlowly(TimeSpan.FromSeconds(2));
        await using var connection = new MixpanelConnection(Options(maxRetries: 1, queryTimeout: TimeSpan.FromSeconds(10)));

        var call = connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"));
        await AdvanceUntilDoneAsync(call, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        var ex = await Assert.ThrowsAsync<TransportException>(() => call);
        Assert.That(ex!.Message, Does.Contain("within 10 s").And.Contain("tried 2 times"));
        Assert.That(_arrived, Is.EqualTo(2));
    }

    [Test]
    public async Task CallerCancellation_WhileBackingOff_StopsWithoutAnotherAttempt()
    {
        _server.Given(Request.Create().WithPath("/api/query/segmentation")).RespondWith(Json(503, "{}"));
        await using var connection = new MixpanelConnection(Options(maxRetries: 3));
        using var cts = new CancellationTokenSource();

        var call = connection.SendAsync(new PipelineRequest(ApiFamily.Query, "segmentation"), cts.Token);
        await SeenAsync(1);
        await cts.CancelAsync();

        await Assert.CatchAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.That(RequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task ExportTimeout_CoversOnlyTheTimeToHeaders_ALongStreamIsNotCutOff()
    {
        _server.Given(Request.Create().WithPath("/api/2.0/export")).RespondWith(
            Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("{\"event\":\"a\"}\n{\"event\":\"b\"}\n"));
        await using var connection = new MixpanelConnection(Options() with { ExportTimeout = TimeSpan.FromSeconds(10) });

        await using var stream = await connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export"));
        _time.Advance(TimeSpan.FromHours(2));
        using var reader = new StreamReader(stream.Body);
        var text = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(text, Is.EqualTo("{\"event\":\"a\"}\n{\"event\":\"b\"}\n"), "two simulated hours after the headers, the body still reads");
    }

    [Test]
    public async Task ServerError_MessageEndsMixpanelsSentenceOnce()
    {
        _server.Given(Request.Create().WithPath("/api/query/retention")).RespondWith(Json(502, """{"request":"/api/query/retention","error":"Timeout Error."}"""));
        await using var connection = new MixpanelConnection(Options(maxRetries: 0));

        var ex = await Assert.ThrowsAsync<ServerException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "retention")));

        Assert.That(ex!.Message, Is.EqualTo("Mixpanel failed with 502 at /api/query/retention: Timeout Error. It may be a temporary outage; try again later."));
        Assert.That(ex.MixpanelError, Is.EqualTo("Timeout Error."));
    }

    [Test]
    public void TotalTimeout_BoundsEveryAttemptAndWait()
    {
        var options = Options(maxRetries: 2, maxWait: TimeSpan.FromMinutes(5));

        // 3 attempts of 120 s, 2 waits of at most 5 minutes (the allowed rate-limit wait), and a second of slack.
        Assert.That(MixpanelResilience.TotalTimeout(options, options.QueryTimeout), Is.EqualTo(TimeSpan.FromSeconds((3 * 120) + (2 * 300) + 1)));
    }
}
