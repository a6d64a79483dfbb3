using System.Net;
using System.Text.Json;
using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Http;

namespace MixpanelData.Tests.Emulation;

/// <summary>The export stream, the emulator's rate limits and its planned faults.</summary>
public sealed class EmulatorExportAndFaultTests
{
    private static async Task<List<string>> ExportLines(MixpanelConnection connection, params (string Key, string? Value)[] query)
    {
        await using var stream = await connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export") { Query = [.. query.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value))] });
        using var reader = new StreamReader(stream.Body);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    [Test]
    public async Task Export_Range_StreamsEveryEventInExportShape()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();

        var lines = await ExportLines(connection, ("from_date", "2026-03-02"), ("to_date", "2026-03-05"));

        // 16 of the 19 rows fall on 03-02..03-05 (not u2's invite and u3's login on 03-10, nor u5's login on 03-20).
        Assert.That(lines, Has.Count.EqualTo(16));
        using var first = JsonDocument.Parse(lines[0]);
        Assert.That(first.RootElement.GetProperty("event").GetString(), Is.EqualTo("Sign Up"));
        var properties = first.RootElement.GetProperty("properties");
        Assert.That(properties.GetProperty("time").GetInt64(), Is.EqualTo(1772442000));
        Assert.That(properties.GetProperty("distinct_id").GetString(), Is.EqualTo("u1"));
        Assert.That(properties.GetProperty("$insert_id").GetString(), Is.EqualTo("i01"));
    }

    [Test]
    public async Task Export_EventWhereAndLimit_FilterTheStream()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();

        var signUps = await ExportLines(connection, ("from_date", "2026-03-01"), ("to_date", "2026-03-20"), ("event", "[\"Sign Up\"]"));
        var chrome = await ExportLines(connection, ("from_date", "2026-03-01"), ("to_date", "2026-03-20"), ("where", "properties[\"browser\"] == \"Chrome\""));
        var two = await ExportLines(connection, ("from_date", "2026-03-01"), ("to_date", "2026-03-20"), ("limit", "2"));

        Assert.That(signUps, Has.Count.EqualTo(5));
        Assert.That(chrome, Has.Count.EqualTo(2));
        Assert.That(two, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Export_TimeInMs_GivesMilliseconds()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();

        var lines = await ExportLines(connection, ("from_date", "2026-03-02"), ("to_date", "2026-03-02"), ("time_in_ms", "true"));

        using var first = JsonDocument.Parse(lines[0]);
        Assert.That(first.RootElement.GetProperty("properties").GetProperty("time").GetInt64(), Is.EqualTo(1772442000000));
    }

    [Test]
    public async Task Export_ToDateAfterToday_IsPlainText400()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();

        var ex = await Assert.ThrowsAsync<QueryException>(() => ExportLines(connection, ("from_date", "2026-03-02"), ("to_date", "2026-03-22")));

        Assert.That(ex!.ResponseExcerpt, Is.EqualTo("to_date cannot be later than today"));
    }

    [Test]
    public async Task Export_WrongSecret_IsPlainTextUnauthorized()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect(secret: "wrong");

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => ExportLines(connection, ("from_date", "2026-03-02"), ("to_date", "2026-03-02")));

        Assert.That(ex!.ResponseExcerpt, Is.EqualTo("Unable to authenticate request"));
    }

    [Test]
    public async Task Export_TerminatedEarlyFault_EndsWithThatLine()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.TerminatedEarly) { PathContains = "/export", AfterLines = 3 });

        var lines = await ExportLines(connection, ("from_date", "2026-03-02"), ("to_date", "2026-03-05"));

        Assert.That(lines, Has.Count.EqualTo(4));
        Assert.That(lines[^1], Is.EqualTo("terminated early"));
    }

    [Test]
    public async Task Export_MalformedLineFault_InsertsOneBrokenLine()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.MalformedLine) { AfterLines = 2 });

        var lines = await ExportLines(connection, ("from_date", "2026-03-02"), ("to_date", "2026-03-05"));

        Assert.That(lines, Has.Count.EqualTo(17));
        Assert.Throws(Is.InstanceOf<JsonException>(), () => JsonDocument.Parse(lines[2]));
    }

    [Test]
    public async Task Export_DropConnectionFault_BreaksTheStreamMidway()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.DropConnection) { AfterLines = 3 });

        await using var stream = await connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export") { Query = [new("from_date", "2026-03-02"), new("to_date", "2026-03-05")] });
        using var reader = new StreamReader(stream.Body);
        var read = 0;

        await Assert.CatchAsync<IOException>(async () =>
        {
            while (await reader.ReadLineAsync() is not null)
            {
                read++;
            }
        });
        Assert.That(read, Is.EqualTo(3));
    }

    [Test]
    public async Task AnyCall_RateLimitedFault_IsRetriedAfterRetryAfter()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.RateLimited) { RetryAfter = TimeSpan.Zero, PathContains = "funnels/list" });

        var response = await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list"));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(fixture.Emulator.Faults.Pending, Is.Zero);
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(2));
    }

    [Test]
    public async Task AnyCall_ServerErrorFaultTooOften_IsServerException()
    {
        await using var fixture = await EmulatorFixture.CreateAsync();
        await using var connection = fixture.Connect();
        fixture.Emulator.Faults.Add(new EmulatorFault(EmulatorFaultKind.ServerError) { Status = HttpStatusCode.BadGateway, Times = 5 });

        var ex = await Assert.ThrowsAsync<ServerException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list")));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(3), "1 attempt + 2 retries");
    }

    [Test]
    public async Task QueryApi_HourlyBudgetSpent_Answers429WithMixpanelsHeadersAndBody()
    {
        await using var fixture = await EmulatorFixture.CreateAsync(new EmulatorOptions { QueryPerHour = 2 });
        await using var connection = fixture.Connect();
        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list"));
        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "cohorts/list"));

        using var client = new HttpClient(fixture.Emulator, disposeHandler: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://mixpanel.com/api/query/funnels/list?project_id=1");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic demo:demo");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(response.Headers.GetValues("RateLimit-Policy").Single(), Is.EqualTo("\"project\";q=2;w=3600, \"project-concurrency\";q=5;qu=\"concurrent-requests\""));
        Assert.That(response.Headers.GetValues("RateLimit").Single(), Is.EqualTo("\"project\";r=0;t=3600, \"project-concurrency\";r=5"));
        Assert.That(response.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(3600)));
        Assert.That(body, Does.Contain("exceeded the rate limit (3/2 queries running in the last hour)").And.Contain("\"request\""));

        fixture.Time.Advance(TimeSpan.FromHours(1));
        using var again = new HttpRequestMessage(HttpMethod.Get, "https://mixpanel.com/api/query/funnels/list?project_id=1");
        again.Headers.TryAddWithoutValidation("Authorization", "Basic demo:demo");
        using var later = await client.SendAsync(again);
        Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task QueryApi_ClientLimiterOn_LearnsTheQuotaAndNeverTrips429()
    {
        await using var fixture = await EmulatorFixture.CreateAsync(new EmulatorOptions { QueryPerHour = 2 });
        var options = new MixpanelClientOptions
        {
            Credentials = new Credentials("demo", "demo", 1, MixpanelRegion.Us),
            Endpoints = MixpanelEndpoints.ForRegion(MixpanelRegion.Us),
            PrimaryHandler = fixture.Emulator,
            MaxRateLimitWait = TimeSpan.FromSeconds(5),
        };
        await using var connection = new MixpanelConnection(options);

        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list"));
        await connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list"));
        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => connection.SendAsync(new PipelineRequest(ApiFamily.Query, "funnels/list")));

        Assert.That(connection.RateLimiter.QueryHourlyQuota, Is.EqualTo(2));
        Assert.That(ex!.StatusCode, Is.Null, "the client refused before sending: no 429 came back");
        Assert.That(fixture.Emulator.RequestCount, Is.EqualTo(2));
    }
}
