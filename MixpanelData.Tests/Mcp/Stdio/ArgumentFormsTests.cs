using System.Text.Json;
using MixpanelData.Tests.Mcp.Smart;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>Arguments in the forms models send them, through the real mp_mcp --demo over stdio: converted when unambiguous, otherwise a message in the tool's terms.</summary>
public sealed class ArgumentFormsTests
{
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd");

    [Test]
    public async Task ModelShapedArguments_AreAcceptedWhenUnambiguous_AndExplainedOtherwise()
    {
        await using var mcp = await SmartToolClient.StartAsync("latest");

        var byNumber = await mcp.CallAsync("cohort_comparison", new() { ["cohort_a"] = 9102, ["cohort_b"] = 9103, ["budget"] = "20" });
        Assert.That(byNumber.IsError, Is.Not.True, SmartToolClient.Text(byNumber));
        var cohorts = byNumber.StructuredContent!.Value.GetProperty("cohorts").EnumerateArray().ToList();
        Assert.That(cohorts[0].GetProperty("saved_cohort_id").GetInt64(), Is.EqualTo(9102), "numeric id 9102 resolved as the saved cohort");
        Assert.That(cohorts[0].GetProperty("membership").GetString(), Does.Contain("filter_by_cohort"));

        var limited = await mcp.CallAsync("list_events", new() { ["limit"] = "3" });
        Assert.That(limited.IsError, Is.Not.True, SmartToolClient.Text(limited));
        Assert.That(limited.StructuredContent!.Value.GetProperty("events").GetArrayLength(), Is.EqualTo(3));

        var last = SmartToolClient.LastDay;
        var dated = await mcp.CallAsync("segmentation", new() { ["event"] = "Sign Up", ["from_date"] = $"{Day(last.AddDays(-2))}T00:00:00Z", ["to_date"] = $"{Day(last)}T00:00:00Z" });
        Assert.That(dated.IsError, Is.Not.True, SmartToolClient.Text(dated));
        Assert.That(dated.StructuredContent!.Value.GetRawText(), Does.Contain(Day(last.AddDays(-2))).And.Contain(Day(last)));

        var words = await mcp.CallAsync("list_events", new() { ["limit"] = "ten" });
        Assert.That(words.IsError, Is.True);
        Assert.That(SmartToolClient.Text(words), Does.Contain("'limit'").And.Contain("whole number").And.Contain("\"ten\""));

        var nulled = await mcp.CallAsync("list_events", new() { ["limit"] = null });
        Assert.That(nulled.IsError, Is.Not.True, "null for an optional parameter means left out: " + SmartToolClient.Text(nulled));
        Assert.That(nulled.StructuredContent!.Value.GetProperty("events").GetArrayLength(), Is.GreaterThan(3));
        var missing = await mcp.CallAsync("segmentation", new() { ["event"] = null, ["from_date"] = Day(last.AddDays(-2)), ["to_date"] = Day(last) });
        Assert.That(missing.IsError, Is.True);
        Assert.That(SmartToolClient.Text(missing), Does.Contain("'event'").And.Contain("required"));

        var shaped = await mcp.CallAsync("cohort_comparison", new() { ["cohort_a"] = new Dictionary<string, object?> { ["id"] = 9102 }, ["cohort_b"] = "9103" });
        Assert.That(shaped.IsError, Is.True);
        Assert.That(SmartToolClient.Text(shaped), Does.Contain("'cohort_a'").And.Contain("a string").And.Contain("an object"));

        foreach (var text in new[] { SmartToolClient.Text(words), SmartToolClient.Text(shaped) })
        {
            Assert.That(text, Does.Not.Contain("System.").And.Not.Contain("JSON value could not be converted"));
        }
    }
}
