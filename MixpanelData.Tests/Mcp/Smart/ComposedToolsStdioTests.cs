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
        Assert.That(resolved[0].GetProperty("filter").GetString(), Is.EqualTo("user[\"utm_source\"] == \"referral\""), "the saved cohort became the user-property filter that selects exactly its members");
        Assert.That(resolved[1].GetProperty("filter").GetString(), Is.EqualTo("user[\"utm_source\"] == \"paid_social\""));
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
