using System.Globalization;
using System.Text.Json;
using MixpanelData.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>Resources, templates, prompts and skills of <c>mp_mcp --demo --transport http</c>, through the SDK's HTTP client in both protocol eras.</summary>
public sealed class ResourcesOverHttpTests
{
    [Test]
    public async Task DemoOverHttp_BothEras_ListReadAndGet()
    {
        await using var server = await DemoMcpProcess.HttpAsync();
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        foreach (var protocol in new[] { "2025-06-18", null })
        {
            var era = protocol ?? "latest";
            await using var client = await server.ConnectAsync(protocol);

            var resources = await client.ListResourcesAsync();
            var templates = await client.ListResourceTemplatesAsync();
            var prompts = await client.ListPromptsAsync();
            Assert.That(resources.Select(r => r.Uri), Is.SupersetOf(new[] { "workspace://info", "schema://funnels", "skill://mp_mcp/SKILL.md" }), era);
            Assert.That(templates, Has.Count.EqualTo(3), era);
            Assert.That(prompts, Has.Count.EqualTo(7), era);

            var funnels = JsonDocument.Parse(((TextResourceContents)(await client.ReadResourceAsync("schema://funnels")).Contents[0]).Text).RootElement;
            Assert.That(funnels.GetProperty("funnels").EnumerateArray().Select(f => f.GetProperty("funnel_id").GetInt64()), Is.EquivalentTo(new long[] { 7011, 7012, 7013, 7014 }), era);

            var trend = JsonDocument.Parse(((TextResourceContents)(await client.ReadResourceAsync("analysis://trends/Sign%20Up/14")).Contents[0]).Text).RootElement;
            var segmentation = await client.CallToolAsync("segmentation", new Dictionary<string, object?> { ["event"] = "Sign Up", ["from_date"] = Day(yesterday.AddDays(-13)), ["to_date"] = Day(yesterday) });
            Assert.That(trend.GetProperty("total").GetDouble(), Is.EqualTo(segmentation.StructuredContent!.Value.GetProperty("segments")[0].GetProperty("total").GetDouble()).And.GreaterThan(0), era);

            var skill = (TextResourceContents)(await client.ReadResourceAsync("skill://mp_mcp/references/local-analysis.md")).Contents[0];
            Assert.That(skill.MimeType, Is.EqualTo("text/markdown"), era);
            Assert.That(skill.Text, Does.Contain("fetch_events"), era);

            var prompt = await client.GetPromptAsync("retention_analysis", new Dictionary<string, object?> { ["event"] = "Create Project" });
            Assert.That(((TextContentBlock)prompt.Messages[0].Content).Text, Does.Contain("\"Create Project\"").And.Contain("analysis://retention/Create%20Project/weekly"), era);

            var error = await Assert.CatchAsync<McpProtocolException>(async () => await client.ReadResourceAsync("analysis://trends/Sign%20Up/0"));
            Assert.That(error!.Message, Does.Contain("1 to 90"), era);
        }

        var reads = server.StandardError.Count(l => l.Contains("\"type\":\"resource_read\"", StringComparison.Ordinal));
        Assert.That(reads, Is.GreaterThanOrEqualTo(8), "every read over HTTP is audited too");
    }
}
