using System.Text.Json;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>cohort_comparison and gqm_investigation through the real server over stdio, in both protocol eras, on the demo.</summary>
[TestFixture("2025-06-18")]
[TestFixture("latest")]
public sealed class ComposedToolsStdioTests(string protocol)
{
    [Test]
    public async Task CohortComparison_SavedReferralVsPaidSocial_ReferralRetainsBetterAtD7AndD30()
    {
        await using var mcp = await SmartToolClient.StartAsync(protocol);

        var compared = await mcp.CallAsync("cohort_comparison", new() { ["cohort_a"] = "9102", ["cohort_b"] = "9103" });
        var cohorts = await mcp.CallAsync("list_cohorts", new());

        Assert.That(compared.IsError, Is.Not.True, SmartToolClient.Text(compared));
        var result = compared.StructuredContent!.Value;
        var sizes = cohorts.StructuredContent!.Value.GetProperty("cohorts").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt64(), c => c.GetProperty("count").GetInt64());
        var resolved = result.GetProperty("cohorts").EnumerateArray().ToList();
        Assert.That(resolved[0].GetProperty("membership").GetString(), Is.EqualTo("engage filter_by_cohort={\"id\": 9102}"), "the saved cohort's members are read from Engage");
        Assert.That(resolved[1].GetProperty("membership").GetString(), Is.EqualTo("engage filter_by_cohort={\"id\": 9103}"));
        Assert.That(resolved[0].GetProperty("members").GetInt64(), Is.EqualTo(sizes[9102]));
        Assert.That(resolved[1].GetProperty("members").GetInt64(), Is.EqualTo(sizes[9103]));

        var retention = result.GetProperty("retention").EnumerateArray().ToDictionary(r => r.GetProperty("day").GetInt32());
        foreach (var day in new[] { 7, 30 })
        {
            var r = retention[day];
            Assert.That(r.GetProperty("a").GetProperty("rate").GetDouble(), Is.GreaterThan(r.GetProperty("b").GetProperty("rate").GetDouble()), $"D{day}: referral retains better");
            Assert.That(r.GetProperty("a").GetProperty("users").GetInt64(), Is.GreaterThan(100), "with the sample sizes stated");
            Assert.That(r.GetProperty("significant").GetBoolean(), Is.True, $"D{day}: and significantly so");
            Assert.That(r.GetProperty("p_value").GetDouble(), Is.LessThan(0.001));
        }

        Assert.That(retention[7].GetProperty("a").GetProperty("rate").GetDouble(), Is.InRange(0.24, 0.36), "referral D7 is near the planted 29.8%");
        Assert.That(retention[7].GetProperty("b").GetProperty("rate").GetDouble(), Is.InRange(0.06, 0.14), "paid social D7 is near the planted 9.7%");
        Assert.That(SmartToolClient.Text(compared), Does.Contain("D7: Referral sign-ups (9102) retains better"));
        await AssertSpendMatchesAuditAsync(mcp, "cohort_comparison", result);
    }

    [Test]
    public async Task CohortComparison_ExpressionAndNameWithASmallBudget_SkipsWhatDoesNotFitAndSaysSo()
    {
        await using var mcp = await SmartToolClient.StartAsync(protocol);

        var compared = await mcp.CallAsync("cohort_comparison", new() { ["cohort_a"] = "user[\"platform\"] == \"Android\"", ["cohort_b"] = "large FREE accounts", ["budget"] = 3 });

        Assert.That(compared.IsError, Is.Not.True, SmartToolClient.Text(compared));
        var result = compared.StructuredContent!.Value;
        var cohorts = result.GetProperty("cohorts").EnumerateArray().ToList();
        Assert.That(cohorts[0].GetProperty("filter").GetString(), Is.EqualTo("user[\"platform\"] == \"Android\""));
        Assert.That(cohorts[0].GetProperty("members").GetInt64(), Is.InRange(4_000, 7_000), "the expression's members are counted through engage");
        Assert.That(cohorts[1].GetProperty("saved_cohort_id").GetInt64(), Is.EqualTo(9105), "a saved cohort by its name, in any case");
        Assert.That(result.GetProperty("retention").GetArrayLength(), Is.EqualTo(0), "with the event list skipped, no sign-up event is known");
        Assert.That(result.GetProperty("events_per_member").GetArrayLength(), Is.GreaterThan(0), "the rest is still counted from the export");
        Assert.That(result.GetProperty("budget").GetProperty("spent").GetInt32(), Is.LessThanOrEqualTo(3));
        Assert.That(result.GetProperty("unanswered").EnumerateArray().Select(u => u.GetProperty("reason").GetString()), Has.Some.Contains("budget"), "what did not fit is reported, not zeroed");
        await AssertSpendMatchesAuditAsync(mcp, "cohort_comparison", result);

        var eventFilter = await mcp.CallAsync("cohort_comparison", new() { ["cohort_a"] = "properties[\"platform\"] == \"Android\"", ["cohort_b"] = "9104" });
        Assert.That(eventFilter.IsError, Is.True);
        Assert.That(SmartToolClient.Text(eventFilter), Does.Contain("user properties only"));
    }

    [Test]
    public async Task Gqm_ImproveRetentionOfNewUsers_AnswersItsQuestionsWithRealNumbers()
    {
        await using var mcp = await SmartToolClient.StartAsync(protocol);
        var last = SmartToolClient.LastDay;

        var investigated = await mcp.CallAsync("gqm_investigation", new() { ["goal"] = "improve retention of new users" });
        var direct = await mcp.CallAsync("retention", new()
        {
            ["born_event"] = "Sign Up",
            ["from_date"] = last.AddDays(-59).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["to_date"] = last.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["interval_count"] = 30,
        });

        Assert.That(investigated.IsError, Is.Not.True, SmartToolClient.Text(investigated));
        var result = investigated.StructuredContent!.Value;
        Assert.That(result.GetProperty("category").GetString(), Is.EqualTo("retention"));
        var roles = result.GetProperty("roles");
        Assert.That(roles.GetProperty("signup").GetString(), Is.EqualTo("Sign Up"), "metrics are mapped to the project's discovered names");
        Assert.That(roles.GetProperty("channel").GetString(), Is.EqualTo("utm_source"));
        Assert.That(roles.GetProperty("platform").GetString(), Is.EqualTo("platform"));
        var questions = result.GetProperty("questions").EnumerateArray().ToDictionary(q => q.GetProperty("id").GetString()!);
        Assert.That(questions, Has.Count.InRange(3, 5));
        Assert.That(questions.Values.Select(q => q.GetProperty("status").GetString()), Is.All.EqualTo("answered"));

        var weighted = direct.StructuredContent!.Value.GetProperty("weighted_rates");
        var overall = questions["retention"].GetProperty("numbers");
        Assert.That(overall.GetProperty("d7").GetProperty("rate").GetDouble(), Is.EqualTo(weighted[7].GetDouble()).Within(1e-4), "Q1's D7 is the retention tool's D7");
        Assert.That(overall.GetProperty("d30").GetProperty("rate").GetDouble(), Is.EqualTo(weighted[30].GetDouble()).Within(1e-4));

        var byChannel = questions["retention_by_channel"].GetProperty("numbers").GetProperty("segments").EnumerateArray().ToList();
        Assert.That(byChannel[0].GetProperty("segment").GetString(), Is.EqualTo("referral"), "the best channel at D7 is referral (story c)");
        Assert.That(byChannel[^1].GetProperty("segment").GetString(), Is.EqualTo("paid_social"));
        Assert.That(questions["retention_by_channel"].GetProperty("numbers").GetProperty("best_vs_worst_d7").GetProperty("significant").GetBoolean(), Is.True);
        Assert.That(questions["habit"].GetProperty("numbers").GetProperty("mean_active_days").GetDouble(), Is.InRange(1.0, 7.0));
        await AssertSpendMatchesAuditAsync(mcp, "gqm_investigation", result);
    }

    [Test]
    public async Task Gqm_WithSampling_ExtraQuestionsAreValidatedLikeAPlan()
    {
        await using var mcp = await SmartToolClient.StartAsync(protocol, (_, _) => """
            {"questions": [
              {"question": "Do Android users sign up less?", "steps": [{"op": "segmentation", "args": {"event": "Sign Up", "on": "properties[\"platform\"]"}}]},
              {"question": "Can we reset the data?", "steps": [{"op": "drop_all_tables", "args": {}}, {"op": "segmentation", "args": {"event": "Sign Upp"}}]}
            ]}
            """);

        var investigated = await mcp.CallAsync("gqm_investigation", new() { ["goal"] = "grow sign-ups", ["budget"] = 12 });

        Assert.That(investigated.IsError, Is.Not.True, SmartToolClient.Text(investigated));
        var result = investigated.StructuredContent!.Value;
        Assert.That(result.GetProperty("category").GetString(), Is.EqualTo("growth"));
        var extra = result.GetProperty("extra_questions").EnumerateArray().ToList();
        Assert.That(extra, Has.Count.EqualTo(2));
        Assert.That(extra[0].GetProperty("status").GetString(), Is.EqualTo("answered"));
        Assert.That(extra[0].GetProperty("answer").GetString(), Does.Contain("Android"));
        Assert.That(extra[1].GetProperty("status").GetString(), Is.EqualTo("unanswerable"));
        var reasons = extra[1].GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("reason").GetString()).ToList();
        Assert.That(reasons[0], Does.Contain("not an allowed read-only operation"));
        Assert.That(reasons[1], Does.Contain("closest: Sign Up"));
        await AssertSpendMatchesAuditAsync(mcp, "gqm_investigation", result);
    }

    internal static async Task AssertSpendMatchesAuditAsync(SmartToolClient mcp, string tool, JsonElement result)
    {
        var budget = result.GetProperty("budget");
        var audit = await mcp.AuditCallsAsync(tool);
        var spent = budget.GetProperty("spent").GetInt32();
        Assert.That(spent, Is.EqualTo(audit.GetProperty("query").GetInt32()), "the stated spend is what the audit measured");
        Assert.That(spent, Is.LessThanOrEqualTo(budget.GetProperty("limit").GetInt32()));
        Assert.That(budget.GetProperty("queries").EnumerateArray().Sum(q => q.GetProperty("query_calls").GetInt32()), Is.EqualTo(spent));
    }
}
