using System.Globalization;
using System.Text.RegularExpressions;
using MixpanelData.Fetching;
using MixpanelData.Insights;
using MixpanelData.Tests.Support;

namespace MixpanelData.Tests.Insights;

/// <summary>
/// "How many distinct users …" when the local store already holds every event of the range: counted in that table, with
/// no export, and the figure is SQL's own count over the same table.
/// </summary>
[NonParallelizable]
public sealed class DistinctUsersFromStoreTests
{
    [Test]
    public async Task DistinctUsers_RangeInAFetchedTable_CountsThereWithoutExporting()
    {
        await using var ws = Workspace.OpenDemo(await SharedDemo.OptionsAsync());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var first = new DateOnly(today.Year, today.Month, 1);
        await ws.Fetch.EventsAsync(new FetchEventsRequest(first, today) { Table = "everything" });

        var answer = await ws.Insights.AskAsync("How many distinct users made a purchase this month?");

        var exact = Convert.ToInt64(await ws.Local.SqlScalarAsync(
            $"SELECT count(DISTINCT distinct_id) FROM everything WHERE event_name = 'Purchase' AND event_time >= TIMESTAMP '{first:yyyy-MM-dd}'"), CultureInfo.InvariantCulture);
        var match = Regex.Match(answer.Text, @"^(?<n>[\d,]+) distinct users did Purchase over .+ counted exactly from the [\d,]+ Purchase events of the local table everything\.");
        Assert.That(match.Success, answer.Text);
        Assert.That(long.Parse(match.Groups["n"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), Is.EqualTo(exact).And.GreaterThan(0));
        Assert.That(answer.Steps.Select(s => s.Step.Request), Has.None.InstanceOf<StreamEventsRequest>(), "no export was made");
        var query = answer.Steps.Select(s => s.Step.Request).OfType<StoredEventsQuery>().Single();
        Assert.That(query.Table, Is.EqualTo("everything"));
        var replay = await ws.Local.SqlAsync(query.Sql, new MixpanelData.Storage.SqlOptions { Parameters = query.Parameters });
        Assert.That(Convert.ToInt64(replay.Rows[0][0], CultureInfo.InvariantCulture), Is.EqualTo(exact), "the recorded SQL reproduces the figure");
    }
}
