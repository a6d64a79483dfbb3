using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

#pragma warning disable MCP9005 // Sampling is what these tests exercise.

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>
/// The three smart tools through the built mp_mcp over stdio and the SDK's real client, in both protocol eras, with a
/// client that samples (fixed text), that offers no sampling, and whose sampling fails. The planted demo stories
/// (docs/demo.md a, b and the activation event) must be found, and every call's stated Query API spend must equal the
/// audit line's measured count and stay within its budget.
/// </summary>
[TestFixture("2025-06-18")]
[TestFixture("latest")]
public sealed class SmartToolsStdioTests(string protocol)
{
    internal const string FixedNarrative = "Safari sign-ups broke with the release; Android users rarely invite teammates.";

    private static readonly DateOnly LastDay = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    internal static Dictionary<string, object?> DiagnoseSignUps() => new()
    {
        ["event"] = "Sign Up",
        ["date"] = LastDay.AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["days"] = 3,
    };

    internal static Dictionary<string, object?> ActivationFunnel() => new() { ["funnel_id"] = 7011 };

    private async Task<(McpClient Client, ConcurrentQueue<string> Stderr)> StartAsync(Func<CreateMessageRequestParams?, IProgress<ProgressNotificationValue>, CancellationToken, ValueTask<CreateMessageResult>>? sampling)
    {
        var stderr = new ConcurrentQueue<string>();
        var handlers = sampling is null ? null : new McpClientHandlers { SamplingHandler = sampling };
        return (await DemoMcpProcess.StdioAsync(protocol, stderr, handlers), stderr);
    }

    internal static Func<CreateMessageRequestParams?, IProgress<ProgressNotificationValue>, CancellationToken, ValueTask<CreateMessageResult>> Fixed(ConcurrentQueue<string> prompts) =>
        (request, _, _) =>
        {
            prompts.Enqueue(string.Join("\n", request?.Messages.SelectMany(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text) ?? []));
            return ValueTask.FromResult(new CreateMessageResult { Content = [new TextContentBlock { Text = FixedNarrative }], Model = "fixed-test-model", Role = Role.Assistant });
        };

    [Test]
    public async Task WithSampling_AllThreeTools_FindTheStoriesAndCarryTheClientsNarrative()
    {
        var prompts = new ConcurrentQueue<string>();
        var (client, stderr) = await StartAsync(Fixed(prompts));
        await using var session = client;

        var diagnosis = await CallAsync(client, "diagnose_metric_drop", DiagnoseSignUps());
        var funnel = await CallAsync(client, "funnel_optimization_report", ActivationFunnel());
        var health = await CallAsync(client, "product_health_dashboard", []);

        foreach (var result in new[] { diagnosis, funnel, health })
        {
            var narrative = result.GetProperty("narrative");
            Assert.That(narrative.GetProperty("text").GetString(), Is.EqualTo(FixedNarrative));
            Assert.That(narrative.GetProperty("source").GetString(), Is.EqualTo("client_sampling"));
        }

        Assert.That(prompts, Has.Count.EqualTo(3), "one sampling request per tool call");
        Assert.That(prompts.First(), Does.Contain("Safari"), "the client's model is asked to word the computed findings");
        AssertSafariFirst(diagnosis);
        AssertAndroidInviteStep(funnel);
        AssertHealth(health);
        await AssertSpendMatchesAuditAsync(stderr, ("diagnose_metric_drop", diagnosis), ("funnel_optimization_report", funnel), ("product_health_dashboard", health));
    }

    [Test]
    public async Task WithoutSampling_FindingsStayAndTheNoteGuidesTheHostModel()
    {
        var (client, stderr) = await StartAsync(null);
        await using var session = client;

        var diagnosis = await CallAsync(client, "diagnose_metric_drop", DiagnoseSignUps());
        var health = await CallAsync(client, "product_health_dashboard", []);

        foreach (var result in new[] { diagnosis, health })
        {
            var narrative = result.GetProperty("narrative");
            Assert.That(narrative.TryGetProperty("text", out _), Is.False);
            Assert.That(narrative.GetProperty("source").GetString(), Is.EqualTo("none"));
            Assert.That(narrative.GetProperty("note").GetString(), Does.Contain("no sampling").And.Contain("summarise the findings"));
        }

        AssertSafariFirst(diagnosis);
        AssertHealth(health);
        await AssertSpendMatchesAuditAsync(stderr, ("diagnose_metric_drop", diagnosis), ("product_health_dashboard", health));
    }

    [Test]
    public async Task SamplingDeclinedOrFailing_FindingsStayAndTheServerCarriesOn()
    {
        var calls = 0;
        var (client, stderr) = await StartAsync((_, _, _) => Interlocked.Increment(ref calls) == 2
            ? throw new McpException("The user declined to let the server use the model.")
            : ValueTask.FromResult(new CreateMessageResult { Content = [], Model = "declining-test-model", Role = Role.Assistant }));
        await using var session = client;

        var declined = await CallAsync(client, "diagnose_metric_drop", DiagnoseSignUps());
        List<(string, JsonElement)> succeeded = [("diagnose_metric_drop", declined)];
        Assert.That(declined.GetProperty("narrative").GetProperty("source").GetString(), Is.EqualTo("none"));
        Assert.That(declined.GetProperty("narrative").GetProperty("note").GetString(), Does.Contain("no text").And.Contain("summarise the findings"));
        AssertSafariFirst(declined);

        if (protocol == "latest")
        {
            // Under 2026-07-28 the SDK client resolves sampling itself (MRTR) and hands a failing handler's exception to
            // its own caller; the server never sees an error to answer. What must hold is that the server carries on.
            Assert.That(await Assert.CatchAsync<Exception>(async () => await client.CallToolAsync("diagnose_metric_drop", DiagnoseSignUps())), Is.Not.Null);
        }
        else
        {
            var failed = await CallAsync(client, "diagnose_metric_drop", DiagnoseSignUps());
            Assert.That(failed.GetProperty("narrative").GetProperty("source").GetString(), Is.EqualTo("none"));
            Assert.That(failed.GetProperty("narrative").GetProperty("note").GetString(), Does.Contain("did not provide a sampled answer").And.Contain("summarise the findings"));
            AssertSafariFirst(failed);
            succeeded.Add(("diagnose_metric_drop", failed));
        }

        var after = await CallAsync(client, "diagnose_metric_drop", DiagnoseSignUps());
        AssertSafariFirst(after);
        succeeded.Add(("diagnose_metric_drop", after));
        await AssertSpendMatchesAuditAsync(stderr, [.. succeeded]);
    }

    [Test]
    public async Task Failures_AreReportedNotTurnedIntoZeros()
    {
        var (client, stderr) = await StartAsync(null);
        await using var session = client;

        var unknownEvent = await client.CallToolAsync("diagnose_metric_drop", new Dictionary<string, object?> { ["event"] = "Sign-Up" });
        var missingDimension = await CallAsync(client, "diagnose_metric_drop", new Dictionary<string, object?>(DiagnoseSignUps()) { ["dimensions"] = new[] { "$browser", "no_such_property" } });
        var unknownActivation = await client.CallToolAsync("product_health_dashboard", new Dictionary<string, object?> { ["activation_event"] = "Create Projct" });
        var unknownFunnel = await client.CallToolAsync("funnel_optimization_report", new Dictionary<string, object?> { ["funnel_id"] = 999 });

        Assert.That(unknownEvent.IsError, Is.True);
        Assert.That(Text(unknownEvent), Does.Contain("'Sign Up'"), "an unknown event names the closest real ones");
        Assert.That(unknownActivation.IsError, Is.True);
        Assert.That(Text(unknownActivation), Does.Contain("'Create Project'"));
        Assert.That(unknownFunnel.IsError, Is.True);
        Assert.That(Text(unknownFunnel), Does.Contain("7011"), "an unknown funnel lists the saved ones");

        var errors = missingDimension.GetProperty("dimension_errors").EnumerateArray().ToList();
        Assert.That(errors.Select(e => e.GetProperty("property").GetString()), Is.EqualTo(new[] { "no_such_property" }));
        Assert.That(errors[0].GetProperty("reason").GetString(), Does.Contain("not a property of 'Sign Up'"));
        Assert.That(missingDimension.GetProperty("dimensions").EnumerateArray().Select(d => d.GetProperty("dimension").GetString()), Is.EqualTo(new[] { "$browser" }), "the missing dimension is not queried into an all-undefined breakdown");
        AssertSafariFirst(missingDimension);
        await AssertSpendMatchesAuditAsync(stderr, ("diagnose_metric_drop", missingDimension));
    }

    internal static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.That(result.IsError, Is.Not.True, Text(result));
        return result.StructuredContent!.Value;
    }

    internal static void AssertSafariFirst(JsonElement diagnosis)
    {
        var first = diagnosis.GetProperty("ranked")[0];
        Assert.That((first.GetProperty("dimension").GetString(), first.GetProperty("segment").GetString()), Is.EqualTo(("$browser", "Safari")), "story (a): Safari ranks first");
        Assert.That(first.GetProperty("change").GetProperty("relative").GetDouble(), Is.LessThan(-0.5), "Safari sign-ups fell by more than half");
        var explanation = diagnosis.GetProperty("explanation");
        Assert.That(explanation.GetProperty("segment").GetString(), Is.EqualTo("Safari"));
        Assert.That(explanation.GetProperty("confidence").GetString(), Is.EqualTo("high").Or.EqualTo("medium"));
        Assert.That(diagnosis.GetProperty("baseline").GetString(), Does.Contain("1 and 2 week"));
    }

    internal static void AssertAndroidInviteStep(JsonElement funnel)
    {
        var platform = funnel.GetProperty("dimensions").EnumerateArray().Single(d => d.GetProperty("dimension").GetString() == "platform");
        var android = platform.GetProperty("worst_step_per_segment").EnumerateArray().Single(w => w.GetProperty("segment").GetString() == "Android");
        Assert.That(android.GetProperty("transition").GetString(), Is.EqualTo("Create Project → Invite Teammate"), "story (b): Android's worst step is the invite step");
        var steps = platform.GetProperty("steps").EnumerateArray().ToList();
        var invite = steps.Single(s => s.GetProperty("step").GetInt32() == 3);
        Assert.That(invite.GetProperty("worst").GetProperty("segment").GetString(), Is.EqualTo("Android"));
        Assert.That(invite.GetProperty("worst").GetProperty("rate").GetDouble(), Is.LessThan(0.7 * invite.GetProperty("worst").GetProperty("rest_rate").GetDouble()), "markedly below web and iOS");
        var create = steps.Single(s => s.GetProperty("step").GetInt32() == 2);
        Assert.That(create.GetProperty("worst").GetProperty("segment").GetString() != "Android" || Math.Abs(create.GetProperty("worst").GetProperty("z").GetDouble()) < 3, "step 1 → 2 is not markedly lower on Android");
        Assert.That(funnel.GetProperty("worst_step").GetProperty("step").GetInt32(), Is.EqualTo(3));
        Assert.That(funnel.GetProperty("recommendations").EnumerateArray().Select(r => r.GetProperty("text").GetString()), Has.Some.Contains("Android").And.Some.Contains("Invite Teammate"));
    }

    internal static void AssertHealth(JsonElement health)
    {
        var events = health.GetProperty("events");
        Assert.That(events.GetProperty("acquisition").GetString(), Is.EqualTo("Sign Up"));
        Assert.That(events.GetProperty("activation").GetString(), Is.EqualTo("Create Project"), "the activation event is chosen by evidence and differs from sign-up");
        Assert.That(events.GetProperty("revenue").GetString(), Is.EqualTo("Purchase.revenue"));
        var pillars = health.GetProperty("pillars").EnumerateArray().ToDictionary(p => p.GetProperty("pillar").GetString()!, p => p.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m));
        var retention = pillars["retention"];
        // docs/demo.md (c): by channel D1 23-44%, D7 10-30%, D30 1-17%; the channel mix gives about 33%, 20% and 8.5%.
        Assert.That(retention["D1"].GetProperty("current").GetDouble(), Is.InRange(0.28, 0.40));
        Assert.That(retention["D7"].GetProperty("current").GetDouble(), Is.InRange(0.15, 0.25));
        Assert.That(retention["D30"].GetProperty("current").GetDouble(), Is.InRange(0.05, 0.12));
        Assert.That(pillars["activation"]["activation rate"].GetProperty("current").GetDouble(), Is.InRange(0.45, 0.75), "the sign-up session creates a project with probability 0.42-0.70 by channel");
        Assert.That(pillars["revenue"]["revenue"].GetProperty("current").GetDouble(), Is.GreaterThan(10_000));
        Assert.That(pillars["revenue"]["revenue"].GetProperty("detail").GetString(), Does.Contain("USD"));
        Assert.That(health.GetProperty("health_score").GetDouble(), Is.InRange(0, 100));
    }

    /// <summary>Each call's reported spend equals the Query API requests its audit line counted, and never exceeds its budget.</summary>
    internal static async Task AssertSpendMatchesAuditAsync(ConcurrentQueue<string> stderr, params (string Tool, JsonElement Result)[] calls)
    {
        foreach (var group in calls.GroupBy(c => c.Tool))
        {
            var expected = group.Count();
            List<string> lines = [];
            for (var attempt = 0; attempt < 50; attempt++)
            {
                lines = [.. stderr.Where(l => l.Contains($"\"tool\":\"{group.Key}\"", StringComparison.Ordinal) && l.Contains("\"outcome\":\"ok\"", StringComparison.Ordinal))];
                if (lines.Count >= expected)
                {
                    break;
                }

                await Task.Delay(100);
            }

            Assert.That(lines, Has.Count.EqualTo(expected), $"one ok audit line per {group.Key} call");
            foreach (var (line, (_, result)) in lines.Zip(group))
            {
                using var audit = JsonDocument.Parse(line);
                var measured = audit.RootElement.GetProperty("mixpanel_calls").GetProperty("query").GetInt32();
                var budget = result.GetProperty("budget");
                var spent = budget.GetProperty("spent").GetInt32();
                Assert.That(spent, Is.EqualTo(measured), $"{group.Key}: the stated spend is the measured one");
                Assert.That(spent, Is.LessThanOrEqualTo(budget.GetProperty("limit").GetInt32()));
                Assert.That(budget.GetProperty("queries").EnumerateArray().Sum(q => q.GetProperty("query_calls").GetInt32()), Is.EqualTo(spent));
                Assert.That(spent, Is.GreaterThan(2));
            }
        }
    }

    internal static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
