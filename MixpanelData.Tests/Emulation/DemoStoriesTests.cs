using System.Diagnostics;
using System.Text.Json;
using MixpanelData.Emulation.Demo;

namespace MixpanelData.Tests.Emulation;

/// <summary>
/// The full default dataset (30,000 users, 90 days), generated once and read back from its export JSONL.
/// Each planted story must show up in a plain aggregation; the thresholds are written here, not taken from the generator.
/// </summary>
public sealed class DemoStoriesTests
{
    // A Sunday, so the Safari drop days (LastDay-12..LastDay-10) are Tuesday to Thursday.
    private static readonly DateOnly LastDay = new(2026, 3, 15);
    private const int Days = 90;

    private readonly Dictionary<string, UserFacts> _users = new(StringComparer.Ordinal);
    private readonly int[] _eventsPerDay = new int[Days];
    private readonly int[] _safariSignUps = new int[Days];
    private readonly int[] _safariSignupPageViews = new int[Days];
    private readonly int[] _otherSignUps = new int[Days];
    private long _start;
    private long _events;
    private int _profiles;

    [OneTimeSetUp]
    public async Task GenerateAndAggregateOnce()
    {
        _start = (long)(LastDay.AddDays(1 - Days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;
        var watch = Stopwatch.StartNew();
        var dataset = DemoDataset.Create(new DemoDatasetOptions { LastDay = LastDay });
        var sink = new LineSplittingStream(Aggregate);
        await dataset.WriteEventsAsync(sink);
        _profiles = dataset.UserCount;
        await TestContext.Out.WriteLineAsync(
            $"Generated and parsed {sink.Lines:N0} events ({sink.Bytes:N0} bytes) from {_users.Count:N0} users in {watch.Elapsed.TotalSeconds:F1} s.");
        Assert.That(sink.Unterminated, Is.Zero);
    }

    private void Aggregate(ReadOnlyMemory<byte> line)
    {
        using var doc = JsonDocument.Parse(line);
        var name = doc.RootElement.GetProperty("event").GetString()!;
        var props = doc.RootElement.GetProperty("properties");
        var time = props.GetProperty("time").GetInt64();
        var day = (int)((time - _start) / 86_400);
        var id = props.GetProperty("distinct_id").GetString()!;
        if (!_users.TryGetValue(id, out var user))
        {
            user = new UserFacts();
            _users[id] = user;
        }

        _events++;
        _eventsPerDay[day]++;
        user.ActiveDays |= UInt128.One << day;
        if (props.TryGetProperty("platform", out var platform))
        {
            user.Platform = platform.GetString();
        }

        var safari = props.TryGetProperty("$browser", out var browser) && browser.GetString() == "Safari";
        switch (name)
        {
            case "Sign Up":
                user.SignupDay = day;
                user.UtmSource = props.GetProperty("utm_source").GetString();
                (safari ? _safariSignUps : _otherSignUps)[day]++;
                break;
            case "Page View" when safari && props.GetProperty("page").GetString() == "/signup":
                _safariSignupPageViews[day]++;
                break;
            case "Create Project" when user.FirstCreate is null:
                user.FirstCreate = time;
                break;
            case "Invite Teammate" when user.FirstCreate is { } created && time - created <= 7 * 86_400:
                user.InvitedAfterCreate = true;
                break;
        }
    }

    [Test]
    public void Export_DefaultOptions_HasAboutOneMillionEventsFromThirtyThousandUsers()
    {
        Assert.That(_events, Is.InRange(900_000, 1_200_000));
        Assert.That(_profiles, Is.EqualTo(30_000));
        // Users who churned before the window have a profile but no events.
        Assert.That(_users, Has.Count.InRange(27_000, 30_000));
        Assert.That(_users.Values.Count(u => u.SignupDay is not null), Is.InRange(22_000, 26_000));
    }

    [Test]
    public void Export_Weekends_AreClearlyQuieterThanWeekdays()
    {
        var weekend = new List<int>();
        var weekday = new List<int>();
        for (var d = 0; d < Days; d++)
        {
            (LastDay.AddDays(d - Days + 1).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? weekend : weekday).Add(_eventsPerDay[d]);
        }

        Assert.That(weekend.Average(), Is.LessThan(0.65 * weekday.Average()));
    }

    [Test]
    public void Export_LastTwoWeeks_BusierThanFirstTwoWeeks()
    {
        var first = _eventsPerDay.Take(14).Average();
        var last = _eventsPerDay.Skip(Days - 14).Average();

        Assert.That(last, Is.GreaterThan(1.3 * first));
    }

    /// <summary>Story (a): Safari sign-ups fall ~60% on LastDay-12..LastDay-10; other browsers and the sign-up page traffic do not.</summary>
    [Test]
    public void SafariSignUps_DropDays_FallBelowHalfOfTheSameWeekdaysBefore()
    {
        int[] drop = [Days - 13, Days - 12, Days - 11];
        double Ratio(int[] perDay) => drop.Sum(d => perDay[d]) / (0.5 * drop.Sum(d => perDay[d - 7] + perDay[d - 14]));

        var safari = Ratio(_safariSignUps);
        var others = Ratio(_otherSignUps);
        var safariPageViews = Ratio(_safariSignupPageViews);
        TestContext.Out.WriteLine($"Safari sign-ups {safari:P0}, other sign-ups {others:P0}, Safari /signup views {safariPageViews:P0} of the same weekdays before.");

        Assert.That(safari, Is.LessThan(0.5));
        Assert.That(others, Is.InRange(0.8, 1.2));
        Assert.That(safariPageViews, Is.GreaterThan(0.8), "visitors still reach the form; submitting it fails");
    }

    [Test]
    public void SafariSignUps_AfterTheHotfix_Recover()
    {
        int[] after = [Days - 9, Days - 8, Days - 7];
        var ratio = after.Sum(d => _safariSignUps[d]) / (0.5 * after.Sum(d => _safariSignUps[d - 14] + _safariSignUps[d - 21]));

        Assert.That(ratio, Is.GreaterThan(0.9));
    }

    /// <summary>Story (b): Android users invite teammates after creating a project about half as often as web users.</summary>
    [Test]
    public void InviteAfterCreateProject_Android_IsBelowSixTenthsOfWeb()
    {
        double Conversion(string platform)
        {
            var creators = _users.Values.Where(u => u.Platform == platform && u.FirstCreate is not null).ToList();
            Assert.That(creators, Has.Count.GreaterThan(2_000), platform);
            return creators.Count(u => u.InvitedAfterCreate) / (double)creators.Count;
        }

        var web = Conversion("web");
        var ios = Conversion("iOS");
        var android = Conversion("Android");
        TestContext.Out.WriteLine($"Create Project → Invite Teammate within 7 days: web {web:P1}, iOS {ios:P1}, Android {android:P1}.");

        Assert.That(android, Is.LessThan(0.6 * web));
        Assert.That(ios, Is.InRange(0.85 * web, 1.15 * web), "the weakness is Android's alone");
    }

    /// <summary>Story (c): referral sign-ups retain far better than paid social ones.</summary>
    [Test]
    public void Retention_Referral_BeatsPaidSocialAtDay7AndDay30()
    {
        double Retention(string source, int offset)
        {
            var born = _users.Values.Where(u => u.UtmSource == source && u.SignupDay is { } s && s + offset < Days).ToList();
            return born.Count(u => ((u.ActiveDays >> (u.SignupDay!.Value + offset)) & UInt128.One) != UInt128.Zero) / (double)born.Count;
        }

        var referral7 = Retention("referral", 7);
        var paid7 = Retention("paid_social", 7);
        var referral30 = Retention("referral", 30);
        var paid30 = Retention("paid_social", 30);
        TestContext.Out.WriteLine($"D7: referral {referral7:P1}, paid_social {paid7:P1}; D30: referral {referral30:P1}, paid_social {paid30:P1}.");

        Assert.That(referral7, Is.GreaterThan(0.2));
        Assert.That(referral7, Is.GreaterThan(2 * paid7));
        Assert.That(referral30, Is.GreaterThan(3 * paid30));
    }

    private sealed class UserFacts
    {
        public UInt128 ActiveDays;
        public int? SignupDay;
        public string? UtmSource;
        public string? Platform;
        public long? FirstCreate;
        public bool InvitedAfterCreate;
    }
}
