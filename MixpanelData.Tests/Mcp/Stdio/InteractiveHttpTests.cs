using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// The interactive tools over Streamable HTTP (<c>mp_mcp --demo --transport http</c> as a real process). Handshake-era
/// clients get a session, so the server can put its questions to them on the POST's event stream.
/// </summary>
public sealed class InteractiveHttpTests
{
    private static readonly string Day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd");

    private DemoMcpProcess _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await DemoMcpProcess.HttpAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task HandshakeEra_QuestionsReachTheUserAndAnswersAreHonoured()
    {
        var user = new ScriptedUser();
        await using var client = await _server.ConnectAsync("2025-06-18", user.Handlers);

        user.Script(_ => ScriptedUser.Accept(("action", "proceed")));
        var proceed = await FetchAsync(client, "http_proceed");
        user.Script(_ => ScriptedUser.Accept(("action", "narrow"), ("limit", 120)));
        var narrow = await FetchAsync(client, "http_narrow");
        user.Script(_ => ScriptedUser.Decline());
        var declined = await FetchAsync(client, "http_declined");
        user.Script(_ => ScriptedUser.Accept(("focus", "acquisition")), _ => ScriptedUser.Accept(("period", "7")), _ => ScriptedUser.Accept(("segment", "platform")));
        var guided = await client.CallToolAsync("guided_analysis");
        user.Script(_ => ScriptedUser.Accept(("focus", "retention")), _ => ScriptedUser.Decline());
        var stopped = await client.CallToolAsync("guided_analysis");

        Assert.That(proceed.StructuredContent!.Value.GetProperty("decision").GetString(), Is.EqualTo("proceed"), DemoMcpProcess.Text(proceed));
        Assert.That(proceed.StructuredContent!.Value.GetProperty("rows_fetched").GetInt64(), Is.EqualTo(await CountAsync(client, "http_proceed")).And.GreaterThan(1000));
        Assert.That(await CountAsync(client, "http_narrow"), Is.EqualTo(120), DemoMcpProcess.Text(narrow));
        Assert.That(declined.StructuredContent!.Value.GetProperty("fetched").GetBoolean(), Is.False);
        var tables = await client.CallToolAsync("list_tables");
        Assert.That(DemoMcpProcess.Text(tables), Does.Not.Contain("http_declined"));
        Assert.That(guided.StructuredContent!.Value.GetProperty("status").GetString(), Is.EqualTo("done"), DemoMcpProcess.Text(guided));
        Assert.That(DemoMcpProcess.Text(guided), Does.Contain("By platform: top web"));
        Assert.That(DemoMcpProcess.Text(stopped), Does.StartWith("Stopped at step 2 (period)").And.Contain("focus retention"));
        Assert.That(user.Asked, Has.Count.EqualTo(3 + 3 + 2));
        Assert.That(await DemoMcpProcess.AuditedQueryCallsAsync(_server.StandardError, "guided_analysis"), Is.LessThanOrEqualTo(8));
    }

    [Test]
    public async Task SessionlessEra_AsksThroughInputRequiredRoundsWithinTheBudget()
    {
        var user = new ScriptedUser();
        await using var client = await _server.ConnectAsync("latest", user.Handlers);
        Assert.That(client.NegotiatedProtocolVersion, Is.EqualTo("2026-07-28"));

        user.Script(_ => ScriptedUser.Accept(("action", "narrow"), ("limit", 75)));
        var narrow = await FetchAsync(client, "http_mrtr_narrow");
        user.Script(_ => ScriptedUser.Cancel());
        var cancelled = await FetchAsync(client, "http_mrtr_cancelled");
        var before = GuidedAuditLines().Count;
        user.Script(_ => ScriptedUser.Accept(("focus", "acquisition")), _ => ScriptedUser.Accept(("period", "7")), _ => ScriptedUser.Accept(("segment", "platform")));
        var guided = await client.CallToolAsync("guided_analysis");
        user.Script(_ => ScriptedUser.Accept(("focus", "activation")), _ => ScriptedUser.Decline());
        var stopped = await client.CallToolAsync("guided_analysis");

        TestContext.Out.WriteLine(DemoMcpProcess.Text(narrow));
        Assert.That(narrow.StructuredContent!.Value.GetProperty("decision").GetString(), Is.EqualTo("narrow"), DemoMcpProcess.Text(narrow));
        Assert.That(await CountAsync(client, "http_mrtr_narrow"), Is.EqualTo(75));
        Assert.That(narrow.StructuredContent!.Value.GetProperty("query_budget").GetProperty("spent").GetInt32(), Is.LessThanOrEqualTo(6));
        Assert.That(cancelled.StructuredContent!.Value.GetProperty("decision").GetString(), Is.EqualTo("cancelled"));
        Assert.That(DemoMcpProcess.Text(await client.CallToolAsync("list_tables")), Does.Not.Contain("http_mrtr_cancelled"));

        var content = guided.StructuredContent!.Value;
        Assert.That(content.GetProperty("status").GetString(), Is.EqualTo("done"), DemoMcpProcess.Text(guided));
        Assert.That(content.GetProperty("segment").GetString(), Is.EqualTo("platform"));
        Assert.That(content.GetProperty("period").GetProperty("days").GetInt32(), Is.EqualTo(7), "every answer survives the rounds");
        var rounds = GuidedAuditLines().Skip(before).Take(4).ToList();
        Assert.That(rounds.Select(r => r.Outcome), Is.EqualTo(new[] { "input_required", "input_required", "input_required", "ok" }), "one round per question, then the result");
        Assert.That(rounds.Sum(r => r.Query), Is.EqualTo(content.GetProperty("query_budget").GetProperty("spent").GetInt32()).And.LessThanOrEqualTo(8), "the budget holds across rounds");
        Assert.That(DemoMcpProcess.Text(stopped), Does.StartWith("Stopped at step 2 (period)").And.Contain("focus activation"));
        Assert.That(user.Asked, Has.Count.EqualTo(1 + 1 + 3 + 2));
    }

    [Test]
    public async Task SessionlessEra_WithoutElicitation_FallsBackToExplicitArguments()
    {
        await using var client = await _server.ConnectAsync("latest");

        var fetch = await FetchAsync(client, "http_sessionless");
        var guided = await client.CallToolAsync("guided_analysis", new Dictionary<string, object?> { ["focus"] = "acquisition" });

        var content = fetch.StructuredContent!.Value;
        Assert.That(content.GetProperty("fetched").GetBoolean(), Is.False, "nothing above the threshold without an answer or confirm=true");
        Assert.That(content.GetProperty("decision").GetString(), Is.EqualTo("needs_confirmation"));
        var confirmed = await client.CallToolAsync("safe_large_fetch", content.GetProperty("next_calls")[0].GetProperty("arguments").Deserialize<Dictionary<string, object?>>());
        Assert.That(confirmed.StructuredContent!.Value.GetProperty("rows_fetched").GetInt64(), Is.EqualTo(await CountAsync(client, "http_sessionless")));
        Assert.That(guided.StructuredContent!.Value.GetProperty("status").GetString(), Is.EqualTo("needs_choices"), DemoMcpProcess.Text(guided));
    }

    private List<(string Outcome, int Query)> GuidedAuditLines() =>
        [.. _server.StandardError.Where(l => l.Contains("\"tool\":\"guided_analysis\"", StringComparison.Ordinal)).Select(l =>
        {
            using var audit = JsonDocument.Parse(l);
            return (audit.RootElement.GetProperty("outcome").GetString()!, audit.RootElement.GetProperty("mixpanel_calls").GetProperty("query").GetInt32());
        })];

    private static Task<CallToolResult> FetchAsync(McpClient client, string table) =>
        client.CallToolAsync("safe_large_fetch", new Dictionary<string, object?> { ["from_date"] = Day, ["to_date"] = Day, ["table"] = table, ["threshold"] = 1000 }).AsTask();

    private static async Task<long> CountAsync(McpClient client, string table)
    {
        var result = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = $"SELECT count(*) FROM {table}" });
        return result.StructuredContent!.Value.GetProperty("value").GetInt64();
    }
}
