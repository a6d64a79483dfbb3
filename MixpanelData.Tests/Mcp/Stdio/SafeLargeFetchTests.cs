using System.Collections.Concurrent;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// <c>safe_large_fetch</c> end to end: the spawned <c>mp_mcp --demo</c> over stdio in both protocol eras, a client whose
/// user answers its questions (elicitation) and a client that cannot be asked. Ranges are one day (12k–19k demo events)
/// and the threshold 1,000, so the question is asked without fetching much.
/// </summary>
[TestFixture("2025-06-18")]
[TestFixture("latest")]
public sealed class SafeLargeFetchTests(string protocol)
{
    private const int Threshold = 1000;
    private static readonly string Day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd");

    private readonly ConcurrentQueue<string> _askingErr = new();
    private readonly ConcurrentQueue<string> _silentErr = new();
    private readonly ScriptedUser _user = new();
    private McpClient _asking = null!;
    private McpClient _silent = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _asking = await DemoMcpProcess.StdioAsync(protocol, _askingErr, _user.Handlers);
        _silent = await DemoMcpProcess.StdioAsync(protocol, _silentErr);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _asking.DisposeAsync();
        await _silent.DisposeAsync();
    }

    [Test]
    public async Task UnderThreshold_FetchesWithoutAsking()
    {
        var asked = _user.Asked.Count;

        var result = await FetchAsync(_asking, "slf_under", new() { ["threshold"] = 100_000 });

        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        var content = result.StructuredContent!.Value;
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("under_threshold"));
        Assert.That(_user.Asked, Has.Count.EqualTo(asked), "no question under the threshold");
        var rows = content.GetProperty("rows_fetched").GetInt64();
        Assert.That(rows, Is.GreaterThan(Threshold).And.EqualTo(await CountAsync(_asking, "SELECT count(*) FROM slf_under")));
        Assert.That(content.GetProperty("estimate").GetProperty("events").GetInt64(), Is.EqualTo(rows), "the demo's event counts match its export exactly");
        await AssertSpendWithinBudgetAsync(_askingErr, content, "slf_under");
    }

    [Test]
    public async Task Proceed_FetchesEverythingEstimated()
    {
        _user.Script(_ => ScriptedUser.Accept(("action", "proceed")));
        var asked = _user.Asked.Count;

        var result = await FetchAsync(_asking, "slf_proceed");
        TestContext.Out.WriteLine(DemoMcpProcess.Text(result));

        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        var content = result.StructuredContent!.Value;
        var estimated = content.GetProperty("estimate").GetProperty("events").GetInt64();
        var rows = content.GetProperty("rows_fetched").GetInt64();
        Assert.That(_user.Asked, Has.Count.EqualTo(asked + 1));
        Assert.That(_user.Asked[^1].Message, Does.Contain($"{estimated:N0}").And.Contain("1,000"), "the question states the estimate and the threshold");
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("proceed"));
        Assert.That(rows, Is.GreaterThan(Threshold).And.EqualTo(await CountAsync(_asking, "SELECT count(*) FROM slf_proceed")));
        Assert.That(content.GetProperty("estimate_vs_actual").GetProperty("actual").GetInt64(), Is.EqualTo(rows));
        Assert.That(estimated, Is.EqualTo(rows));
        await AssertSpendWithinBudgetAsync(_askingErr, content, "slf_proceed");
    }

    [Test]
    public async Task NarrowToALimit_FetchesExactlyThatMany()
    {
        _user.Script(_ => ScriptedUser.Accept(("action", "narrow"), ("limit", 250)));

        var result = await FetchAsync(_asking, "slf_limit");

        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        var content = result.StructuredContent!.Value;
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("narrow"));
        Assert.That(content.GetProperty("request").GetProperty("limit").GetInt32(), Is.EqualTo(250));
        Assert.That(await CountAsync(_asking, "SELECT count(*) FROM slf_limit"), Is.EqualTo(250));
        Assert.That(content.GetProperty("rows_fetched").GetInt64(), Is.EqualTo(250));
        await AssertSpendWithinBudgetAsync(_askingErr, content, "slf_limit");
    }

    [Test]
    public async Task NarrowToFewerEvents_FetchesOnlyThoseEvents()
    {
        _user.Script(_ => ScriptedUser.Accept(("action", "narrow"), ("events", "Sign Up, Purchase")));

        var result = await FetchAsync(_asking, "slf_events");
        TestContext.Out.WriteLine(DemoMcpProcess.Text(result));

        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        var content = result.StructuredContent!.Value;
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("narrow"));
        var names = await _asking.CallToolAsync("sql", new Dictionary<string, object?> { ["query"] = "SELECT DISTINCT event_name FROM slf_events ORDER BY 1" });
        Assert.That(DemoMcpProcess.Text(names), Does.Contain("Sign Up"));
        Assert.That(await CountAsync(_asking, "SELECT count(*) FROM slf_events WHERE event_name NOT IN ('Sign Up', 'Purchase')"), Is.Zero);
        var rows = await CountAsync(_asking, "SELECT count(*) FROM slf_events");
        Assert.That(rows, Is.GreaterThan(0).And.LessThanOrEqualTo(Threshold));
        Assert.That(content.GetProperty("estimate").GetProperty("events").GetInt64(), Is.EqualTo(rows), "re-estimated from the counts already made");
        await AssertSpendWithinBudgetAsync(_askingErr, content, "slf_events");
    }

    [Test]
    public async Task NarrowStillAboveThreshold_AsksAgainAndHonoursTheSecondAnswer()
    {
        var asked = _user.Asked.Count;
        _user.Script(_ => ScriptedUser.Accept(("action", "narrow"), ("events", "Page View")), _ => ScriptedUser.Decline());

        var result = await FetchAsync(_asking, "slf_again");

        var content = result.StructuredContent!.Value;
        Assert.That(_user.Asked, Has.Count.EqualTo(asked + 2));
        Assert.That(_user.Asked[^1].Message, Does.Contain("still about"));
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("declined"));
        Assert.That(content.GetProperty("fetched").GetBoolean(), Is.False);
        Assert.That(await TablesAsync(_asking), Does.Not.Contain("slf_again"));
    }

    [Test]
    public async Task NarrowWithABadDate_AsksAgainSayingWhatWasWrong()
    {
        _user.Script(_ => ScriptedUser.Accept(("action", "narrow"), ("from_date", "2001-01-01")), _ => ScriptedUser.Accept(("action", "narrow"), ("limit", 10)));

        var result = await FetchAsync(_asking, "slf_baddate");

        Assert.That(_user.Asked[^1].Message, Does.Contain("outside the requested range"));
        Assert.That(result.StructuredContent!.Value.GetProperty("rows_fetched").GetInt64(), Is.EqualTo(10));
    }

    [TestCase("decline", "declined")]
    [TestCase("cancel", "cancelled")]
    public async Task DeclinedOrCancelled_FetchesNothing(string action, string decision)
    {
        var table = "slf_" + action;
        _user.Script(_ => new ElicitResult { Action = action });

        var result = await FetchAsync(_asking, table);

        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        var content = result.StructuredContent!.Value;
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo(decision));
        Assert.That(content.GetProperty("fetched").GetBoolean(), Is.False);
        Assert.That(content.GetProperty("rows_fetched").GetInt64(), Is.Zero);
        Assert.That(DemoMcpProcess.Text(result), Does.StartWith("Nothing fetched"));
        Assert.That(await TablesAsync(_asking), Does.Not.Contain(table));
        await AssertSpendWithinBudgetAsync(_askingErr, content, table);
    }

    [Test]
    public async Task NoElicitation_RequiresConfirmAndTheSuggestedCallsWork()
    {
        var result = await FetchAsync(_silent, "slf_absent");
        TestContext.Out.WriteLine(DemoMcpProcess.Text(result));

        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        var content = result.StructuredContent!.Value;
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("needs_confirmation"));
        Assert.That(content.GetProperty("fetched").GetBoolean(), Is.False);
        Assert.That(DemoMcpProcess.Text(result), Does.Contain("confirm=true"));
        Assert.That(await TablesAsync(_silent), Does.Not.Contain("slf_absent"));
        var estimated = content.GetProperty("estimate").GetProperty("events").GetInt64();
        await AssertSpendWithinBudgetAsync(_silentErr, content, "slf_absent");

        var calls = content.GetProperty("next_calls").EnumerateArray().ToList();
        Assert.That(calls[0].GetProperty("arguments").GetProperty("confirm").GetBoolean(), Is.True);
        var confirmed = await CallAsync(_silent, calls[0]);
        Assert.That(confirmed.IsError, Is.Not.True, DemoMcpProcess.Text(confirmed));
        Assert.That(confirmed.StructuredContent!.Value.GetProperty("decision").GetString(), Is.EqualTo("confirmed_by_argument"));
        Assert.That(await CountAsync(_silent, "SELECT count(*) FROM slf_absent"), Is.EqualTo(estimated));

        var capped = await CallAsync(_silent, calls[1]);
        Assert.That(capped.StructuredContent!.Value.GetProperty("decision").GetString(), Is.EqualTo("under_threshold"));
        Assert.That(capped.StructuredContent!.Value.GetProperty("query_budget").GetProperty("spent").GetInt32(), Is.Zero, "a limit at or under the threshold needs no count");
        Assert.That(await CountAsync(_silent, "SELECT count(*) FROM slf_absent"), Is.EqualTo(Threshold), "the narrowed alternative fetches at most the threshold");
    }

    [Test]
    public async Task InteractiveToolset_ListsBothTools_AndReadOnlyHidesTheFetch()
    {
        var stderr = new ConcurrentQueue<string>();
        await using (var interactive = await DemoMcpProcess.StdioAsync(protocol, stderr, null, "--toolsets", "interactive"))
        {
            var names = (await interactive.ListToolsAsync()).Select(t => t.Name).ToList();
            Assert.That(names, Does.Contain("safe_large_fetch").And.Contain("guided_analysis").And.No.Contain("fetch_events").And.No.Contain("segmentation"));
        }

        await using var readOnly = await DemoMcpProcess.StdioAsync(protocol, stderr, null, "--toolsets", "interactive", "--read-only");
        var tools = await readOnly.ListToolsAsync();
        Assert.That(tools.Select(t => t.Name), Does.Contain("guided_analysis").And.No.Contain("safe_large_fetch"), "safe_large_fetch replaces tables: destructive");
        Assert.That(tools.Single(t => t.Name == "guided_analysis").ProtocolTool.Annotations?.ReadOnlyHint, Is.True);
    }

    [Test]
    public async Task WhereFilter_EstimateIsAnUpperBoundAndSaysSo()
    {
        var result = await FetchAsync(_silent, "slf_where", new() { ["where"] = "properties[\"platform\"] == \"Android\"", ["confirm"] = true });

        var content = result.StructuredContent!.Value;
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("confirmed_by_argument"), DemoMcpProcess.Text(result));
        Assert.That(content.GetProperty("estimate").GetProperty("upper_bound").GetBoolean(), Is.True);
        Assert.That(content.GetProperty("estimate").GetProperty("method").GetString(), Does.Contain("upper bound"));
        var rows = await CountAsync(_silent, "SELECT count(*) FROM slf_where");
        Assert.That(rows, Is.GreaterThan(0).And.LessThan(content.GetProperty("estimate").GetProperty("events").GetInt64() / 3), "Android is about a sixth of the events");
        Assert.That(await CountAsync(_silent, "SELECT count(*) FROM slf_where WHERE properties->>'platform' <> 'Android'"), Is.Zero);
        Assert.That(content.GetProperty("estimate_vs_actual").GetProperty("actual").GetInt64(), Is.EqualTo(rows));
    }

    [Test]
    public async Task UnknownEvent_IsAToolErrorNamingTheClosestEvents()
    {
        var result = await FetchAsync(_silent, "slf_unknown", new() { ["events"] = new[] { "sign up" } });

        Assert.That(result.IsError, Is.True);
        Assert.That(DemoMcpProcess.Text(result), Does.Contain("'Sign Up'"));
    }

    private static Task<CallToolResult> FetchAsync(McpClient client, string table, Dictionary<string, object?>? extra = null)
    {
        var arguments = new Dictionary<string, object?> { ["from_date"] = Day, ["to_date"] = Day, ["table"] = table, ["threshold"] = Threshold };
        foreach (var (name, value) in extra ?? [])
        {
            arguments[name] = value;
        }

        return client.CallToolAsync("safe_large_fetch", arguments).AsTask();
    }

    private static Task<CallToolResult> CallAsync(McpClient client, JsonElement call) =>
        client.CallToolAsync(call.GetProperty("tool").GetString()!, call.GetProperty("arguments").Deserialize<Dictionary<string, object?>>()).AsTask();

    private static async Task<long> CountAsync(McpClient client, string sql)
    {
        var result = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = sql });
        Assert.That(result.IsError, Is.Not.True, DemoMcpProcess.Text(result));
        return result.StructuredContent!.Value.GetProperty("value").GetInt64();
    }

    private static async Task<List<string>> TablesAsync(McpClient client)
    {
        var result = await client.CallToolAsync("list_tables");
        return [.. result.StructuredContent!.Value.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
    }

    private static async Task AssertSpendWithinBudgetAsync(IEnumerable<string> stderr, JsonElement content, string table)
    {
        var budget = content.GetProperty("query_budget");
        var audited = await DemoMcpProcess.AuditedQueryCallsAsync(stderr, "safe_large_fetch", $"\"table\":\"{table}\"");
        Assert.That(audited, Is.LessThanOrEqualTo(budget.GetProperty("limit").GetInt32()), "measured Query API spend stays within the stated budget");
        Assert.That(audited, Is.EqualTo(budget.GetProperty("spent").GetInt32()), "every Query API call went through the budget");
    }
}
