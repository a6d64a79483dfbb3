using System.Collections.Concurrent;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// <c>fetch_events</c>' and <c>stream_events</c>' <c>window_days</c> through the spawned <c>mp_mcp --demo</c> over stdio:
/// a bad value is refused with the allowed range before anything is fetched, and the same four days fetched in two
/// windows or day by day store the same events.
/// </summary>
public sealed class FetchWindowsToolTests
{
    private static readonly DateOnly Yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd");

    [Test]
    public async Task WindowDays_BadValueIsRefused_AndWindowSizeDoesNotChangeTheEvents()
    {
        var stderr = new ConcurrentQueue<string>();
        await using var client = await DemoMcpProcess.StdioAsync(null, stderr);
        var range = new Dictionary<string, object?> { ["from_date"] = Day(Yesterday.AddDays(-3)), ["to_date"] = Day(Yesterday), ["events"] = new[] { "Sign Up", "Purchase" } };

        var zero = await client.CallToolAsync("fetch_events", new Dictionary<string, object?>(range) { ["window_days"] = 0, ["table"] = "w_bad" });
        var huge = await client.CallToolAsync("stream_events", new Dictionary<string, object?>(range) { ["window_days"] = 400 });
        var listed = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'w_bad'" });

        Assert.That(zero.IsError, Is.True);
        Assert.That(DemoMcpProcess.Text(zero), Does.Contain("window_days").And.Contain("between 1 and 365").And.Contain("not 0"));
        Assert.That(huge.IsError, Is.True);
        Assert.That(DemoMcpProcess.Text(huge), Does.Contain("window_days").And.Contain("between 1 and 365").And.Contain("not 400"));
        Assert.That(listed.StructuredContent!.Value.GetProperty("value").GetInt64(), Is.Zero, "nothing was created");

        var pairs = await client.CallToolAsync("fetch_events", new Dictionary<string, object?>(range) { ["window_days"] = 2, ["table"] = "w_pairs" });
        var daily = await client.CallToolAsync("fetch_events", new Dictionary<string, object?>(range) { ["window_days"] = 1, ["table"] = "w_daily" });

        Assert.That(pairs.IsError, Is.Not.True, DemoMcpProcess.Text(pairs));
        Assert.That(daily.IsError, Is.Not.True, DemoMcpProcess.Text(daily));
        var p = pairs.StructuredContent!.Value;
        var d = daily.StructuredContent!.Value;
        Assert.That((p.GetProperty("windows").GetInt32(), p.GetProperty("window_days").GetInt32()), Is.EqualTo((2, 2)));
        Assert.That((d.GetProperty("windows").GetInt32(), d.GetProperty("window_days").GetInt32()), Is.EqualTo((4, 1)));
        Assert.That(DemoMcpProcess.Text(pairs), Does.Contain("2 export request(s) of 2 day(s)"));
        var inserted = p.GetProperty("rows_inserted").GetInt64();
        Assert.That(inserted, Is.GreaterThan(0));
        Assert.That(d.GetProperty("rows_inserted").GetInt64(), Is.EqualTo(inserted));
        var different = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?>
        {
            ["query"] = "SELECT count(*) FROM ((SELECT insert_id FROM w_pairs EXCEPT SELECT insert_id FROM w_daily) UNION ALL (SELECT insert_id FROM w_daily EXCEPT SELECT insert_id FROM w_pairs))",
        });
        Assert.That(different.StructuredContent!.Value.GetProperty("value").GetInt64(), Is.Zero, "the same events whatever the window size");
    }
}
