using System.Text.RegularExpressions;
using MixpanelData.Discovery;
using MixpanelData.Queries;

namespace MixpanelData.Tests.Workspaces;

/// <summary>
/// Runs every example of docs/library.md against the emulator. Each example sits in a <c>#region docs</c> below, and
/// <see cref="Docs_EveryExample_IsRunHere"/> checks that the page's code blocks and these regions are the same text.
/// </summary>
public sealed partial class LibraryDocsTests
{
    [GeneratedRegex("```csharp\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^[ \t]*#region docs[ \t]*\n(?<body>.*?)^[ \t]*#endregion", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex DocsRegion();

    [Test]
    public void Docs_EveryExample_IsRunHere()
    {
        var root = RepositoryRoot();
        // The "Fetch and stream" section's examples are run by FetchDocsTests.
        var page = File.ReadAllText(Path.Combine(root, "docs", "library.md"));
        var fetchSection = page.IndexOf("## Fetch and stream", StringComparison.Ordinal);
        var examples = CodeBlock().Matches(fetchSection < 0 ? page : page[..fetchSection]).Select(m => Normalise(m.Groups["body"].Value)).ToList();
        var regions = DocsRegion().Matches(File.ReadAllText(Path.Combine(root, "MixpanelData.Tests", "Workspace", "LibraryDocsTests.cs"))).Select(m => Normalise(m.Groups["body"].Value)).ToList();

        Assert.That(examples, Has.Count.GreaterThanOrEqualTo(9));
        Assert.That(regions, Is.EquivalentTo(examples), "docs/library.md and the regions of LibraryDocsTests.cs must hold the same examples");
    }

    [Test]
    public async Task FrontDoor_Example_ResolvesAnAccountOrSaysWhereItLooked()
    {
        try
        {
            #region docs
            await using var ws = Workspace.FromEnvironment();   // MP_* variables, else ~/.mp/config.toml (see configuration.md)
            // await using var ws = Workspace.Open("production");                             // a named account
            // await using var ws = new Workspace(new WorkspaceOptions { Account = account }); // an account you built
            $"{ws.Account.Name}: project {ws.ProjectId}".Dump();
            #endregion
        }
        catch (ConfigurationException ex)
        {
            Assert.That(ex.SourcesTried, Is.Not.Empty);
        }
    }

    [Test]
    public async Task Discovery_Examples_Run()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;

        #region docs
        var events = await ws.Discovery.EventsAsync();
        events.Dump();                                              // every event name, alphabetically

        var properties = await ws.Discovery.PropertiesAsync("Sign Up");
        properties.Dump();                                          // [browser: 5, revenue: 3], most frequent first

        var browsers = await ws.Discovery.PropertyValuesAsync("Sign Up", "browser", limit: 10);
        browsers.Dump();                                            // Chrome, Firefox, Safari
        #endregion

        Assert.That(events, Has.Count.EqualTo(4));
        Assert.That(properties.Select(p => (p.Name, p.Count)), Is.EqualTo(new (string, long?)[] { ("browser", 5), ("revenue", 3) }));
        Assert.That(browsers, Is.EqualTo(new[] { "Chrome", "Firefox", "Safari" }));
    }

    [Test]
    public async Task DiscoveryLists_Examples_Run()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;

        #region docs
        var funnels = await ws.Discovery.FunnelsAsync();            // saved funnels: id and name
        var cohorts = await ws.Discovery.CohortsAsync();            // id, name, description, count, visibility, created
        var top = await ws.Discovery.TopEventsAsync(CountType.Unique, limit: 10);   // today so far, with change vs yesterday

        var page = await ws.Discovery.BookmarksAsync(BookmarkType.Insights, page: 0, pageSize: 20);
        $"{page.Items.Count} of {page.Total} saved insights reports; more: {page.HasMore}".Dump();

        var schemas = await ws.Discovery.LexiconSchemasAsync(LexiconEntityType.Event);
        var signUp = await ws.Discovery.LexiconSchemaAsync(LexiconEntityType.Event, "Sign Up");
        signUp.Properties.Select(p => $"{p.Name}: {p.Type}").Dump();
        #endregion

        Assert.That(funnels.Single().Name, Is.EqualTo("Activation"));
        Assert.That(cohorts.Single().Count, Is.EqualTo(2));
        Assert.That(top.Events.Single().Event, Is.EqualTo("Login"));
        Assert.That((page.Items.Single().Id, page.Total, page.HasMore), Is.EqualTo((500L, 1, false)));
        Assert.That(schemas, Has.Count.EqualTo(1));
        Assert.That(signUp.Properties.Select(p => $"{p.Name}: {p.Type}"), Is.EqualTo(new[] { "browser: string", "revenue: integer" }));
    }

    [Test]
    public async Task Segmentation_Examples_Run()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;

        #region docs
        var signUps = await ws.Query.SegmentationAsync(new SegmentationQuery("Sign Up", new(2026, 3, 1), new(2026, 3, 5)));
        signUps.Series.Dump();                                      // 2026-03-01 … 2026-03-05, every day, in order
        signUps.Segments.Single().Values.Dump();                    // 0, 2, 2, 1, 0

        var byBrowser = await ws.Query.SegmentationAsync(new SegmentationQuery("Sign Up", new(2026, 3, 2), new(2026, 3, 4))
        {
            Type = CountType.Unique,
            On = "properties[\"browser\"]",
            Where = "defined(properties[\"browser\"])",
            Limit = 2,
        });
        byBrowser.Segments.Select(s => $"{s.Name}: {s.Total}").Dump();   // Chrome: 2, Firefox: 2
        byBrowser.SegmentLimitHit.Dump();                           // True: Safari was cut off
        #endregion

        Assert.That(signUps.Segments.Single().Values, Is.EqualTo(new double[] { 0, 2, 2, 1, 0 }));
        Assert.That(byBrowser.Segments.Select(s => $"{s.Name}: {s.Total}"), Is.EqualTo(new[] { "Chrome: 2", "Firefox: 2" }));
        Assert.That(byBrowser.SegmentLimitHit, Is.True);
    }

    [Test]
    public async Task NumericAndCounts_Examples_Run()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;

        #region docs
        var revenue = await ws.Query.SegmentationSumAsync(new NumericAggregateQuery("Sign Up", new(2026, 3, 2), new(2026, 3, 4), "properties[\"revenue\"]"));
        revenue.Series.Zip(revenue.Values).Dump();                  // (2026-03-02, 35), (2026-03-03, 5), (2026-03-04, 0)

        var counts = await ws.Query.EventCountsAsync(new EventCountsQuery(["Sign Up", "Login"], new(2026, 3, 2), new(2026, 3, 5)));
        var perBrowser = await ws.Query.PropertyCountsAsync(new PropertyCountsQuery("Sign Up", "browser", new(2026, 3, 2), new(2026, 3, 4)) { Values = ["Chrome", "Safari"] });
        #endregion

        Assert.That(revenue.Values, Is.EqualTo(new double[] { 35, 5, 0 }));
        Assert.That(counts.Segments.Select(s => s.Total), Is.EqualTo(new double[] { 5, 5 }));
        Assert.That(perBrowser.Segments.Select(s => (s.Name, s.Total)), Is.EqualTo(new[] { ("Chrome", 2.0), ("Safari", 1.0) }));
    }

    [Test]
    public async Task Funnel_Example_Runs()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;

        #region docs
        var funnel = await ws.Query.FunnelAsync(new SavedFunnelQuery(7, new(2026, 3, 2), new(2026, 3, 3))
        {
            On = "properties[\"browser\"]",
            WindowLength = 7,
            WindowUnit = WindowUnit.Day,
        });
        $"{funnel.Name}: {funnel.Overall.ConversionRate:P0} convert".Dump();
        funnel.Segments.Select(s => $"{s.Segment}: {s.Entered} → {s.Completed}").Dump();            // over the range
        funnel.Buckets.Select(b => $"{b.Date}: {string.Join(", ", b.Segments.Select(s => s.Segment))}").Dump();   // per date
        #endregion

        Assert.That(funnel.Segments.Select(s => $"{s.Segment}: {s.Entered} → {s.Completed}"), Is.EqualTo(new[] { "Chrome: 2 → 1", "Firefox: 1 → 0", "Safari: 1 → 0" }));
        Assert.That(funnel.Buckets.Select(b => $"{b.Date}: {string.Join(", ", b.Segments.Select(s => s.Segment))}"), Is.EqualTo(new[] { "2026-03-02: Chrome, Safari", "2026-03-03: Chrome, Firefox" }));
    }

    [Test]
    public async Task RetentionAndFrequency_Examples_Run()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;

        #region docs
        var retention = await ws.Query.RetentionAsync(new RetentionQuery(new(2026, 3, 2), new(2026, 3, 3))
        {
            BornEvent = "Sign Up",
            Event = "Login",
            IntervalCount = 3,
        });
        retention.Overall.Cohorts.Select(c => $"{c.Date}: {c.First} users, {string.Join(" ", c.Rates.Select(r => r.ToString("P0")))}").Dump();

        var frequency = await ws.Query.FrequencyAsync(new FrequencyQuery(new(2026, 3, 2), new(2026, 3, 8))
        {
            Event = "Login",
            Unit = TimeUnit.Week,
            AddictionUnit = TimeUnit.Day,
        });
        frequency.Periods.Single().Counts.Dump();                   // users active on ≥1, ≥2, … days of the week: 3, 2, 0, …
        #endregion

        Assert.That(retention.Overall.Cohorts.Select(c => c.First), Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(frequency.Periods.Single().Counts.Take(3), Is.EqualTo(new long[] { 3, 2, 0 }));
    }

    [Test]
    public async Task ActivityAndSavedReport_Examples_Run()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;

        #region docs
        var feed = await ws.Query.ActivityFeedAsync(new ActivityFeedQuery(["u1", "u2"], new(2026, 3, 2), new(2026, 3, 3)) { Limit = 2 });
        $"{feed.Events.Count} of {feed.Total} events (truncated: {feed.Truncated})".Dump();
        feed.Events.Select(e => $"{e.Time:u} {e.DistinctId} {e.Event}").Dump();

        var report = await ws.Query.SavedReportAsync(new SavedReportQuery(500));
        report.Headers.Dump();                                      // $metric
        report.Values.Where(v => v.Value > 0).Select(v => $"{string.Join(" / ", v.Path)} = {v.Value}").Dump();
        #endregion

        Assert.That((feed.Events.Count, feed.Total, feed.Truncated), Is.EqualTo((2, 6, true)));
        Assert.That(report.Headers, Is.EqualTo(new[] { "$metric" }));
        Assert.That(report.Values.Where(v => v.Value > 0).Sum(v => v.Value), Is.EqualTo(5));
    }

    [Test]
    public async Task UnknownEvent_Example_Runs()
    {
        await using var live = await LiveWorkspace.CreateAsync();
        var ws = live.Workspace;
        var suggested = false;

        #region docs
        try
        {
            await ws.Query.SegmentationAsync(new SegmentationQuery("Sign Upp", new(2026, 3, 2), new(2026, 3, 4)));
        }
        catch (EventNotFoundException ex)
        {
            ex.Message.Dump();                                      // There is no event named 'Sign Upp' … Did you mean: 'Sign Up'?
            ex.Suggestions.Dump();
        #endregion
            suggested = ex.Suggestions.Contains("Sign Up");
        }

        Assert.That(suggested, Is.True);
    }

    private static string Normalise(string code) =>
        string.Join('\n', code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l != "}"));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docs", "library.md")) && Directory.Exists(Path.Combine(dir.FullName, "MixpanelData.Tests")))
            {
                return dir.FullName;
            }
        }

        Assert.Fail("docs/library.md not found above the test directory");
        return string.Empty;
    }
}

/// <summary>LINQPad's <c>Dump()</c>, so the documented examples compile as written: walks sequences so their lambdas run.</summary>
internal static class DumpExtensions
{
    public static T Dump<T>(this T value)
    {
        if (value is System.Collections.IEnumerable sequence and not string)
        {
            foreach (var item in sequence)
            {
                _ = item;
            }
        }

        return value;
    }
}
