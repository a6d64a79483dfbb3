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
}
