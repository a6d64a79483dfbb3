using System.Globalization;
using System.Text.Json;
using ModelContextProtocol;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>ask_mixpanel through the real server over stdio, in both protocol eras, with and without a client model.</summary>
[TestFixture("2025-06-18")]
[TestFixture("latest")]
public sealed class AskMixpanelStdioTests(string protocol)
{
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Test]
    public async Task NoSampling_CountQuestion_AnswersWithTheSegmentationTotal()
    {
        await using var mcp = await SmartToolClient.StartAsync(protocol);

        var asked = await mcp.CallAsync("ask_mixpanel", new() { ["question"] = "How many Sign Ups were there last week?" });
        var direct = await mcp.CallAsync("segmentation", new() { ["event"] = "Sign Up", ["from_date"] = Day(SmartToolClient.LastDay.AddDays(-6)), ["to_date"] = Day(SmartToolClient.LastDay) });

        Assert.That(asked.IsError, Is.Not.True, SmartToolClient.Text(asked));
        var result = asked.StructuredContent!.Value;
        Assert.That(result.GetProperty("mode").GetString(), Is.EqualTo("deterministic"));
        var total = result.GetProperty("steps")[0].GetProperty("data").GetProperty("total").GetDouble();
        var expected = direct.StructuredContent!.Value.GetProperty("segments").EnumerateArray().Sum(s => s.GetProperty("values").EnumerateArray().Sum(v => v.GetDouble()));
        Assert.That(total, Is.EqualTo(expected).And.GreaterThan(0));
        Assert.That(result.GetProperty("answer").GetString(), Does.Contain(total.ToString("N0", CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Sampling_ValidPlan_RunsItAndTheModelWordsTheAnswerFromTheResults()
    {
        var from = Day(SmartToolClient.LastDay.AddDays(-6));
        var to = Day(SmartToolClient.LastDay);
        var plan = JsonSerializer.Serialize(new
        {
            steps = new object[]
            {
                new { op = "segmentation", args = new { @event = "Sign Up", from_date = from, to_date = to, on = "properties[\"utm_source\"]" } },
                new { op = "event_counts", args = new { events = new[] { "Sign Up", "Purchase" }, from_date = from, to_date = to } },
            },
        });
        await using var mcp = await SmartToolClient.StartAsync(protocol, (_, n) => n == 1 ? "Here is the plan:\n```json\n" + plan + "\n```" : "Referral and direct lead the sign-ups.");

        var asked = await mcp.CallAsync("ask_mixpanel", new() { ["question"] = "Which channels brought sign-ups last week, and how many purchases were there?" });
        var direct = await mcp.CallAsync("segmentation", new() { ["event"] = "Sign Up", ["from_date"] = from, ["to_date"] = to, ["on"] = "properties[\"utm_source\"]" });

        Assert.That(asked.IsError, Is.Not.True, SmartToolClient.Text(asked));
        var result = asked.StructuredContent!.Value;
        Assert.That(result.GetProperty("mode").GetString(), Is.EqualTo("model_plan"));
        Assert.That(result.GetProperty("answer").GetString(), Is.EqualTo("Referral and direct lead the sign-ups."));
        Assert.That(result.GetProperty("answer_source").GetString(), Is.EqualTo("client_sampling"));
        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        Assert.That(steps.Select(x => x.GetProperty("outcome").GetString()), Is.EqualTo(new[] { "ok", "ok" }));
        var bySource = steps[0].GetProperty("data").GetProperty("segments").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!, x => x.GetProperty("total").GetDouble());
        var expected = direct.StructuredContent!.Value.GetProperty("segments").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!, x => x.GetProperty("total").GetDouble());
        Assert.That(bySource, Is.EquivalentTo(expected), "the plan's step returns the same numbers as the segmentation tool");

        var requests = mcp.SamplingRequests.ToList();
        Assert.That(requests, Has.Count.EqualTo(2), "one call for the plan, one to word the answer");
        var planPrompt = string.Join("\n", requests[0].Messages.SelectMany(m => m.Content).OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(t => t.Text));
        Assert.That(planPrompt, Does.Contain("Sign Up").And.Contain("Create Project").And.Contain("utm_source"), "the model sees the real events and top properties");
        Assert.That(requests[0].SystemPrompt, Does.Contain("segmentation(").And.Contain("retention("), "the model sees the allow-list");
        var synthesis = string.Join("\n", requests[1].Messages.SelectMany(m => m.Content).OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(t => t.Text));
        Assert.That(synthesis, Does.Contain(expected.OrderByDescending(e => e.Value).First().Value.ToString("N0", CultureInfo.InvariantCulture)), "the results went back to the model");

        await AssertSpendMatchesAuditAsync(mcp, result);
    }

    [Test]
    public async Task Sampling_PlanWithDisallowedOperations_RunsNothingOutsideTheAllowList()
    {
        await using var mcp = await SmartToolClient.StartAsync(protocol, (_, n) => n == 1
            ? """
              {"steps": [
                {"op": "drop_all_tables", "args": {"confirm": true}},
                {"op": "sql", "args": {"query": "DELETE FROM kept"}},
                {"op": "jql", "args": {"script": "function main() { return Events({}); }"}},
                {"op": "fetch_events", "args": {"from_date": "2020-01-01"}},
                {"op": "segmentation", "args": {"event": "Sign Up", "where": "1; DROP TABLE kept"}},
                {"op": "segmentation", "args": {"event": "Sign Up"}}
              ]}
              """
            : "Only the sign-up count could be run.");
        var created = await mcp.CallAsync("sql", new() { ["query"] = "CREATE TABLE kept AS SELECT 42 AS x" });
        Assert.That(created.IsError, Is.Not.True, SmartToolClient.Text(created));

        var asked = await mcp.CallAsync("ask_mixpanel", new() { ["question"] = "Clean up the data and count sign ups" });

        Assert.That(asked.IsError, Is.Not.True, SmartToolClient.Text(asked));
        var result = asked.StructuredContent!.Value;
        var rejected = result.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("step").GetInt32(), r => (Op: r.GetProperty("op").GetString(), Reason: r.GetProperty("reason").GetString()!));
        Assert.That(rejected.Keys, Is.EquivalentTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(rejected.Values.Select(r => r.Op), Is.EqualTo(new[] { "drop_all_tables", "sql", "jql", "fetch_events", "segmentation" }));
        Assert.That(rejected[1].Reason, Does.Contain("not an allowed read-only operation"));
        Assert.That(rejected[4].Reason, Does.Contain("where").And.Contain("not a valid expression"));
        Assert.That(SmartToolClient.Text(asked), Does.Contain("drop_all_tables").And.Contain("jql"), "the text says what was rejected");
        Assert.That(result.GetProperty("steps").EnumerateArray().Select(x => x.GetProperty("op").GetString()), Is.EqualTo(new[] { "segmentation" }));

        var kept = await mcp.CallAsync("sql_scalar", new() { ["query"] = "SELECT sum(x) FROM kept" });
        Assert.That(kept.IsError, Is.Not.True, "the table survived: " + SmartToolClient.Text(kept));
        Assert.That(kept.StructuredContent!.Value.GetProperty("value").GetInt64(), Is.EqualTo(42), "and its row too");
        var purposes = result.GetProperty("budget").GetProperty("queries").EnumerateArray().Select(q => q.GetProperty("purpose").GetString()!).ToList();
        Assert.That(purposes, Has.None.Contains("jql").And.None.Contains("fetch").And.None.Contains("sql"));
        await AssertSpendMatchesAuditAsync(mcp, result);
        var audit = await mcp.AuditCallsAsync("ask_mixpanel");
        Assert.That(audit.GetProperty("export").GetInt32(), Is.Zero, "no export (fetch) request reached Mixpanel");
    }

    [Test]
    public async Task Sampling_Garbage_FallsBackToTheDeterministicAnswer()
    {
        await using var mcp = await SmartToolClient.StartAsync(protocol, (_, _) => "I would rather not plan anything today.");

        var asked = await mcp.CallAsync("ask_mixpanel", new() { ["question"] = "How many purchases happened last week?" });

        Assert.That(asked.IsError, Is.Not.True, SmartToolClient.Text(asked));
        var result = asked.StructuredContent!.Value;
        Assert.That(result.GetProperty("mode").GetString(), Is.EqualTo("deterministic"));
        Assert.That(result.GetProperty("steps")[0].GetProperty("data").GetProperty("event").GetString(), Is.EqualTo("Purchase"));
        Assert.That(result.GetProperty("notes").EnumerateArray().Select(n => n.GetString()), Has.Some.Contains("no usable plan"));
        await AssertSpendMatchesAuditAsync(mcp, result);
    }

    [Test]
    public async Task Sampling_ClientDeclines_RetentionQuestionIsAnsweredDeterministically()
    {
        // Over 2025-06-18 a declining client answers sampling/createMessage with an error. Under 2026-07-28 the SDK client
        // resolves sampling inside its own tools/call retry loop, where a throwing handler aborts the caller's call before
        // the server hears anything; the way such a client declines is an empty answer.
        await using var mcp = await SmartToolClient.StartAsync(protocol, (_, _) => protocol == "latest" ? string.Empty : throw new McpException("The user declined the sampling request."));

        var asked = await mcp.CallAsync("ask_mixpanel", new() { ["question"] = "What is the retention of users who sign up?" });
        var direct = await mcp.CallAsync("retention", new()
        {
            ["born_event"] = "Sign Up",
            ["from_date"] = Day(SmartToolClient.LastDay.AddDays(-59)),
            ["to_date"] = Day(SmartToolClient.LastDay),
            ["interval_count"] = 30,
        });

        Assert.That(asked.IsError, Is.Not.True, SmartToolClient.Text(asked));
        var result = asked.StructuredContent!.Value;
        Assert.That(result.GetProperty("mode").GetString(), Is.EqualTo("deterministic"));
        Assert.That(result.GetProperty("form").GetString(), Is.EqualTo("retention"));
        Assert.That(result.GetProperty("notes").EnumerateArray().Select(n => n.GetString()), Has.Some.Contains("No plan from the client's model"));
        var rates = result.GetProperty("steps")[0].GetProperty("data").GetProperty("rates");
        var weighted = direct.StructuredContent!.Value.GetProperty("weighted_rates");
        foreach (var day in new[] { 1, 7, 30 })
        {
            Assert.That(rates.GetProperty($"d{day}").GetProperty("rate").GetDouble(), Is.EqualTo(weighted[day].GetDouble()).Within(1e-4), $"D{day} matches the retention tool");
        }

        Assert.That(rates.GetProperty("d7").GetProperty("rate").GetDouble(), Is.InRange(0.10, 0.40));
        await AssertSpendMatchesAuditAsync(mcp, result);
    }

    private static async Task AssertSpendMatchesAuditAsync(SmartToolClient mcp, JsonElement result)
    {
        var budget = result.GetProperty("budget");
        var audit = await mcp.AuditCallsAsync("ask_mixpanel");
        var spent = budget.GetProperty("spent").GetInt32();
        Assert.That(spent, Is.EqualTo(audit.GetProperty("query").GetInt32()), "the stated spend is what the audit measured");
        Assert.That(spent, Is.LessThanOrEqualTo(budget.GetProperty("limit").GetInt32()));
        Assert.That(budget.GetProperty("queries").EnumerateArray().Sum(q => q.GetProperty("query_calls").GetInt32()), Is.EqualTo(spent), "every call is accounted for by a listed sub-query");
    }
}
