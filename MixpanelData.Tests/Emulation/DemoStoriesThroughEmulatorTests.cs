using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MixpanelData.Configuration;
using MixpanelData.Emulation;
using MixpanelData.Emulation.Demo;
using MixpanelData.Http;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Emulation;

/// <summary>
/// The full demo project (30,000 users, ~1M events) served by the emulator: the planted stories of docs/demo.md
/// are visible through the public API answers, and the export agrees with the live queries.
/// </summary>
public sealed class DemoStoriesThroughEmulatorTests
{
    // The demo ends yesterday; the Safari release broke sign-ups 12, 11 and 10 days before that (docs/demo.md).
    private static readonly DateOnly LastDay = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    private MixpanelEmulator _emulator = null!;
    private MixpanelConnection _connection = null!;

    [OneTimeSetUp]
    public async Task Build()
    {
        var clock = Stopwatch.StartNew();
        _emulator = await MixpanelEmulator.CreateDemoAsync(await SharedDemo.OptionsAsync(new EmulatorOptions { EnforceRateLimits = false }));
        TestContext.Progress.WriteLine($"demo ready in {clock.ElapsedMilliseconds} ms");
        _connection = new MixpanelConnection(new MixpanelClientOptions
        {
            Credentials = new Credentials(DemoOptions.Username, DemoOptions.Secret, DemoOptions.ProjectId, MixpanelRegion.Us),
            Endpoints = MixpanelEndpoints.ForRegion(MixpanelRegion.Us),
            PrimaryHandler = _emulator,
            RateLimits = new RateLimitOptions { Disabled = true },
        });
    }

    [OneTimeTearDown]
    public async Task Close()
    {
        await _connection.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    private async Task<JsonElement> Get(string path, params (string Key, string Value)[] query)
    {
        var response = await _connection.SendAsync(new PipelineRequest(ApiFamily.Query, path) { Query = [.. query.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value))] });
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Test]
    public async Task SafariSignupDrop_OnlySafariFallsOnTheThreeReleaseDays()
    {
        var root = await Get("segmentation", ("event", "Sign Up"), ("from_date", Day(LastDay.AddDays(-26))), ("to_date", Day(LastDay.AddDays(-10))), ("on", "properties[\"$browser\"]"));
        var values = root.GetProperty("data").GetProperty("values");

        double Sum(string browser, IEnumerable<DateOnly> days) => days.Sum(d => values.GetProperty(browser).GetProperty(Day(d)).GetDouble());
        var drop = new[] { LastDay.AddDays(-12), LastDay.AddDays(-11), LastDay.AddDays(-10) };
        var before = drop.SelectMany(d => new[] { d.AddDays(-7), d.AddDays(-14) }).ToArray();
        foreach (var browser in values.EnumerateObject().Select(p => p.Name).Where(b => b is "Chrome" or "Safari" or "Firefox" or "Edge"))
        {
            var ratio = Sum(browser, drop) / (Sum(browser, before) / 2);
            TestContext.Out.WriteLine($"{browser}: {ratio:P0} of the same weekdays before");
            if (browser == "Safari")
            {
                Assert.That(ratio, Is.LessThan(0.5), "Safari sign-ups must collapse");
            }
            else
            {
                Assert.That(ratio, Is.GreaterThan(0.8), $"{browser} must be unaffected");
            }
        }
    }

    [Test]
    public async Task AndroidInviteStep_IsTheWorstStepOnAndroidAndWeakerThanWeb()
    {
        var root = await Get("funnels", ("funnel_id", "7011"), ("from_date", Day(LastDay.AddDays(-59))), ("to_date", Day(LastDay.AddDays(-7))), ("interval", "60"), ("on", "properties[\"platform\"]"));
        var day = root.GetProperty("data").EnumerateObject().Single().Value;

        double InviteConversion(string platform) => day.GetProperty(platform)[2].GetProperty("step_conv_ratio").GetDouble();
        var android = InviteConversion("Android");
        var web = InviteConversion("web");
        TestContext.Out.WriteLine($"Create → Invite: Android {android:P1}, web {web:P1}, iOS {InviteConversion("iOS"):P1}");
        Assert.That(android, Is.LessThan(0.6 * web));
        Assert.That(day.GetProperty("Android")[2].GetProperty("step_conv_ratio").GetDouble(), Is.LessThan(day.GetProperty("Android")[1].GetProperty("step_conv_ratio").GetDouble()));
    }

    [Test]
    public async Task ReferralChannel_RetainsFarBetterThanPaidSocial()
    {
        var root = await Get("retention", ("from_date", Day(LastDay.AddDays(-89))), ("to_date", Day(LastDay.AddDays(-31))), ("born_event", "Sign Up"), ("interval_count", "7"), ("on", "properties[\"utm_source\"]"));

        double Day7(string channel)
        {
            long first = 0, back = 0;
            foreach (var cohort in root.GetProperty(channel).EnumerateObject())
            {
                first += cohort.Value.GetProperty("first").GetInt64();
                back += cohort.Value.GetProperty("counts")[7].GetInt64();
            }

            return (double)back / first;
        }

        var referral = Day7("referral");
        var paid = Day7("paid_social");
        TestContext.Out.WriteLine($"D7: referral {referral:P1}, paid_social {paid:P1}");
        Assert.That(referral, Is.GreaterThan(2 * paid));
    }

    [Test]
    public async Task ExportOfADay_HasExactlyTheEventsSegmentationCounts()
    {
        var day = LastDay.AddDays(-3);
        var counts = await Get("events", ("event", "[\"Sign Up\",\"Login\",\"Page View\",\"Create Project\",\"Invite Teammate\",\"Upgrade Plan\",\"Purchase\",\"Payment Failed\",\"Run Report\",\"Search\",\"Export Report\",\"Cancel Subscription\",\"Logout\"]"), ("type", "general"), ("unit", "day"), ("from_date", Day(day)), ("to_date", Day(day)));
        var expected = counts.GetProperty("data").GetProperty("values").EnumerateObject().Sum(e => e.Value.GetProperty(Day(day)).GetInt64());

        await using var export = await _connection.OpenStreamAsync(new PipelineRequest(ApiFamily.Export, "export") { Query = [new("from_date", Day(day)), new("to_date", Day(day))] });
        using var reader = new StreamReader(export.Body);
        long lines = 0;
        var ids = new HashSet<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            ids.Add(document.RootElement.GetProperty("properties").GetProperty("$insert_id").GetString()!);
            lines++;
        }

        Assert.That(lines, Is.EqualTo(expected));
        Assert.That(ids, Has.Count.EqualTo(lines));
        Assert.That(lines, Is.GreaterThan(5_000));
    }
}
