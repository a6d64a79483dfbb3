using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Emulation.Demo;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Emulation;

/// <summary>Shape, range and determinism of the demo dataset, on a reduced population to stay fast.</summary>
public sealed class DemoDatasetTests
{
    private const int SmallUserCount = 2_000;
    private static readonly DateOnly LastDay = new(2026, 3, 15);

    private static readonly string[] DocumentedEvents =
    [
        "Page View", "Sign Up", "Login", "Create Project", "Invite Teammate", "Upgrade Plan", "Purchase", "Payment Failed",
        "Run Report", "Search", "Export Report", "Cancel Subscription", "Logout",
    ];

    private DemoDataset _sut = null!;
    private List<string> _lines = null!;
    private byte[] _bytes = null!;

    [OneTimeSetUp]
    public async Task WriteSmallExportOnce()
    {
        _sut = CreateSut();
        using var memory = new MemoryStream();
        await _sut.WriteEventsAsync(memory);
        _bytes = memory.ToArray();
        _lines = [.. Encoding.UTF8.GetString(_bytes).Split('\n')];
    }

    private static DemoDataset CreateSut(int seed = DemoDatasetOptions.DefaultSeed, int users = SmallUserCount) =>
        DemoDataset.Create(new DemoDatasetOptions { Seed = seed, UserCount = users, LastDay = LastDay });

    private static long EpochOf(DateOnly day) => (long)(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;

    [Test]
    public void ComputeChecksum_SameOptions_SameChecksum()
    {
        var first = CreateSut().ComputeChecksum();
        var second = CreateSut().ComputeChecksum();

        Assert.That(second, Is.EqualTo(first));
        Assert.That(first, Does.Match("^[0-9a-f]{64}$"));
    }

    [Test]
    public void ComputeChecksum_DifferentSeed_DifferentChecksum()
    {
        Assert.That(CreateSut(seed: 7).ComputeChecksum(), Is.Not.EqualTo(_sut.ComputeChecksum()));
    }

    [Test]
    public void ComputeChecksum_Always_IsSha256OfTheWrittenJsonl()
    {
        Assert.That(_sut.ComputeChecksum(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(_bytes))));
    }

    [Test]
    public async Task WriteEventsAsync_SameOptionsTwice_ByteIdentical()
    {
        using var again = new MemoryStream();
        await CreateSut().WriteEventsAsync(again);

        Assert.That(again.ToArray().AsSpan().SequenceEqual(_bytes), Is.True);
    }

    [Test]
    public void WriteEventsAsync_EveryLine_IsExportShapedJsonWithUniqueInsertIds()
    {
        Assert.That(_lines[^1], Is.Empty, "the body ends with a newline");
        var events = _lines.Take(_lines.Count - 1).ToList();
        Assert.That(events, Has.Count.GreaterThan(40_000));

        var insertIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in events)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "event", "properties" }), line);
            var name = root.GetProperty("event").GetString();
            Assert.That(DocumentedEvents, Does.Contain(name), line);
            var props = root.GetProperty("properties");
            Assert.That(props.GetProperty("time").ValueKind, Is.EqualTo(JsonValueKind.Number), line);
            Assert.That(props.GetProperty("time").TryGetInt64(out _), Is.True, line);
            Assert.That(props.GetProperty("distinct_id").GetString(), Is.Not.Empty, line);
            var insertId = props.GetProperty("$insert_id").GetString()!;
            Assert.That(insertId, Does.Match("^[0-9a-f]{32}$"), line);
            Assert.That(insertIds.Add(insertId), Is.True, $"duplicate $insert_id: {line}");
            Assert.That(props.GetProperty("plan").GetString(), Is.AnyOf("free", "pro", "business"), line);
            Assert.That(props.GetProperty("mp_country_code").GetString(), Has.Length.EqualTo(2), line);
            Assert.That(props.GetProperty("mp_processing_time_ms").GetInt64(), Is.GreaterThan(props.GetProperty("time").GetInt64() * 1000), line);

            var server = props.GetProperty("mp_lib").GetString() == "node";
            if (!server)
            {
                Assert.That(props.GetProperty("$os").GetString(), Is.Not.Empty, line);
                Assert.That(props.GetProperty("$city").GetString(), Is.Not.Empty, line);
                Assert.That(props.GetProperty("app_version").GetString(), Does.Match(@"^4\.\d+\.\d+$"), line);
                var platform = props.GetProperty("platform").GetString();
                Assert.That(platform, Is.AnyOf("web", "iOS", "Android"), line);
                if (platform == "web")
                {
                    Assert.That(props.GetProperty("$browser").GetString(), Is.AnyOf("Chrome", "Safari", "Microsoft Edge", "Firefox", "Opera"), line);
                }
                else
                {
                    Assert.That(props.GetProperty("$device").GetString(), Is.Not.Empty, line);
                }
            }
            else
            {
                Assert.That(name, Is.EqualTo("Purchase"), "only renewals come from the server");
            }

            switch (name)
            {
                case "Sign Up":
                    Assert.That(props.GetProperty("utm_source").GetString(), Is.AnyOf("direct", "google", "paid_social", "referral", "newsletter"), line);
                    break;
                case "Page View":
                    Assert.That(props.GetProperty("page").GetString(), Does.StartWith("/"), line);
                    break;
                case "Create Project":
                case "Invite Teammate":
                    Assert.That(props.GetProperty("project_id").GetInt64(), Is.Positive, line);
                    break;
                case "Upgrade Plan":
                    Assert.That(props.GetProperty("amount").GetInt32(), Is.AnyOf(29, 99, 290, 990), line);
                    Assert.That(props.GetProperty("plan").GetString(), Is.AnyOf("pro", "business"), line);
                    Assert.That(props.GetProperty("from_plan").GetString(), Is.EqualTo("free"), line);
                    break;
                case "Purchase":
                    Assert.That(props.GetProperty("revenue").GetInt32(), Is.AnyOf(29, 99, 290, 990), line);
                    Assert.That(props.GetProperty("currency").GetString(), Is.EqualTo("USD"), line);
                    Assert.That(props.GetProperty("billing_reason").GetString(), Is.AnyOf("new", "renewal"), line);
                    break;
            }
        }
    }

    [Test]
    public void WriteEventsAsync_FullWindow_CoversExactlyTheNinetyDaysEndingLastDayInTimeOrder()
    {
        var firstDay = LastDay.AddDays(-89);
        var start = EpochOf(firstDay);
        var end = EpochOf(LastDay.AddDays(1));
        var perDay = new int[90];
        var previous = long.MinValue;
        foreach (var line in _lines.Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            var time = doc.RootElement.GetProperty("properties").GetProperty("time").GetInt64();
            Assert.That(time, Is.GreaterThanOrEqualTo(start).And.LessThan(end), line);
            Assert.That(time, Is.GreaterThanOrEqualTo(previous), "lines are ordered by time");
            previous = time;
            perDay[(time - start) / 86_400]++;
        }

        Assert.That(_sut.FirstDay, Is.EqualTo(firstDay));
        Assert.That(perDay, Has.All.GreaterThan(0), "every day of the window has events");
    }

    [Test]
    public async Task WriteEventsAsync_OneDay_EqualsThatDaysLinesOfTheFullExport()
    {
        var day = LastDay.AddDays(-40);
        var start = EpochOf(day);
        var expected = _lines.Where(l => l.Length > 0).Where(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var time = doc.RootElement.GetProperty("properties").GetProperty("time").GetInt64();
            return time >= start && time < start + 86_400;
        }).ToList();

        using var memory = new MemoryStream();
        await _sut.WriteEventsAsync(memory, day, day);
        var actual = Encoding.UTF8.GetString(memory.ToArray()).Split('\n').Where(l => l.Length > 0).ToList();

        Assert.That(actual, Has.Count.GreaterThan(100));
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public async Task WriteEventsAsync_TextWriter_WritesTheSameTextAsTheStream()
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        await _sut.WriteEventsAsync(text, _sut.FirstDay, _sut.LastDay);

        Assert.That(text.ToString(), Is.EqualTo(Encoding.UTF8.GetString(_bytes)));
    }

    [Test]
    public async Task WriteEventsAsync_RangeOutsideWindow_WritesNothing()
    {
        using var memory = new MemoryStream();
        await _sut.WriteEventsAsync(memory, LastDay.AddDays(1), LastDay.AddDays(5));
        await _sut.WriteEventsAsync(memory, LastDay.AddDays(-400), LastDay.AddDays(-90));

        Assert.That(memory.Length, Is.Zero);
    }

    [Test]
    public void Events_Enumerated_MatchTheExportLines()
    {
        var fromEnumerable = _sut.Events().Select(e =>
            $"{{\"event\":{JsonSerializer.Serialize(e.Name)},\"properties\":{e.PropertiesJson}}}").ToList();

        Assert.That(fromEnumerable, Is.EqualTo(_lines.Take(_lines.Count - 1)));
        var first = _sut.Events().First();
        using var doc = JsonDocument.Parse(first.PropertiesJson);
        Assert.That(doc.RootElement.GetProperty("$insert_id").GetString(), Is.EqualTo(first.InsertId));
        Assert.That(doc.RootElement.GetProperty("distinct_id").GetString(), Is.EqualTo(first.DistinctId));
        Assert.That(doc.RootElement.GetProperty("time").GetInt64(), Is.EqualTo(first.Time));
    }

    [Test]
    public async Task WriteProfilesAsync_EveryUser_HasAnEngageShapedProfile()
    {
        var profiles = await ReadProfilesAsync(_sut);

        Assert.That(profiles, Has.Count.EqualTo(SmallUserCount));
        Assert.That(profiles.Select(p => p.GetProperty("$distinct_id").GetString()).Distinct().Count(), Is.EqualTo(SmallUserCount));
        Assert.That(profiles.Select(p => p.GetProperty("$properties").GetProperty("$email").GetString()).Distinct().Count(), Is.EqualTo(SmallUserCount));
        foreach (var profile in profiles)
        {
            var props = profile.GetProperty("$properties");
            foreach (var name in new[] { "$email", "$name", "$city", "mp_country_code", "utm_source", "company", "company_size", "platform" })
            {
                Assert.That(props.GetProperty(name).GetString(), Is.Not.Empty, name);
            }

            Assert.That(props.GetProperty("plan").GetString(), Is.AnyOf("free", "pro", "business"));
            var created = DateTime.ParseExact(props.GetProperty("$created").GetString()!, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            var lastSeen = DateTime.ParseExact(props.GetProperty("$last_seen").GetString()!, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            Assert.That(lastSeen, Is.GreaterThanOrEqualTo(created));
            Assert.That(lastSeen, Is.LessThan(LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue)));
        }
    }

    [Test]
    public async Task WriteProfilesAsync_DefaultSize_CreatedNeverAfterLastSeenAndEarlyUsersCreatedBeforeTheWindow()
    {
        // Profiles are cheap (no events are generated), so check all 30,000 of the default size.
        var dataset = CreateSut(users: 30_000);
        var windowStart = dataset.FirstDay.ToDateTime(TimeOnly.MinValue);
        var profiles = await ReadProfilesAsync(dataset);
        var createdBeforeWindow = 0;
        foreach (var profile in profiles)
        {
            var props = profile.GetProperty("$properties");
            var created = DateTime.ParseExact(props.GetProperty("$created").GetString()!, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            var lastSeen = DateTime.ParseExact(props.GetProperty("$last_seen").GetString()!, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
            Assert.That(lastSeen, Is.GreaterThanOrEqualTo(created), profile.GetProperty("$distinct_id").GetString());
            Assert.That(created, Is.GreaterThanOrEqualTo(windowStart.AddDays(-180)));
            createdBeforeWindow += created < windowStart ? 1 : 0;
        }

        // About a fifth of the users signed up before the window.
        Assert.That(createdBeforeWindow, Is.InRange(5_400, 6_600));
    }

    [Test]
    public async Task WriteProfilesAsync_EveryEventUser_HasAProfileWhoseLastSeenIsTheirLastEvent()
    {
        var profiles = (await ReadProfilesAsync(_sut)).ToDictionary(
            p => p.GetProperty("$distinct_id").GetString()!,
            p => p.GetProperty("$properties").GetProperty("$last_seen").GetString()!);
        var lastClientEvent = new Dictionary<string, long>();
        foreach (var line in _lines.Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            var props = doc.RootElement.GetProperty("properties");
            var id = props.GetProperty("distinct_id").GetString()!;
            Assert.That(profiles, Does.ContainKey(id));
            if (props.GetProperty("mp_lib").GetString() != "node")
            {
                lastClientEvent[id] = Math.Max(lastClientEvent.GetValueOrDefault(id), props.GetProperty("time").GetInt64());
            }
        }

        foreach (var (id, time) in lastClientEvent)
        {
            Assert.That(profiles[id], Is.EqualTo(DateTime.UnixEpoch.AddSeconds(time).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)), id);
        }
    }

    [Test]
    public async Task Cohorts_Count_MatchesTheProfilesTheirRuleSelects()
    {
        var profiles = (await ReadProfilesAsync(_sut)).Select(p => p.GetProperty("$properties")).ToList();
        string Prop(JsonElement p, string name) => p.GetProperty(name).GetString()!;
        var dormantBefore = LastDay.AddDays(-29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var expected = new Dictionary<long, int>
        {
            [9101] = profiles.Count(p => Prop(p, "plan") is "pro" or "business"),
            [9102] = profiles.Count(p => Prop(p, "utm_source") == "referral"),
            [9103] = profiles.Count(p => Prop(p, "utm_source") == "paid_social"),
            [9104] = profiles.Count(p => Prop(p, "platform") == "Android"),
            [9105] = profiles.Count(p => Prop(p, "company_size") is "201-1000" or "1000+" && Prop(p, "plan") == "free"),
            [9106] = profiles.Count(p => string.CompareOrdinal(Prop(p, "$last_seen"), dormantBefore) < 0),
        };

        var cohorts = _sut.Definitions.Cohorts;
        Assert.That(cohorts.Select(c => c.Id), Is.EquivalentTo(expected.Keys));
        foreach (var cohort in cohorts)
        {
            Assert.That(cohort.Count, Is.EqualTo(expected[cohort.Id]), cohort.Name);
            Assert.That(cohort.Members, Has.Length.EqualTo(cohort.Count), cohort.Name);
            Assert.That(cohort.Count, Is.Positive, cohort.Name);
            Assert.DoesNotThrow(() => MixpanelExpression.Parse(cohort.Definition), cohort.Definition);
        }
    }

    [Test]
    public void Funnels_Saved_HaveOrderedStepsOfRealEventsAndValidFilters()
    {
        var funnels = _sut.Definitions.Funnels;

        Assert.That(funnels.Select(f => f.Id), Is.Unique);
        Assert.That(funnels.Select(f => f.Name), Has.Some.Contains("Sign Up → Create Project → Invite Teammate"));
        Assert.That(funnels.Select(f => f.Name), Has.Some.Contains("Sign Up → Upgrade Plan → Purchase"));
        foreach (var funnel in funnels)
        {
            Assert.That(funnel.Steps, Has.Length.GreaterThanOrEqualTo(2));
            Assert.That(funnel.Length, Is.InRange(1, 90));
            Assert.That(funnel.LengthUnit, Is.AnyOf("day", "hour", "minute", "second"));
            foreach (var step in funnel.Steps)
            {
                Assert.That(DocumentedEvents, Does.Contain(step.Event));
                if (step.Where is not null)
                {
                    Assert.DoesNotThrow(() => MixpanelExpression.Parse(step.Where), step.Where);
                }
            }
        }
    }

    [Test]
    public void Bookmarks_Saved_HaveKnownTypesParsableParamsAndFunnelIds()
    {
        var bookmarks = _sut.Definitions.Bookmarks;

        Assert.That(bookmarks.Select(b => b.Id), Is.Unique);
        Assert.That(bookmarks.Select(b => b.Type).Distinct(), Is.EquivalentTo(new[] { "insights", "funnels", "retention" }));
        Assert.That(bookmarks.Where(b => b.Type == "funnels").Select(b => b.Id), Is.EquivalentTo(_sut.Definitions.Funnels.Select(f => f.Id)));
        foreach (var bookmark in bookmarks)
        {
            using var doc = JsonDocument.Parse(bookmark.ParamsJson);
            Assert.That(doc.RootElement.GetProperty("sections").GetProperty("show").GetArrayLength(), Is.EqualTo(1), bookmark.Name);
            Assert.That(bookmark.Modified, Is.GreaterThanOrEqualTo(bookmark.Created));
            Assert.That(bookmark.Modified, Is.LessThan(LastDay.ToDateTime(TimeOnly.MinValue)), "saved before the data ends, never from the clock");
        }
    }

    [TestCase(30)]
    [TestCase(120)]
    public async Task WriteEventsAsync_ShortestAndLongestWindow_StayInsideTheirDays(int days)
    {
        var dataset = DemoDataset.Create(new DemoDatasetOptions { UserCount = 500, Days = days, LastDay = LastDay });
        var start = EpochOf(LastDay.AddDays(1 - days));
        var end = EpochOf(LastDay.AddDays(1));
        var daysWithEvents = new HashSet<long>();
        var sink = new LineSplittingStream(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var time = doc.RootElement.GetProperty("properties").GetProperty("time").GetInt64();
            Assert.That(time, Is.GreaterThanOrEqualTo(start).And.LessThan(end));
            daysWithEvents.Add((time - start) / 86_400);
        });

        await dataset.WriteEventsAsync(sink);

        Assert.That(daysWithEvents, Has.Count.EqualTo(days));
    }

    /// <summary>
    /// Story (a) must not depend on which weekdays the drop days fall on. Only the days around the drop are
    /// generated, and Safari's share of web sign-ups is compared, which is immune to the weekly pattern.
    /// </summary>
    [TestCase("2026-03-18")]
    [TestCase("2026-07-01")]
    [TestCase("2027-01-09")]
    public async Task SafariShareOfWebSignUps_DropDays_LessThanHalfOfThePreviousTwoWeeks(string lastDay)
    {
        var last = DateOnly.Parse(lastDay, CultureInfo.InvariantCulture);
        var dataset = DemoDataset.Create(new DemoDatasetOptions { LastDay = last });
        var dropStart = EpochOf(last.AddDays(-12));
        var dropEnd = EpochOf(last.AddDays(-9));
        int dropSafari = 0, dropWeb = 0, beforeSafari = 0, beforeWeb = 0;
        var sink = new LineSplittingStream(line =>
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("event").GetString() != "Sign Up"
                || !doc.RootElement.GetProperty("properties").TryGetProperty("$browser", out var browser))
            {
                return;
            }

            var time = doc.RootElement.GetProperty("properties").GetProperty("time").GetInt64();
            var safari = browser.GetString() == "Safari" ? 1 : 0;
            if (time >= dropStart && time < dropEnd)
            {
                (dropSafari, dropWeb) = (dropSafari + safari, dropWeb + 1);
            }
            else if (time < dropStart)
            {
                (beforeSafari, beforeWeb) = (beforeSafari + safari, beforeWeb + 1);
            }
        });

        await dataset.WriteEventsAsync(sink, last.AddDays(-26), last.AddDays(-10));

        var before = beforeSafari / (double)beforeWeb;
        var drop = dropSafari / (double)dropWeb;
        Assert.That(before, Is.InRange(0.15, 0.30), "Safari is about a fifth of web sign-ups normally");
        Assert.That(drop, Is.LessThan(0.5 * before));
    }

    [Test]
    public void Create_UserCountOutOfRange_Throws()
    {
        Assert.Throws<ArgumentException>(() => DemoDataset.Create(new DemoDatasetOptions { UserCount = 10, LastDay = LastDay }));
        Assert.Throws<ArgumentException>(() => DemoDataset.Create(new DemoDatasetOptions { Days = 400, LastDay = LastDay }));
    }

    [Test]
    public void EndingYesterday_ManualClock_LastDayIsTheDayBeforeItsUtcDate()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 7, 1, 0, 30, 0, TimeSpan.FromHours(2)));

        var options = DemoDatasetOptions.EndingYesterday(clock);

        // 00:30 at UTC+2 is still 30 June in UTC.
        Assert.That(options.LastDay, Is.EqualTo(new DateOnly(2026, 6, 29)));
        Assert.That(options.FirstDay, Is.EqualTo(new DateOnly(2026, 6, 29).AddDays(-89)));
    }

    private static async Task<List<JsonElement>> ReadProfilesAsync(DemoDataset dataset)
    {
        using var memory = new MemoryStream();
        await dataset.WriteProfilesAsync(memory);
        return [.. Encoding.UTF8.GetString(memory.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }
}
