using System.Globalization;
using System.Text.RegularExpressions;
using MixpanelData.Fetching;
using MixpanelData.Insights;
using MixpanelData.Queries;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Insights;

/// <summary>
/// Plain questions, as a product manager asks them, answered by Workspace.Insights.AskAsync on the demo without a model.
/// Each answer must name the right event (and property), and every figure its sentence states is parsed out of the text
/// and compared with a figure the test computes itself: a segmentation, saved funnel or retention query with explicit
/// parameters through ws.Query, or SQL over the export loaded into the local store. Never the planner's own output.
/// Exports are fetched as one request per range, so the fixture stays well inside the demo's 60 export requests an hour.
/// </summary>
[NonParallelizable]
public sealed class QuestionSetTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly LastDay = Today.AddDays(-1);
    private static readonly Regex SeriesPoint = new(@"(\d{4}-\d{2}-\d{2}) (\d[\d,]*(?:\.\d+)?)(?=[,.;])", RegexOptions.CultureInvariant);
    private static Workspace _ws = null!;
    private static int _tables;

    private static (DateOnly From, DateOnly To) Last(int days) => (LastDay.AddDays(1 - days), LastDay);

    private static (DateOnly From, DateOnly To) Yesterday => (LastDay, LastDay);

    private static (DateOnly From, DateOnly To) LastMonth
    {
        get
        {
            var first = new DateOnly(Today.Year, Today.Month, 1).AddMonths(-1);
            return (first, first.AddMonths(1).AddDays(-1));
        }
    }

    private static (DateOnly From, DateOnly To) ThisMonth => (new DateOnly(Today.Year, Today.Month, 1), Today);

    /// <summary>The 60 days of sign-up cohorts a retention question without a range is answered over.</summary>
    private static (DateOnly From, DateOnly To) Cohorts => Last(60);

    [OneTimeSetUp]
    public async Task OpenAsync() => _ws = Workspace.OpenDemo(await SharedDemo.OptionsAsync());

    [OneTimeTearDown]
    public async Task CloseAsync() => await _ws.DisposeAsync();

    public static IEnumerable<TestCaseData> Questions()
    {
        TestCaseData Q(string question, Check check) => new TestCaseData(question, check).SetName(question);

        // Totals over a range.
        yield return Q("How many sign-ups did we get last week?", new Total("Sign Up", Last(7)));
        yield return Q("How many searches were there yesterday?", new Total("Search", Yesterday));
        yield return Q("Total purchases over the last 30 days?", new Total("Purchase", Last(30)));
        yield return Q("How many logins in the last 14 days?", new Total("Login", Last(14)));
        yield return Q("How many Export Report events happened in the past 7 days?", new Total("Export Report", Last(7)));

        // Synonyms, plurals and misspellings, mapped to the real names from discovery.
        yield return Q("How many registrations last week?", new Total("Sign Up", Last(7)));
        yield return Q("How many serches last week?", new Total("Search", Last(7)));
        yield return Q("How many signups last month?", new Total("Sign Up", LastMonth));

        // Series, with every value in the sentence.
        yield return Q("Show me searches per day for the last two weeks", new Series("Search", Last(14), TimeUnit.Day));
        yield return Q("Daily sign-ups over the last 10 days", new Series("Sign Up", Last(10), TimeUnit.Day));
        yield return Q("How many logins each day last week?", new Series("Login", Last(7), TimeUnit.Day));
        yield return Q("Purchases per week over the last 8 weeks", new Series("Purchase", Last(56), TimeUnit.Week));
        yield return Q("Monthly sign ups over the last 90 days", new Series("Sign Up", Last(90), TimeUnit.Month));
        yield return Q("Daily searches over the last 60 days", new Series("Search", Last(60), TimeUnit.Day));

        // Which day (week) had the most / fewest: the top bucket, its figure and the next ones, then the series.
        yield return Q("Which day had the most sign-ups last week?", new Busiest("Sign Up", Last(7), TimeUnit.Day, Least: false));
        yield return Q("Which day had the fewest purchases in the last two weeks?", new Busiest("Purchase", Last(14), TimeUnit.Day, Least: true));
        yield return Q("What week had the most searches over the last 8 weeks?", new Busiest("Search", Last(56), TimeUnit.Week, Least: false));

        // Which X had the most / least Y: the winner, its figure, the runners-up.
        yield return Q("Which country had the most sign-ups last week?", new Top("Sign Up", Last(7), "mp_country_code", Least: false));
        yield return Q("Which plan bought the most last month?", new Top("Purchase", LastMonth, "plan", Least: false));
        yield return Q("What browser do most of our sign ups use over the last 30 days?", new Top("Sign Up", Last(30), "$browser", Least: false));
        yield return Q("Which platform had the fewest purchases in the last 30 days?", new Top("Purchase", Last(30), "platform", Least: true));
        yield return Q("Top countries by searches over the last 14 days", new Top("Search", Last(14), "mp_country_code", Least: false));
        yield return Q("Which utm source brought in the most sign ups last week?", new Top("Sign Up", Last(7), "utm_source", Least: false));
        yield return Q("Which os had the most logins last week?", new Top("Login", Last(7), "$os", Least: false));
        yield return Q("Which city had the most purchases last month?", new Top("Purchase", LastMonth, "$city", Least: false));

        // Shares by a property.
        yield return Q("What share of purchases comes from each plan over the last 30 days?", new Shares("Purchase", Last(30), "plan"));
        yield return Q("Sign-ups split by platform last week", new Shares("Sign Up", Last(7), "platform"));
        yield return Q("What percentage of searches come from each country in the last 14 days?", new Shares("Search", Last(14), "mp_country_code"));
        yield return Q("Distribution of purchases across plans last month", new Shares("Purchase", LastMonth, "plan"));

        // Breakdowns.
        yield return Q("Sign Up by utm source last week", new Breakdown("Sign Up", Last(7), "utm_source"));
        yield return Q("Purchases by plan over the last 30 days", new Breakdown("Purchase", Last(30), "plan"));

        // Period-over-period change: both figures, the direction, the percent.
        yield return Q("Did sign-ups go up last week compared to the week before?", new Change("Sign Up", Last(7)));
        yield return Q("How did purchases change over the last 30 days vs the previous 30 days?", new Change("Purchase", Last(30)));
        yield return Q("Are searches growing? Compare the last 14 days with the 14 days before.", new Change("Search", Last(14)));
        yield return Q("Are logins increasing this past week versus the week before?", new Change("Login", Last(7)));

        // Exact distinct users over a range (not the sum of daily uniques).
        yield return Q("How many distinct users made a purchase this month?", new Distinct("Purchase", ThisMonth));
        yield return Q("How many unique people searched in the last 7 days?", new Distinct("Search", Last(7)));
        yield return Q("How many users signed up last week?", new Distinct("Sign Up", Last(7)));
        yield return Q("How many customers used search yesterday?", new Distinct("Search", Yesterday));
        yield return Q("How many new users did we get last week?", new Distinct("Sign Up", Last(7)));

        // Conversion between two or three named events (saved funnels).
        yield return Q("What is the conversion from sign up to create project last month?", new Funnel(7011, LastMonth, ["Sign Up", "Create Project"]));
        yield return Q("What percent of users who sign up go on to create a project, then invite a teammate?", new Funnel(7011, Last(30), ["Sign Up", "Create Project", "Invite Teammate"]));
        yield return Q("Conversion from sign up to upgrade plan to purchase over the last 30 days", new Funnel(7012, Last(30), ["Sign Up", "Upgrade Plan", "Purchase"]));
        yield return Q("What's our signup to upgrade plan conversion last week?", new Funnel(7012, Last(7), ["Sign Up", "Upgrade Plan"]));
        yield return Q("Show me the checkout funnel for the last 14 days", new Funnel(7013, Last(14), null));

        // Conversion between named events that no saved funnel starts with: counted from the export.
        yield return Q("What is the conversion from sign up to purchase over the last 30 days?", new ExportedFunnel("Sign Up", "Purchase", Last(30)));
        yield return Q("What percent of users who search go on to export a report last week?", new ExportedFunnel("Search", "Export Report", Last(7)));

        // Retention of users who did A coming back to do B.
        yield return Q("Do users who sign up come back to search?", new Retention("Sign Up", "Search", Cohorts));
        yield return Q("What is the retention of users who create a project?", new Retention("Create Project", null, Cohorts));
        yield return Q("How many people who purchased come back to run a report?", new Retention("Purchase", "Run Report", Cohorts));
        yield return Q("How sticky are users who sign up?", new Retention("Sign Up", null, Cohorts));
        yield return Q("Retention of users who signed up, returning to create a project", new Retention("Sign Up", "Create Project", Cohorts));

        // Not answerable without a model: the closest answerable question and the calls to run.
        yield return Q("What should we build next?", new Unanswered());
        yield return Q("Why are customers unhappy?", new Unanswered());
    }

    [TestCaseSource(nameof(Questions))]
    public async Task Question_IsAnsweredWithTheIndependentlyComputedFigures(string question, Check check)
    {
        var answer = await _ws.Insights.AskAsync(question);

        TestContext.Out.WriteLine(answer.Text);
        Assert.That(answer.Form, Is.EqualTo(check.Form), answer.Text);
        Assert.That(answer.Spend.Spent, Is.LessThanOrEqualTo(answer.Spend.Limit));
        await check.VerifyAsync(answer);
    }

    [Test]
    public void QuestionSet_HasAtLeastFortyQuestions() => Assert.That(Questions().Count(), Is.GreaterThanOrEqualTo(40));

    private static string N(double value) => value.ToString(value == Math.Floor(value) ? "N0" : "N2", CultureInfo.InvariantCulture);

    private static string Pct(double part, double whole) => (whole == 0 ? 0 : part / whole * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Range((DateOnly From, DateOnly To) r) => $"({r.From:yyyy-MM-dd}..{r.To:yyyy-MM-dd})";

    private static double Number(string text) => double.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static Task<SegmentationResult> SegmentAsync(string e, (DateOnly From, DateOnly To) r, TimeUnit unit = TimeUnit.Day, string? property = null) =>
        _ws.Query.SegmentationAsync(new SegmentationQuery(e, r.From, r.To) { Unit = unit, On = property is null ? null : $"properties[\"{property}\"]", Limit = 50 });

    private static async Task<double> TotalAsync(string e, (DateOnly From, DateOnly To) r, CountType type = CountType.General) =>
        (await _ws.Query.SegmentationAsync(new SegmentationQuery(e, r.From, r.To) { Type = type })).Segments.Sum(s => s.Total);

    /// <summary>What a question's answer must say, checked against figures the test computes.</summary>
    public abstract record Check(string Form)
    {
        public abstract Task VerifyAsync(InsightAnswer answer);
    }

    public sealed record Total(string Event, (DateOnly From, DateOnly To) R) : Check("count")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var expected = await TotalAsync(Event, R);
            Assert.That(expected, Is.GreaterThan(0), "the demo has these events");
            Assert.That(answer.Text, Does.StartWith($"{Event}: {N(expected)} events").And.Contain(Range(R)));
        }
    }

    public sealed record Series(string Event, (DateOnly From, DateOnly To) R, TimeUnit Unit) : Check("series")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var direct = await SegmentAsync(Event, R, Unit);
            var values = direct.Segments.Single().Values;
            Assert.That(answer.Text, Does.StartWith($"{Event} per {Unit.ToString().ToLowerInvariant()}").And.Contain(Range(R)));
            var stated = SeriesPoint.Matches(answer.Text).ToDictionary(m => m.Groups[1].Value, m => Number(m.Groups[2].Value));
            // Up to 31 buckets every one is in the sentence; a longer series shows its first 3 and last 14.
            var shown = direct.Series.Count <= 31 ? [.. Enumerable.Range(0, direct.Series.Count)] : Enumerable.Range(0, 3).Concat(Enumerable.Range(direct.Series.Count - 14, 14)).ToList();
            Assert.That(stated.Keys, Is.EqualTo(shown.Select(i => direct.Series[i])), "the buckets in the sentence, in order");
            Assert.That(shown.Select(i => stated[direct.Series[i]]), Is.EqualTo(shown.Select(i => values[i])));
            if (direct.Series.Count > 31)
            {
                Assert.That(answer.Text, Does.Contain($"({direct.Series.Count - 17} more)"));
            }

            Assert.That(answer.Text, Does.Contain($"In all {N(values.Sum())}"));
        }
    }

    public sealed record Busiest(string Event, (DateOnly From, DateOnly To) R, TimeUnit Unit, bool Least) : Check("series")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var direct = await SegmentAsync(Event, R, Unit);
            var values = direct.Segments.Single().Values;
            var buckets = direct.Series.Select((date, i) => (Date: date[..10], Value: values[i])).ToList();
            var ranked = (Least ? buckets.OrderBy(b => b.Value) : buckets.OrderByDescending(b => b.Value)).ThenBy(b => b.Date, StringComparer.Ordinal).ToList();
            var unit = Unit.ToString().ToLowerInvariant();
            var m = Regex.Match(answer.Text, $@"^The {unit} with the {(Least ? "fewest" : "most")} {Regex.Escape(Event)} over .+?{Regex.Escape(Range(R))} was (?<d>\d{{4}}-\d{{2}}-\d{{2}}): (?<n>[\d,]+) events; next (?<next>[^.]+)\. {Regex.Escape(Event)} per {unit}");
            Assert.That(m.Success, answer.Text);
            Assert.That((m.Groups["d"].Value, Number(m.Groups["n"].Value)), Is.EqualTo((ranked[0].Date, ranked[0].Value)), "the top bucket and its figure");
            var next = Regex.Matches(m.Groups["next"].Value, @"(\d{4}-\d{2}-\d{2}) \(([\d,]+)\)").Select(x => (x.Groups[1].Value, Number(x.Groups[2].Value))).ToList();
            Assert.That(next, Is.EqualTo(ranked.Skip(1).Take(3).Select(b => (b.Date, b.Value))), "the runners-up in order");
        }
    }

    public sealed record Top(string Event, (DateOnly From, DateOnly To) R, string Property, bool Least) : Check("top")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var direct = await SegmentAsync(Event, R, property: Property);
            var total = direct.Segments.Sum(s => s.Total);
            var ranked = direct.Segments.Where(s => s.Name != "undefined").OrderBy(s => Least ? s.Total : -s.Total).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
            Assert.That(ranked, Has.Count.GreaterThan(1), "the property has several values");
            var m = Regex.Match(answer.Text, $@"^{Regex.Escape(Property)} (?<v>.+?) had the (?<x>most|fewest) {Regex.Escape(Event)} over .+?: (?<n>[\d,]+) events \((?<p>[\d.]+%) of (?<t>[\d,]+)\)");
            Assert.That(m.Success, answer.Text);
            Assert.That(m.Groups["v"].Value, Is.EqualTo(ranked[0].Name));
            Assert.That(m.Groups["x"].Value, Is.EqualTo(Least ? "fewest" : "most"));
            Assert.That(Number(m.Groups["n"].Value), Is.EqualTo(ranked[0].Total));
            Assert.That(Number(m.Groups["t"].Value), Is.EqualTo(total));
            Assert.That(m.Groups["p"].Value, Is.EqualTo(Pct(ranked[0].Total, total)));
            foreach (var runnerUp in ranked.Skip(1).Take(3))
            {
                Assert.That(answer.Text, Does.Contain($"{runnerUp.Name} {N(runnerUp.Total)} ({Pct(runnerUp.Total, total)})"));
            }
        }
    }

    public sealed record Shares(string Event, (DateOnly From, DateOnly To) R, string Property) : Check("share")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var direct = await SegmentAsync(Event, R, property: Property);
            var total = direct.Segments.Sum(s => s.Total);
            Assert.That(answer.Text, Does.StartWith($"Shares of {Event} by {Property}").And.Contain($"of {N(total)} events"));
            var shown = direct.Segments.OrderByDescending(s => s.Total).Take(10).ToList();
            foreach (var s in shown)
            {
                Assert.That(answer.Text, Does.Contain($"{s.Name} {Pct(s.Total, total)} ({N(s.Total)})"));
            }

            var stated = Regex.Matches(answer.Text, @" ([\d.]+)% \(").Sum(x => Number(x.Groups[1].Value));
            Assert.That(stated, Is.EqualTo(100).Within(0.1 * (shown.Count + 1)), "the shares add up to the whole");
        }
    }

    public sealed record Breakdown(string Event, (DateOnly From, DateOnly To) R, string Property) : Check("breakdown")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var direct = await SegmentAsync(Event, R, property: Property);
            var top = direct.Segments.MaxBy(s => s.Total)!;
            Assert.That(answer.Text, Does.Contain($"{Event} by properties[\"{Property}\"]").And.Contain($"{top.Name} {N(top.Total)}"));
        }
    }

    public sealed record Change(string Event, (DateOnly From, DateOnly To) R) : Check("trend")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var days = R.To.DayNumber - R.From.DayNumber + 1;
            var current = await TotalAsync(Event, R);
            var previous = await TotalAsync(Event, (R.From.AddDays(-days), R.From.AddDays(-1)));
            Assert.That(previous, Is.GreaterThan(0));
            var direction = current > previous ? "up" : current < previous ? "down" : "unchanged";
            var m = Regex.Match(answer.Text, $@"^{Regex.Escape(Event)}: (?<c>[\d,]+) events over .+?, (?<d>up|down|unchanged) (?<p>[\d.]+%) from (?<b>[\d,]+) over the {days} days before");
            Assert.That(m.Success, answer.Text);
            Assert.That(Number(m.Groups["c"].Value), Is.EqualTo(current));
            Assert.That(Number(m.Groups["b"].Value), Is.EqualTo(previous));
            Assert.That(m.Groups["d"].Value, Is.EqualTo(direction));
            Assert.That(m.Groups["p"].Value, Is.EqualTo(Pct(Math.Abs(current - previous), previous)));
        }
    }

    public sealed record Distinct(string Event, (DateOnly From, DateOnly To) R) : Check("distinct")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var table = $"q_distinct_{Interlocked.Increment(ref _tables)}";
            await _ws.Fetch.EventsAsync(new FetchEventsRequest(R.From, R.To) { Events = [Event], Table = table, WindowDays = R.To.DayNumber - R.From.DayNumber + 1 });
            var exact = Convert.ToInt64(await _ws.Local.SqlScalarAsync($"SELECT count(DISTINCT distinct_id) FROM {table}"), CultureInfo.InvariantCulture);
            var summed = await TotalAsync(Event, R, CountType.Unique);
            Assert.That(exact, Is.GreaterThan(0));
            var m = Regex.Match(answer.Text, $@"^(?<n>[\d,]+) distinct users did {Regex.Escape(Event)} over .+?{Regex.Escape(Range(R))}");
            Assert.That(m.Success, answer.Text);
            Assert.That(Number(m.Groups["n"].Value), Is.EqualTo(exact), "counted from the export, as SQL over the same export counts it");
            Assert.That(answer.Text, Does.Contain($"sums daily uniques, which gives {N(summed)}"));
            Assert.That(answer.Steps.Select(s => s.Step.Request), Has.Some.InstanceOf<StreamEventsRequest>(), "the export is in the provenance");
        }
    }

    public sealed record Funnel(long Id, (DateOnly From, DateOnly To) R, string[]? Asked) : Check("funnel")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var steps = (await _ws.Query.FunnelAsync(new SavedFunnelQuery(Id, R.From, R.To))).Overall.Steps;
            var used = Asked is null ? steps.ToList() : [.. steps.Take(Asked.Length)];
            if (Asked is not null)
            {
                Assert.That(used.Select(s => s.Event), Is.EqualTo(Asked), "the saved funnel starts with the named events");
            }

            Assert.That(used[0].Count, Is.GreaterThan(0));
            Assert.That(answer.Text, Does.StartWith($"Of {N(used[0].Count)} users who did {used[0].Event} over").And.Contain(Range(R)).And.Contain($"(id {Id})"));
            foreach (var s in used.Skip(1))
            {
                Assert.That(answer.Text, Does.Contain($"{N(s.Count)} went on to {s.Event} ({Pct(s.Count, used[0].Count)} of those who did {used[0].Event}"));
            }
        }
    }

    /// <summary>A two-step funnel recomputed in SQL over the export: first A in the range per user, then B within 30 days.</summary>
    public sealed record ExportedFunnel(string A, string B, (DateOnly From, DateOnly To) R) : Check("funnel")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var exportTo = R.To.AddDays(30) < LastDay ? R.To.AddDays(30) : LastDay;
            var table = $"q_funnel_{Interlocked.Increment(ref _tables)}";
            await _ws.Fetch.EventsAsync(new FetchEventsRequest(R.From, exportTo) { Events = [A, B], Table = table, WindowDays = exportTo.DayNumber - R.From.DayNumber + 1 });
            var entered = $"SELECT distinct_id, min(event_time) AS t FROM {table} WHERE event_name = '{A}' AND event_time >= TIMESTAMP '{R.From:yyyy-MM-dd}' AND event_time < TIMESTAMP '{R.To.AddDays(1):yyyy-MM-dd}' GROUP BY 1";
            var users = Convert.ToInt64(await _ws.Local.SqlScalarAsync($"SELECT count(*) FROM ({entered})"), CultureInfo.InvariantCulture);
            var converted = Convert.ToInt64(await _ws.Local.SqlScalarAsync(
                $"SELECT count(*) FROM ({entered}) a WHERE EXISTS (SELECT 1 FROM {table} b WHERE b.distinct_id = a.distinct_id AND b.event_name = '{B}' AND b.event_time >= a.t AND b.event_time <= a.t + INTERVAL 30 DAY)"), CultureInfo.InvariantCulture);
            Assert.That(users, Is.GreaterThan(0));
            Assert.That(answer.Text, Does.StartWith($"Of {N(users)} users who did {A} over").And.Contain(Range(R)));
            Assert.That(answer.Text, Does.Contain($"{N(converted)} went on to {B} ({Pct(converted, users)} of those who did {A}").And.Contain("Counted from the export"));
            Assert.That(answer.Steps.Select(s => s.Step.Request), Has.Some.InstanceOf<ExportFunnelRequest>(), "the export and the funnel over it are in the provenance");
        }
    }

    public sealed record Retention(string Born, string? Returning, (DateOnly From, DateOnly To) R) : Check("retention")
    {
        public override async Task VerifyAsync(InsightAnswer answer)
        {
            var result = await _ws.Query.RetentionAsync(new RetentionQuery(R.From, R.To) { BornEvent = Born, Event = Returning, Unit = TimeUnit.Day, IntervalCount = 30 });
            var cohorts = result.Overall.Cohorts;
            Assert.That(answer.Text, Does.StartWith($"Of {N(cohorts.Sum(c => c.First))} users who did {Born} from {R.From:yyyy-MM-dd} to {R.To:yyyy-MM-dd}"));
            Assert.That(answer.Text, Does.EndWith(Returning is null ? "coming back with any event." : $"coming back to do {Returning}."));
            foreach (var day in new[] { 1, 7, 30 })
            {
                long users = 0, returned = 0;
                foreach (var c in cohorts)
                {
                    if (c.Counts.Count > day)
                    {
                        users += c.First;
                        returned += c.Counts[day];
                    }
                }

                Assert.That(users, Is.GreaterThan(0), $"day {day}");
                Assert.That(answer.Text, Does.Contain($"{Pct(returned, users)} came back on day {day} ({N(returned)} of {N(users)} users"));
            }
        }
    }

    public sealed record Unanswered() : Check("unrecognised")
    {
        public override Task VerifyAsync(InsightAnswer answer)
        {
            Assert.That(answer.Mode, Is.EqualTo("suggestions"));
            var (from, to) = Last(30);
            Assert.That(answer.Text, Does.Contain($"The closest question answered without a model: \"How many Sign Up events from {from:yyyy-MM-dd} to {to:yyyy-MM-dd}, per day?\""));
            Assert.That(answer.Text, Does.Contain("segmentation(event=\"Sign Up\"").And.Contain("list_events()"));
            Assert.That(answer.Suggestions.Select(s => s.Tool), Does.Contain("segmentation").And.Contain("list_events"));
            return Task.CompletedTask;
        }
    }
}
