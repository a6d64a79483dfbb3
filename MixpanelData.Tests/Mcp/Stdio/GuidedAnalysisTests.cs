using System.Collections.Concurrent;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// <c>guided_analysis</c> end to end against the spawned <c>mp_mcp --demo</c> over stdio in both protocol eras: a client
/// whose user answers the three questions, and a client that cannot be asked.
/// </summary>
[TestFixture("2025-06-18")]
[TestFixture("latest")]
public sealed class GuidedAnalysisTests(string protocol)
{
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
    public async Task DifferentFocusAnswers_RunDifferentQueriesAndFindDifferentThings()
    {
        var asked = _user.Asked.Count;
        _user.Script(Pick("focus", "acquisition"), Pick("period", "30"), Pick("segment", "utm_source"));
        var acquisition = await CallAsync(_asking, _askingErr, []);
        var acquisitionQuestions = _user.Asked.Skip(asked).ToList();
        _user.Script(Pick("focus", "retention"), Pick("period", "30"), Pick("segment", "utm_source"));
        var retention = await CallAsync(_asking, _askingErr, []);

        Assert.That(acquisitionQuestions, Has.Count.EqualTo(3), "focus, period, segment");
        var focusChoices = Options(acquisitionQuestions[0], "focus");
        Assert.That(focusChoices, Is.SupersetOf(new[] { "acquisition", "activation", "retention", "monetisation", "event:Page View" }), "choices come from the project's events, funnels and top events");
        Assert.That(Options(acquisitionQuestions[2], "segment"), Does.Contain("utm_source").And.Contain("platform").And.Contain("none").And.No.Contain("distinct_id"));
        Assert.That(Options(acquisitionQuestions[2], "segment"), Does.Not.Contain("$insert_id").And.Not.Contain("mp_processing_time_ms"));

        var a = acquisition.StructuredContent!.Value;
        var r = retention.StructuredContent!.Value;
        Assert.That(a.GetProperty("status").GetString(), Is.EqualTo("done"), DemoMcpProcess.Text(acquisition));
        Assert.That(r.GetProperty("status").GetString(), Is.EqualTo("done"), DemoMcpProcess.Text(retention));
        Assert.That(Tools(a), Is.EqualTo(new[] { "segmentation", "segmentation" }));
        Assert.That(Tools(r), Is.EqualTo(new[] { "retention", "retention" }));
        Assert.That(DemoMcpProcess.Text(acquisition), Does.Contain("Sign Up:").And.Contain("vs").And.Contain("By utm_source: top"));
        Assert.That(DemoMcpProcess.Text(retention), Does.Contain("Retention after Sign Up").And.Contain("day 7"));
        var byChannel = DemoMcpProcess.Text(retention);
        Assert.That(byChannel, Does.Contain("best referral").And.Contain("worst paid_social"), "the demo's planted channel retention story (c)");
    }

    [Test]
    public async Task ActivationBySegment_FindsTheWeakAndroidInviteStep()
    {
        _user.Script(_ => ScriptedUser.Cancel());

        var result = await CallAsync(_asking, _askingErr, new() { ["focus"] = "activation", ["period"] = 30, ["segment"] = "platform" });
        var text = DemoMcpProcess.Text(result);

        Assert.That(result.StructuredContent!.Value.GetProperty("status").GetString(), Is.EqualTo("done"), text);
        Assert.That(result.StructuredContent!.Value.GetProperty("questions").GetArrayLength(), Is.Zero, "arguments skip their questions");
        Assert.That(Tools(result.StructuredContent!.Value), Is.EqualTo(new[] { "funnel", "funnel" }));
        Assert.That(text, Does.Contain("worst Android").And.Contain("Invite Teammate"), "the demo's planted story (b)");
    }

    [Test]
    public async Task DeclineAtStep2_StopsWithTheFocusChosen()
    {
        _user.Script(Pick("focus", "monetisation"), _ => ScriptedUser.Decline());

        var result = await CallAsync(_asking, _askingErr, []);
        var content = result.StructuredContent!.Value;

        Assert.That(content.GetProperty("status").GetString(), Is.EqualTo("stopped"));
        Assert.That(content.GetProperty("stopped_at").GetProperty("step").GetInt32(), Is.EqualTo(2));
        Assert.That(content.GetProperty("chosen").GetProperty("focus").GetProperty("value").GetString(), Is.EqualTo("monetisation"));
        Assert.That(DemoMcpProcess.Text(result), Does.StartWith("Stopped at step 2 (period): the user declined").And.Contain("focus monetisation"));
        Assert.That(content.TryGetProperty("findings", out _), Is.False);
        Assert.That(content.GetProperty("query_budget").GetProperty("queries").EnumerateArray().Select(q => q.GetProperty("purpose").GetString()), Has.None.Contains("per day"), "no analysis query ran");
    }

    [Test]
    public async Task CancelAtStep1_StopsWithNothingChosen()
    {
        _user.Script(_ => ScriptedUser.Cancel());

        var result = await CallAsync(_asking, _askingErr, []);

        Assert.That(result.StructuredContent!.Value.GetProperty("status").GetString(), Is.EqualTo("stopped"));
        Assert.That(DemoMcpProcess.Text(result), Does.StartWith("Stopped at step 1 (focus): the user dismissed the question").And.Contain("Chosen so far: nothing"));
    }

    [Test]
    public async Task NoElicitation_ReturnsChoicesAndNextCallsThatWork()
    {
        var first = await CallAsync(_silent, _silentErr, []);
        var content = first.StructuredContent!.Value;
        Assert.That(content.GetProperty("status").GetString(), Is.EqualTo("needs_choices"), DemoMcpProcess.Text(first));
        var focuses = content.GetProperty("choices").GetProperty("focus").EnumerateArray().Select(f => f.GetProperty("value").GetString()).ToList();
        Assert.That(focuses, Does.Contain("acquisition").And.Contain("retention"));
        var calls = content.GetProperty("next_calls").EnumerateArray().ToList();
        Assert.That(calls.Select(c => c.GetProperty("arguments").GetProperty("focus").GetString()), Is.EquivalentTo(focuses), "one complete call per focus");

        var withFocus = await CallAsync(_silent, _silentErr, new() { ["focus"] = "acquisition" });
        var segmentCall = withFocus.StructuredContent!.Value.GetProperty("next_calls").EnumerateArray().First();
        var arguments = segmentCall.GetProperty("arguments");
        Assert.That(arguments.GetProperty("segment").GetString(), Is.Not.EqualTo("none"), "a segment from the focus event's properties");
        Assert.That(arguments.GetProperty("period").GetInt32(), Is.EqualTo(30));

        var done = await _silent.CallToolAsync("guided_analysis", arguments.Deserialize<Dictionary<string, object?>>());
        Assert.That(done.StructuredContent!.Value.GetProperty("status").GetString(), Is.EqualTo("done"), DemoMcpProcess.Text(done));
        Assert.That(DemoMcpProcess.Text(done), Does.Contain($"By {arguments.GetProperty("segment").GetString()}: top"));
        var ran = done.StructuredContent!.Value.GetProperty("ran").EnumerateArray().Select(c => c.GetRawText()).ToList();
        Assert.That(ran, Is.EqualTo(segmentCall.GetProperty("runs").EnumerateArray().Select(c => c.GetRawText()).ToList()), "the suggested primitive calls are the ones it runs");
        foreach (var primitive in segmentCall.GetProperty("runs").EnumerateArray())
        {
            var direct = await _silent.CallToolAsync(primitive.GetProperty("tool").GetString()!, primitive.GetProperty("arguments").Deserialize<Dictionary<string, object?>>());
            Assert.That(direct.IsError, Is.Not.True, DemoMcpProcess.Text(direct));
        }
    }

    [Test]
    public async Task BadArguments_AreToolErrorsThatSayWhatToChange()
    {
        var period = await _silent.CallToolAsync("guided_analysis", new Dictionary<string, object?> { ["focus"] = "acquisition", ["period"] = 14 });
        var focus = await _silent.CallToolAsync("guided_analysis", new Dictionary<string, object?> { ["focus"] = "sign-ups!!", ["period"] = 7 });
        var segment = await _silent.CallToolAsync("guided_analysis", new Dictionary<string, object?> { ["focus"] = "acquisition", ["period"] = 7, ["segment"] = "browser" });

        Assert.That(DemoMcpProcess.Text(period), Does.Contain("7, 30 or 90"));
        Assert.That(focus.IsError, Is.True);
        Assert.That(DemoMcpProcess.Text(focus), Does.Contain("acquisition").And.Contain("retention"));
        Assert.That(segment.IsError, Is.True);
        Assert.That(DemoMcpProcess.Text(segment), Does.Contain("$browser"));
    }

    private static Func<ElicitRequestParams, ElicitResult> Pick(string field, string value) => request =>
    {
        Assert.That(Options(request, field), Does.Contain(value), $"{field} offers {value}");
        return ScriptedUser.Accept((field, value));
    };

    private static List<string> Options(ElicitRequestParams request, string field)
    {
        var schema = JsonSerializer.SerializeToElement(request.RequestedSchema, ModelContextProtocol.McpJsonUtilities.DefaultOptions);
        return [.. schema.GetProperty("properties").GetProperty(field).GetProperty("oneOf").EnumerateArray().Select(o => o.GetProperty("const").GetString()!)];
    }

    private static string[] Tools(JsonElement content) => [.. content.GetProperty("ran").EnumerateArray().Select(c => c.GetProperty("tool").GetString()!)];

    private static async Task<CallToolResult> CallAsync(McpClient client, ConcurrentQueue<string> stderr, Dictionary<string, object?> arguments)
    {
        var before = stderr.Count(l => l.Contains("\"tool\":\"guided_analysis\"", StringComparison.Ordinal));
        var result = await client.CallToolAsync("guided_analysis", arguments);
        TestContext.Out.WriteLine(DemoMcpProcess.Text(result));
        if (result.IsError != true)
        {
            var budget = result.StructuredContent!.Value.GetProperty("query_budget");
            var audited = await DemoMcpProcess.AuditedQueryCallsAsync(stderr, "guided_analysis", skip: before);
            Assert.That(audited, Is.LessThanOrEqualTo(budget.GetProperty("limit").GetInt32()), "measured Query API spend stays within the stated budget");
            Assert.That(audited, Is.EqualTo(budget.GetProperty("spent").GetInt32()), "every Query API call went through the budget");
        }

        return result;
    }
}
