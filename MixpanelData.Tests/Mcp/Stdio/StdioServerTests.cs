using System.Collections.Concurrent;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>The built mp_mcp as a child process, driven by the SDK's real client over stdio, in both protocol eras.</summary>
[TestFixture("2025-06-18")]
[TestFixture("latest")]
public sealed class StdioServerTests(string protocol)
{
    private static readonly DateOnly Yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    private readonly ConcurrentQueue<string> _stderr = new();

    private Task<McpClient> StartAsync(params string[] arguments) => DemoMcpProcess.StdioAsync(protocol, _stderr, null, arguments);

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    [Test]
    public async Task Demo_FetchThenAnalyseLocally_WorksEndToEnd()
    {
        await using var client = await StartAsync();

        var tools = await client.ListToolsAsync();
        Assert.That(tools.Select(t => t.Name), Is.SupersetOf(new[] { "workspace_info", "sql", "fetch_events", "local_segmentation", "local_funnel", "list_accounts" }));

        var info = await client.CallToolAsync("workspace_info");
        Assert.That(info.IsError, Is.Not.True, Text(info));
        Assert.That(info.StructuredContent!.Value.GetProperty("demo").GetBoolean(), Is.True);

        var progress = new ConcurrentQueue<ProgressNotificationValue>();
        var fetched = await client.CallToolAsync(
            "fetch_events",
            new Dictionary<string, object?> { ["from_date"] = Yesterday.AddDays(-2).ToString("yyyy-MM-dd"), ["to_date"] = Yesterday.ToString("yyyy-MM-dd") },
            new SynchronousProgress(progress));
        Assert.That(fetched.IsError, Is.Not.True, Text(fetched));
        var inserted = fetched.StructuredContent!.Value.GetProperty("rows_inserted").GetInt64();
        Assert.That(inserted, Is.GreaterThan(10_000));
        Assert.That(progress, Is.Not.Empty, "fetch_events reports progress per day");

        var count = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = "SELECT count(*) FROM events" });
        Assert.That(count.StructuredContent!.Value.GetProperty("value").GetInt64(), Is.EqualTo(inserted));

        var segmentation = await client.CallToolAsync("local_segmentation", new Dictionary<string, object?>
        {
            ["event"] = "Sign Up",
            ["from_date"] = Yesterday.AddDays(-2).ToString("yyyy-MM-dd"),
            ["to_date"] = Yesterday.ToString("yyyy-MM-dd"),
            ["on"] = "properties[\"platform\"]",
        });
        Assert.That(segmentation.IsError, Is.Not.True, Text(segmentation));
        var segments = segmentation.StructuredContent!.Value.GetProperty("segments");
        Assert.That(segments.EnumerateArray().Select(s => s.GetProperty("name").GetString()), Is.SupersetOf(new[] { "web", "iOS", "Android" }));

        var funnel = await client.CallToolAsync("local_funnel", new Dictionary<string, object?>
        {
            ["steps"] = new[] { "Sign Up", "Create Project" },
            ["from_date"] = Yesterday.AddDays(-2).ToString("yyyy-MM-dd"),
            ["to_date"] = Yesterday.ToString("yyyy-MM-dd"),
        });
        Assert.That(funnel.IsError, Is.Not.True, Text(funnel));
        Assert.That(funnel.StructuredContent!.Value.GetProperty("overall").GetProperty("steps")[0].GetProperty("count").GetInt64(), Is.GreaterThan(0));

        Assert.That(_stderr, Has.Some.Contains("\"tool\":\"fetch_events\"").And.Some.Contains("\"outcome\":\"ok\""), "one audit line per call on stderr");
    }

    [Test]
    public async Task Demo_DiscoveryAndLiveQueries_AnswerFromTheEmulator()
    {
        await using var client = await StartAsync();

        var events = await client.CallToolAsync("list_events");
        var funnels = await client.CallToolAsync("list_funnels");
        var funnel = await client.CallToolAsync("funnel", new Dictionary<string, object?>
        {
            ["funnel_id"] = 7011,
            ["from_date"] = Yesterday.AddDays(-40).ToString("yyyy-MM-dd"),
            ["to_date"] = Yesterday.AddDays(-8).ToString("yyyy-MM-dd"),
            ["on"] = "properties[\"platform\"]",
        });
        var segmentation = await client.CallToolAsync("segmentation", new Dictionary<string, object?> { ["event"] = "Sign Up", ["on"] = "properties[\"$browser\"]" });
        var unknown = await client.CallToolAsync("segmentation", new Dictionary<string, object?> { ["event"] = "Sign up!" });
        var tools = await client.ListToolsAsync();
        var listBytes = System.Text.Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(tools.Select(t => t.ProtocolTool), ModelContextProtocol.McpJsonUtilities.DefaultOptions));
        TestContext.Out.WriteLine($"tools/list: {tools.Count} tools, {listBytes} bytes (~{listBytes / 4} tokens)");

        Assert.That(events.StructuredContent!.Value.GetProperty("events").EnumerateArray().Select(e => e.GetString()), Does.Contain("Sign Up"));
        Assert.That(funnels.StructuredContent!.Value.GetProperty("funnels").GetArrayLength(), Is.EqualTo(4));
        Assert.That(funnel.IsError, Is.Not.True, Text(funnel));
        var segments = funnel.StructuredContent!.Value.GetProperty("segments").EnumerateArray().ToDictionary(x => x.GetProperty("segment").GetString()!, x => x.GetProperty("steps")[2].GetProperty("step_conversion").GetDouble());
        Assert.That(segments["Android"], Is.LessThan(0.6 * segments["web"]), "the weak Android invite step is visible through the live funnel with its breakdown kept");
        Assert.That(segmentation.IsError, Is.Not.True, Text(segmentation));
        Assert.That(unknown.IsError, Is.True);
        Assert.That(Text(unknown), Does.Contain("Sign Up"), "an unknown event names the closest real ones");
        Assert.That(listBytes, Is.LessThan(48 * 1024), "tools/list stays within the budget of SPEC §6");
        var funnelAudit = _stderr.Single(l => l.Contains("\"tool\":\"funnel\"", StringComparison.Ordinal));
        using var audit = JsonDocument.Parse(funnelAudit);
        var spent = audit.RootElement.GetProperty("mixpanel_calls");
        Assert.That(spent.GetProperty("query").GetInt32(), Is.InRange(1, 2), "the audit line counts the Query API requests the call really sent (the funnel, and its name unless cached)");
        Assert.That(spent.GetProperty("export").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task BadInput_ComesBackAsToolErrorsThatSayWhatToChange()
    {
        await using var client = await StartAsync();

        var badSql = await client.CallToolAsync("sql", new Dictionary<string, object?> { ["query"] = "SELEC 1" });
        var badDate = await client.CallToolAsync("local_segmentation", new Dictionary<string, object?> { ["event"] = "Sign Up", ["from_date"] = "21/11/2026" });
        var reversed = await client.CallToolAsync("local_segmentation", new Dictionary<string, object?> { ["event"] = "Sign Up", ["from_date"] = "2026-03-10", ["to_date"] = "2026-03-01" });
        var sandbox = await client.CallToolAsync("sql", new Dictionary<string, object?> { ["query"] = "SELECT * FROM read_text('/etc/passwd')" });
        var hostile = await client.CallToolAsync("table_schema", new Dictionary<string, object?> { ["table"] = "x; DROP TABLE y" });
        var noConfirm = await client.CallToolAsync("drop_all_tables");

        Assert.That(badSql.IsError, Is.True);
        Assert.That(Text(badSql), Does.Contain("syntax error").IgnoreCase);
        Assert.That(Text(badDate), Does.Contain("YYYY-MM-DD"));
        Assert.That(Text(reversed), Does.Contain("swap"));
        Assert.That(sandbox.IsError, Is.True);
        Assert.That(Text(sandbox), Does.Not.Contain("root:"));
        Assert.That(hostile.IsError, Is.True);
        Assert.That(Text(noConfirm), Does.Contain("confirm=true"));
    }

    [Test]
    public async Task ReadOnlyAndToolsets_HideToolsAndRefuseWrites()
    {
        await using var client = await StartAsync("--read-only", "--toolsets", "local,discovery");

        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.That(names, Does.Contain("sql").And.Contain("workspace_info"));
        Assert.That(names, Does.Not.Contain("drop_table").And.Not.Contain("fetch_events").And.Not.Contain("local_segmentation"));

        var write = await client.CallToolAsync("sql", new Dictionary<string, object?> { ["query"] = "CREATE TABLE t AS SELECT 1 AS x" });
        Assert.That(write.IsError, Is.True);
        Assert.That(Text(write), Does.Contain("read-only").IgnoreCase);

        var hidden = await Assert.CatchAsync<Exception>(async () => await client.CallToolAsync("drop_table", new Dictionary<string, object?> { ["table"] = "events" }));
        Assert.That(hidden, Is.Not.Null, "a hidden tool cannot be called either");
    }

    private sealed class SynchronousProgress(ConcurrentQueue<ProgressNotificationValue> sink) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => sink.Enqueue(value);
    }
}
