using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

#pragma warning disable MCP9005 // Sampling is deprecated in 2026-07-28 but is what the smart tools use where a client lends its model.

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>ask_mixpanel over Streamable HTTP (mp_mcp --demo --transport http as a real process) with a 2025-06-18 client that lends its model.</summary>
public sealed class AskMixpanelHttpTests
{
    [Test]
    public async Task AskMixpanel_Http2025WithSampling_RunsTheModelsPlanAndReturnsItsAnswer()
    {
        await using var server = await DemoMcpProcess.HttpAsync();
        var from = SmartToolClient.LastDay.AddDays(-13).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = SmartToolClient.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var plan = JsonSerializer.Serialize(new { steps = new object[] { new { op = "funnel", args = new { funnel_id = 7011, from_date = from, to_date = to, on = "properties[\"platform\"]" } }, new { op = "jql", args = new { script = "x" } } } });
        var prompts = new ConcurrentQueue<string>();
        var handlers = new McpClientHandlers();
        handlers.SamplingHandler = (request, _, _) =>
        {
            prompts.Enqueue(string.Join("\n", request!.Messages.SelectMany(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text)));
            var text = prompts.Count == 1 ? plan : "Android users invite teammates far less often.";
            return ValueTask.FromResult(new CreateMessageResult { Content = [new TextContentBlock { Text = text }], Model = "scripted", Role = Role.Assistant });
        };
        await using var client = await server.ConnectAsync("2025-06-18", handlers);

        var asked = await client.CallToolAsync("ask_mixpanel", new Dictionary<string, object?> { ["question"] = "Where does activation break down by platform?" });

        var text = string.Join("\n", asked.Content.OfType<TextContentBlock>().Select(t => t.Text));
        TestContext.Out.WriteLine(text);
        Assert.That(asked.IsError, Is.Not.True, text);
        var result = asked.StructuredContent!.Value;
        Assert.That(result.GetProperty("mode").GetString(), Is.EqualTo("model_plan"));
        Assert.That(result.GetProperty("answer").GetString(), Is.EqualTo("Android users invite teammates far less often."));
        Assert.That(result.GetProperty("rejected")[0].GetProperty("op").GetString(), Is.EqualTo("jql"));
        var segments = result.GetProperty("steps")[0].GetProperty("data").GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("segment").GetString()).ToList();
        Assert.That(segments, Is.SupersetOf(new[] { "web", "iOS", "Android" }));
        Assert.That(prompts, Has.Count.EqualTo(2));
        Assert.That(prompts.Last(), Does.Contain("Android").And.Contain("Refused steps"), "the funnel's results and the refusal went back to the model");
    }
}
