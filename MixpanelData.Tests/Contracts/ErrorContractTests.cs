using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using MixpanelData.Http;
using MixpanelData.Queries;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace MixpanelData.Tests.Contracts;

/// <summary>
/// Mixpanel's error answers (reference §4, §5.3) as typed exceptions with stable codes, the request path without its
/// query string, Mixpanel's <c>error</c> text, and never the secret — even when a server echoes it.
/// </summary>
public sealed class ErrorContractTests
{
    private const string Path = "/api/query/segmentation";

    private MixpanelWire _wire = null!;

    [SetUp]
    public void SetUp() => _wire = new MixpanelWire();

    [TearDown]
    public void TearDown() => _wire.Dispose();

    private static SegmentationQuery Signups => new("Sign Up", new(2026, 1, 1), new(2026, 1, 2));

    private static IEnumerable<TestCaseData> Statuses()
    {
        yield return new TestCaseData(401, """{"error": "Invalid credentials"}""", typeof(AuthenticationException), MixpanelErrorCodes.Authentication, "Invalid credentials");
        yield return new TestCaseData(402, """{"error": "Payment Required"}""", typeof(PaymentRequiredException), MixpanelErrorCodes.PaymentRequired, "Payment Required");
        yield return new TestCaseData(403, """{"request": "/api/query/segmentation?project_id=4242", "error": "Date range exceeds 90 days into the past"}""", typeof(PermissionDeniedException), MixpanelErrorCodes.PermissionDenied, "Date range exceeds 90 days into the past");
        yield return new TestCaseData(404, """{"error": "not found"}""", typeof(NotFoundException), MixpanelErrorCodes.NotFound, "not found");
        yield return new TestCaseData(400, """{"request": "/api/query/segmentation", "error": "Error in from_date: invalid date, bad year"}""", typeof(QueryException), MixpanelErrorCodes.QueryError, "bad year");
        yield return new TestCaseData(503, """{"error": "Timeout Error."}""", typeof(ServerException), MixpanelErrorCodes.ServerError, "Timeout Error.");
    }

    [TestCaseSource(nameof(Statuses))]
    public async Task ErrorStatus_BecomesItsTypedException(int status, string body, Type expected, string code, string mixpanelSaid)
    {
        _wire.Answer("GET", Path, body, status: status);
        await using var ws = _wire.Workspace();

        var ex = (await Assert.CatchAsync<MixpanelApiException>(() => ws.Query.SegmentationAsync(Signups)))!;

        Assert.That(ex, Is.TypeOf(expected));
        Assert.That(ex.Code, Is.EqualTo(code));
        Assert.That(ex.RequestPath, Is.EqualTo(Path), "the path only: no query string");
        Assert.That(ex.MixpanelError, Does.Contain(mixpanelSaid));
        Assert.That(ex.Message, Does.Contain(mixpanelSaid));
        Assert.That(ex.ToString(), Does.Not.Contain(MixpanelWire.Secret));
    }

    [Test]
    public async Task JqlError412_CarriesTheScriptError()
    {
        _wire.Answer("POST", "/api/query/jql", """
            {"request": "/api/query/jql?project_id=4242",
             "error": "UserVisiblePreconditionFailedError: Uncaught exception TypeError: Events(...).groupBy(...).limit is not a function\n  .limit(10);\n   ^\n"}
            """, status: 412);
        await using var ws = _wire.Workspace();

        var ex = (await Assert.ThrowsAsync<JqlException>(() => ws.Query.JqlAsync(new JqlQuery("function main() { return Events({}).groupBy(['name'], mixpanel.reducer.count()).limit(10); }"))))!;

        Assert.That(ex.Code, Is.EqualTo(MixpanelErrorCodes.JqlError));
        Assert.That(ex.MixpanelError, Does.Contain("limit is not a function"));
        Assert.That(ex.Message, Does.Contain("maintenance mode"));
    }

    [Test]
    public async Task ServerEchoingTheSecret_IsScrubbedEverywhere()
    {
        _wire.Answer("GET", Path, $$"""{"error": "bad auth header Basic {{MixpanelWire.Username}}:{{MixpanelWire.Secret}}"}""", status: 400);
        await using var ws = _wire.Workspace();

        var ex = (await Assert.ThrowsAsync<QueryException>(() => ws.Query.SegmentationAsync(Signups)))!;

        Assert.That(ex.ToString(), Does.Not.Contain(MixpanelWire.Secret));
        Assert.That(ex.MixpanelError + ex.ResponseExcerpt, Does.Not.Contain(MixpanelWire.Secret).And.Contain("***"));
    }

    [Test]
    public async Task RateLimited429_RetryAfterBeyondTheCallersMaximumWait_FailsAtOnceWithTheRetryTime()
    {
        _wire.Answer("GET", Path, """{"error": "Query rate limit exceeded for project_id: 4242. This request exceeded the rate limit (61/60 queries running in the last hour)."}""",
            status: 429, headers: new Dictionary<string, string>
            {
                ["Retry-After"] = "3600",
                ["RateLimit-Policy"] = "\"project\";q=60;w=3600, \"project-concurrency\";q=5;qu=\"concurrent-requests\"",
            });
        await using var ws = _wire.Workspace(retry: new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10) }, maxRateLimitWait: TimeSpan.FromSeconds(5));

        var watch = Stopwatch.StartNew();
        var ex = (await Assert.ThrowsAsync<RateLimitedException>(() => ws.Query.SegmentationAsync(Signups)))!;

        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(3600)));
        Assert.That(ex.Message, Does.Contain("61/60").And.Contain("3600 s"));
        Assert.That(_wire.Requests, Has.Count.EqualTo(1), "a wait longer than allowed is not retried");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task RateLimited429_ShortRetryAfter_IsWaitedOutAndRetried()
    {
        _wire.Server.Given(Request.Create().WithPath(Path).UsingGet()).InScenario("limit").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1").WithBody("""{"error": "Query rate limit exceeded for project_id: 4242."}"""));
        _wire.Server.Given(Request.Create().WithPath(Path).UsingGet()).InScenario("limit").WhenStateIs("open")
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""{"data": {"series": ["2026-01-01"], "values": {"Sign Up": {"2026-01-01": 3}}}, "legend_size": 1}"""));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 9, 0, 0, TimeSpan.Zero));
        await using var ws = _wire.Workspace(retry: new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(5) }, time: time);

        var call = ws.Query.SegmentationAsync(new SegmentationQuery("Sign Up", new(2026, 1, 1), new(2026, 1, 1)));
        // Real time only to let the first answer arrive; the wait itself is on the fake clock.
        for (var i = 0; i < 500 && _wire.Requests.Count < 1; i++)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100);
        time.Advance(TimeSpan.FromMilliseconds(900));
        await Task.Delay(200);
        Assert.That((call.IsCompleted, _wire.Requests.Count), Is.EqualTo((false, 1)), "0.9 s into a Retry-After of 1 s nothing is re-sent (the base delay is 10 ms)");

        time.Advance(TimeSpan.FromMilliseconds(100));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 3 }));
        Assert.That(_wire.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ServerError_IsRetriedThenReported()
    {
        _wire.Answer("GET", Path, """{"error": "Timeout Error."}""", status: 502);
        await using var ws = _wire.Workspace(retry: new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) });

        var ex = (await Assert.ThrowsAsync<ServerException>(() => ws.Query.SegmentationAsync(Signups)))!;

        Assert.That(ex.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.BadGateway));
        Assert.That(_wire.Requests, Has.Count.EqualTo(3), "one try and two retries");
    }

    [Test]
    public async Task GzipQueryAnswer_IsDecompressed()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write("""{"data": {"series": ["2026-01-01"], "values": {"Sign Up": {"2026-01-01": 8}}}, "legend_size": 1}"""u8);
        }

        _wire.AnswerBytes("GET", Path, buffer.ToArray(), "application/json", new Dictionary<string, string> { ["Content-Encoding"] = "gzip" });
        await using var ws = _wire.Workspace();

        var result = await ws.Query.SegmentationAsync(new SegmentationQuery("Sign Up", new(2026, 1, 1), new(2026, 1, 1)));

        Assert.That(result.Segments.Single().Values, Is.EqualTo(new double[] { 8 }));
    }

    [Test]
    public async Task BodyThatIsNotTheDocumentedShape_IsAnInvalidResponseNamingThePath()
    {
        _wire.Answer("GET", Path, """{"data": "this is not a series"}""");
        await using var ws = _wire.Workspace();

        var ex = (await Assert.ThrowsAsync<InvalidResponseException>(() => ws.Query.SegmentationAsync(Signups)))!;

        Assert.That(ex.Code, Is.EqualTo(MixpanelErrorCodes.InvalidResponse));
        Assert.That(ex.Message, Does.Contain(Path));
    }
}
