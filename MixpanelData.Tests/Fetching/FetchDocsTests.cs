using System.Text.RegularExpressions;
using MixpanelData.Fetching;

namespace MixpanelData.Tests.Fetching;

/// <summary>
/// The examples of docs/library.md's "Fetch and stream" section, compiled and run here against the emulator.
/// The region between the doc markers must equal the section's code block, so the page cannot drift.
/// </summary>
public sealed partial class FetchDocsTests
{
    [GeneratedRegex("## Fetch and stream.*?```csharp\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FetchBlock();

    [GeneratedRegex(@"// doc:fetch-begin\n(?<body>.*?)\n\s*// doc:fetch-end", RegexOptions.Singleline)]
    private static partial Regex Region();

    [Test]
    public async Task Examples_RunAgainstTheEmulator()
    {
        await using var fixture = await FetchFixture.CreateAsync(perDay: 10, days: 7, profiles: 2_500);
        var ws = fixture.Workspace();

        // doc:fetch-begin
        // A range of events into the local store (in windows of days: at most 10 export requests), with progress.
        var result = await ws.Fetch.EventsAsync(
            new FetchEventsRequest(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 5)) { Events = ["Sign Up", "Login"] },
            new Progress<FetchProgress>(p => Console.Error.WriteLine(
                $"{p.DaysDone}/{p.DaysTotal} days, {p.Events:N0} events, {p.EventsPerSecond:N0}/s, ETA {p.EstimatedRemaining}")));
        Console.WriteLine($"{result.RowsInserted:N0} rows in {result.Table}, {result.MalformedLines} malformed lines");
        var perDay = await ws.Local.SqlAsync(
            "SELECT CAST(event_time AS DATE) AS day, count(*) AS events FROM events GROUP BY day ORDER BY day");

        // More days, without duplicating $insert_ids. If it fails midway, run the same request again:
        // Resume = true continues after the last completed window (and starts over when there is nothing to resume).
        var more = await ws.Fetch.EventsAsync(
            new FetchEventsRequest(new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 7)) { Events = ["Sign Up", "Login"], Append = true, Resume = true });
        Console.WriteLine($"+{more.RowsInserted} rows, {more.DuplicatesSkipped} already there");

        // Profiles, paged 1,000 at a time with Engage's session_id.
        var pro = await ws.Fetch.ProfilesAsync(new FetchProfilesRequest { Where = "properties[\"plan\"] == \"pro\"", Table = "pro_users" });

        // Streams: nothing is stored; stop whenever you like.
        await foreach (var e in ws.Fetch.StreamEventsAsync(new StreamEventsRequest(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1)) { Limit = 3 }))
        {
            Console.WriteLine($"{e.Time:u} {e.Name} {e.DistinctId} {e.Properties.GetProperty("plan")}");
        }

        await foreach (var profile in ws.Fetch.StreamProfilesAsync(new StreamProfilesRequest { CohortId = 2000 }))
        {
            Console.WriteLine($"{profile.DistinctId} last seen {profile.LastSeen:u}");
            break;
        }
        // doc:fetch-end

        // Sign Up and Login are i % 3 != 2: 7, 8, 8, 9, 10 on 03-01..03-05, then 10 (again), 10, 11.
        Assert.That(result.RowsInserted, Is.EqualTo(42));
        Assert.That((more.EventsRead, more.RowsInserted, more.DuplicatesSkipped), Is.EqualTo((31L, 21L, 10L)));
        Assert.That(perDay.Rows, Has.Count.EqualTo(5));
        Assert.That(perDay.Rows[^1][1], Is.EqualTo(10L));
        Assert.That(pro.TableRowCount, Is.EqualTo(625));
        Assert.That(DocBlock(), Is.EqualTo(SourceRegion()));
    }

    private static string Dedent(string text)
    {
        var lines = text.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).Trim();
    }

    private static string DocBlock() => Dedent(FetchBlock().Match(File.ReadAllText(Find("docs", "library.md"))).Groups["body"].Value);

    private static string SourceRegion() => Dedent(Region().Match(File.ReadAllText(Find("MixpanelData.Tests", "Fetching", "FetchDocsTests.cs"))).Groups["body"].Value);

    private static string Find(params string[] parts)
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(path))
            {
                return path;
            }
        }

        Assert.Fail($"{Path.Combine(parts)} not found above the test directory");
        return string.Empty;
    }
}
