using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MixpanelData.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>Resources, resource templates, prompts and skills of the built <c>mp_mcp --demo</c>, read by the SDK's client over stdio in both protocol eras.</summary>
[TestFixture("2025-06-18")]
[TestFixture("latest")]
public sealed partial class ResourcesAndPromptsTests(string protocol)
{
    private static readonly DateOnly Yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);

    // The demo's events, saved funnels, cohorts and reports as docs/demo.md lists them.
    private static readonly string[] DemoEvents =
    [
        "Cancel Subscription", "Create Project", "Export Report", "Invite Teammate", "Login", "Logout", "Page View",
        "Payment Failed", "Purchase", "Run Report", "Search", "Sign Up", "Upgrade Plan",
    ];

    private static readonly string[] ResourceUris =
    [
        "workspace://info", "workspace://tables", "schema://events", "schema://funnels", "schema://cohorts", "schema://bookmarks",
        "skill://mp_mcp/SKILL.md", "skill://mp_mcp/references/query-patterns.md", "skill://mp_mcp/references/local-analysis.md",
        "skill://mp_mcp/references/troubleshooting-queries.md",
    ];

    private static readonly string[] TemplateUris = ["analysis://retention/{event}/weekly", "analysis://trends/{event}/{days}", "users://{id}/journey"];

    private static readonly string[] PromptNames =
        ["analytics_workflow", "funnel_analysis", "retention_analysis", "local_analysis_workflow", "gqm_framework", "aarrr_analysis", "experiment_analysis"];

    // Words in the texts that look like identifiers but are data, not tools: demo property names, result fields, the server's name.
    private static readonly string[] Vocabulary =
    [
        "mp_mcp", "utm_source", "app_version", "distinct_id", "event_name", "event_time", "insert_id", "last_seen", "weighted_rates",
        "truncated", "total",
    ];

    private readonly ConcurrentQueue<string> _stderr = new();

    private Task<McpClient> StartAsync(params string[] arguments) => DemoServerProcess.StartStdioAsync(protocol, _stderr, arguments);

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static TextResourceContents Single(ReadResourceResult result) => result.Contents.OfType<TextResourceContents>().Single();

    private static JsonElement Json(ReadResourceResult result)
    {
        var contents = Single(result);
        Assert.That(contents.MimeType, Is.EqualTo("application/json"), contents.Uri);
        return JsonDocument.Parse(contents.Text).RootElement;
    }

    private async Task<IReadOnlyList<JsonElement>> AuditAsync(string uri, int count)
    {
        for (var i = 0; i < 100 && DemoServerProcess.ResourceAudit(_stderr, uri).Count < count; i++)
        {
            await Task.Delay(50);
        }

        return DemoServerProcess.ResourceAudit(_stderr, uri);
    }

    [Test]
    public async Task List_ResourcesTemplatesAndPrompts_AreAllListedAndMeasured()
    {
        await using var client = await StartAsync();

        var resources = await client.ListResourcesAsync();
        var templates = await client.ListResourceTemplatesAsync();
        var prompts = await client.ListPromptsAsync();
        var tools = await client.ListToolsAsync();

        Assert.That(resources.Select(r => r.Uri), Is.EquivalentTo(ResourceUris));
        Assert.That(resources.Where(r => r.Uri.StartsWith("skill://", StringComparison.Ordinal)).Select(r => r.MimeType), Has.All.EqualTo("text/markdown"));
        Assert.That(resources.Where(r => !r.Uri.StartsWith("skill://", StringComparison.Ordinal)).Select(r => r.MimeType), Has.All.EqualTo("application/json"));
        Assert.That(resources.Select(r => r.Description), Has.All.Not.Empty);
        Assert.That(templates.Select(t => t.UriTemplate), Is.EquivalentTo(TemplateUris));
        Assert.That(templates.Select(t => t.MimeType), Has.All.EqualTo("application/json"));
        Assert.That(prompts.Select(p => p.Name), Is.EquivalentTo(PromptNames));
        Assert.That(prompts.SelectMany(p => p.ProtocolPrompt.Arguments ?? []).Select(a => a.Required), Has.None.True, "every prompt argument has a default");
        Assert.That(prompts.Select(p => p.ProtocolPrompt.Arguments?.Count ?? 0), Has.All.GreaterThan(0));

        var options = McpJsonUtilities.DefaultOptions;
        var toolBytes = JsonSerializer.SerializeToUtf8Bytes(new ListToolsResult { Tools = [.. tools.Select(t => t.ProtocolTool)] }, options).Length;
        var resourceBytes = JsonSerializer.SerializeToUtf8Bytes(new ListResourcesResult { Resources = [.. resources.Select(r => r.ProtocolResource)] }, options).Length;
        var templateBytes = JsonSerializer.SerializeToUtf8Bytes(new ListResourceTemplatesResult { ResourceTemplates = [.. templates.Select(t => t.ProtocolResourceTemplate)] }, options).Length;
        var promptBytes = JsonSerializer.SerializeToUtf8Bytes(new ListPromptsResult { Prompts = [.. prompts.Select(p => p.ProtocolPrompt)] }, options).Length;
        TestContext.Out.WriteLine($"[{protocol}] tools/list {tools.Count} tools {toolBytes} B (~{toolBytes / 4} tokens); resources/list {resources.Count} {resourceBytes} B; "
            + $"resources/templates/list {templates.Count} {templateBytes} B; prompts/list {prompts.Count} {promptBytes} B; all four {toolBytes + resourceBytes + templateBytes + promptBytes} B");
        Assert.That(resourceBytes + templateBytes + promptBytes, Is.LessThan(12 * 1024), "the listings stay small next to tools/list");
    }

    [Test]
    public async Task SchemaAndWorkspaceResources_AgreeWithTheDemoAnswerKeyAndTheTools()
    {
        await using var client = await StartAsync();

        var info = Json(await client.ReadResourceAsync("workspace://info"));
        var infoTool = (await client.CallToolAsync("workspace_info")).StructuredContent!.Value;
        foreach (var name in new[] { "account", "project_id", "region", "demo", "mode", "local_database", "tables" })
        {
            Assert.That(info.GetProperty(name).GetRawText(), Is.EqualTo(infoTool.GetProperty(name).GetRawText()), name);
        }

        var funnels = Json(await client.ReadResourceAsync("schema://funnels"));
        Assert.That(funnels.GetProperty("funnels").EnumerateArray().Select(f => f.GetProperty("funnel_id").GetInt64()), Is.EquivalentTo(new long[] { 7011, 7012, 7013, 7014 }));
        Assert.That(funnels.GetProperty("funnels").EnumerateArray().Select(f => f.GetProperty("name").GetString()), Has.Some.StartsWith("Activation"));
        Assert.That(funnels.GetProperty("truncated").GetBoolean(), Is.False);

        var cohorts = Json(await client.ReadResourceAsync("schema://cohorts"));
        Assert.That(cohorts.GetProperty("cohorts").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()), Is.EquivalentTo(new long[] { 9101, 9102, 9103, 9104, 9105, 9106 }));

        var bookmarks = Json(await client.ReadResourceAsync("schema://bookmarks"));
        var reports = bookmarks.GetProperty("bookmarks").EnumerateArray().ToList();
        Assert.That(reports.Select(b => b.GetProperty("id").GetInt64()), Is.SupersetOf(new long[] { 8001, 8002, 8003, 8004, 8005, 8101, 8102, 7011, 7014 }));
        Assert.That(reports.Where(b => b.GetProperty("id").GetInt64() == 8101).Select(b => b.GetProperty("type").GetString()), Is.EqualTo(new[] { "retention" }));
        Assert.That(reports.Select(b => b.TryGetProperty("params", out _)), Has.None.True, "query definitions are left out to keep the listing small");

        var events = Json(await client.ReadResourceAsync("schema://events"));
        Assert.That(events.GetProperty("events").EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(DemoEvents));
        Assert.That(events.GetProperty("total").GetInt32(), Is.EqualTo(DemoEvents.Length));

        var before = Json(await client.ReadResourceAsync("workspace://tables"));
        Assert.That(before.GetProperty("tables").GetArrayLength(), Is.Zero);
        var fetched = await client.CallToolAsync("fetch_events", new Dictionary<string, object?> { ["from_date"] = Day(Yesterday), ["to_date"] = Day(Yesterday), ["table"] = "yesterday" });
        Assert.That(fetched.IsError, Is.Not.True, Text(fetched));
        var tables = Json(await client.ReadResourceAsync("workspace://tables")).GetProperty("tables").EnumerateArray().ToList();
        var table = tables.Single(t => t.GetProperty("name").GetString() == "yesterday");
        Assert.That(table.GetProperty("row_count").GetInt64(), Is.EqualTo(fetched.StructuredContent!.Value.GetProperty("rows_inserted").GetInt64()).And.GreaterThan(5_000));
        Assert.That(table.GetProperty("metadata").GetProperty("from_date").GetString(), Is.EqualTo(Day(Yesterday)));

        // The second read of a schema resource is served from the cache: no Mixpanel request.
        var again = Single(await client.ReadResourceAsync("schema://events"));
        var audit = await AuditAsync("schema://events", 2);
        Assert.That(audit, Has.Count.EqualTo(2));
        Assert.That(DemoServerProcess.Calls(audit[0]), Is.GreaterThan(0), "the first read asked Mixpanel");
        Assert.That(DemoServerProcess.Calls(audit[1]), Is.Zero);
        Assert.That(audit[1].GetProperty("cached").GetBoolean(), Is.True);
        Assert.That(again.Text, Is.EqualTo(events.GetRawText()));
        var tableAudit = await AuditAsync("workspace://tables", 2);
        Assert.That(tableAudit.Select(a => a.TryGetProperty("cached", out _)), Has.None.True, "local resources are never cached: they change with every fetch");
    }

    [Test]
    public async Task AnalysisTemplates_AgreeWithTheLiveTools()
    {
        await using var client = await StartAsync();

        // Trends: the client expands the template, so the space in the event name is percent-encoded as on the wire.
        var trend = Json(await client.ReadResourceAsync("analysis://trends/{event}/{days}", new Dictionary<string, object?> { ["event"] = "Sign Up", ["days"] = 7 }));
        var from = Yesterday.AddDays(-6);
        Assert.That(trend.GetProperty("from_date").GetString(), Is.EqualTo(Day(from)));
        Assert.That(trend.GetProperty("to_date").GetString(), Is.EqualTo(Day(Yesterday)));
        Assert.That(trend.GetProperty("series").EnumerateArray().Select(d => d.GetProperty("date").GetString()), Is.EqualTo(Enumerable.Range(0, 7).Select(i => Day(from.AddDays(i)))));
        var current = await client.CallToolAsync("segmentation", new Dictionary<string, object?> { ["event"] = "Sign Up", ["from_date"] = Day(from), ["to_date"] = Day(Yesterday) });
        var previous = await client.CallToolAsync("segmentation", new Dictionary<string, object?> { ["event"] = "Sign Up", ["from_date"] = Day(from.AddDays(-7)), ["to_date"] = Day(from.AddDays(-1)) });
        var currentTotal = current.StructuredContent!.Value.GetProperty("segments")[0].GetProperty("total").GetDouble();
        var previousTotal = previous.StructuredContent!.Value.GetProperty("segments")[0].GetProperty("total").GetDouble();
        Assert.That(trend.GetProperty("total").GetDouble(), Is.EqualTo(currentTotal).And.GreaterThan(0));
        Assert.That(trend.GetProperty("previous").GetProperty("total").GetDouble(), Is.EqualTo(previousTotal));
        Assert.That(trend.GetProperty("change").GetDouble(), Is.EqualTo(currentTotal - previousTotal));
        Assert.That(trend.GetProperty("series").EnumerateArray().Sum(d => d.GetProperty("count").GetDouble()), Is.EqualTo(currentTotal));

        // A second read within five minutes is served from the cache: same text, no Mixpanel request.
        var uri = "analysis://trends/Sign%20Up/7";
        var cached = Single(await client.ReadResourceAsync(uri));
        Assert.That(cached.Text, Is.EqualTo(trend.GetRawText()));
        var audit = await AuditAsync(uri, 2);
        Assert.That(DemoServerProcess.Calls(audit[0]), Is.GreaterThan(0));
        Assert.That(DemoServerProcess.Calls(audit[1]), Is.Zero);

        // Weekly retention: the same cohorts as the retention tool with the same question.
        var retention = Json(await client.ReadResourceAsync("analysis://retention/Sign%20Up/weekly"));
        var retentionTool = await client.CallToolAsync("retention", new Dictionary<string, object?>
        {
            ["born_event"] = "Sign Up",
            ["unit"] = "week",
            ["interval_count"] = 12,
            ["from_date"] = retention.GetProperty("from_date").GetString(),
            ["to_date"] = retention.GetProperty("to_date").GetString(),
        });
        Assert.That(retentionTool.IsError, Is.Not.True, Text(retentionTool));
        var toolCohorts = retentionTool.StructuredContent!.Value.GetProperty("overall").GetProperty("cohorts").EnumerateArray().ToList();
        Assert.That(retention.GetProperty("cohorts").EnumerateArray().Select(c => c.GetProperty("users").GetInt64()), Is.EqualTo(toolCohorts.Select(c => c.GetProperty("first").GetInt64())));
        Assert.That(retention.GetProperty("from_date").GetString(), Is.EqualTo(Day(Yesterday.AddDays(-83))));
        var toolRates = retentionTool.StructuredContent!.Value.GetProperty("weighted_rates").EnumerateArray().Select(r => Math.Round(r.GetDouble(), 4)).ToList();
        Assert.That(retention.GetProperty("weighted_rates").EnumerateArray().Select(r => r.GetDouble()), Is.EqualTo(toolRates));
        Assert.That(toolRates[1], Is.InRange(0.05, 0.9), "some users come back the week after signing up");
    }

    [Test]
    public async Task UserJourney_OfABusyUser_IsCutByWholeRowsAndMatchesTheActivityFeed()
    {
        await using var client = await StartAsync();
        // The user who logged in on the most days of the last two weeks has a long history.
        var fetched = await client.CallToolAsync("fetch_events", new Dictionary<string, object?> { ["from_date"] = Day(Yesterday.AddDays(-13)), ["to_date"] = Day(Yesterday), ["events"] = new[] { "Login" } });
        Assert.That(fetched.IsError, Is.Not.True, Text(fetched));
        var busiest = await client.CallToolAsync("sql_scalar", new Dictionary<string, object?> { ["query"] = "SELECT distinct_id FROM events GROUP BY 1 ORDER BY count(DISTINCT CAST(event_time AS DATE)) DESC, count(*) DESC, 1 LIMIT 1" });
        var user = busiest.StructuredContent!.Value.GetProperty("value").GetString()!;

        var contents = Single(await client.ReadResourceAsync($"users://{Uri.EscapeDataString(user)}/journey"));
        var journey = JsonDocument.Parse(contents.Text).RootElement;
        var feed = await client.CallToolAsync("activity_feed", new Dictionary<string, object?>
        {
            ["distinct_ids"] = new[] { user },
            ["from_date"] = journey.GetProperty("from_date").GetString(),
            ["to_date"] = journey.GetProperty("to_date").GetString(),
            ["limit"] = 1,
        });
        var events = journey.GetProperty("events").EnumerateArray().ToList();
        var times = events.Select(e => e.GetProperty("time").GetDateTimeOffset()).ToList();

        TestContext.Out.WriteLine($"journey of {user}: {events.Count} of {journey.GetProperty("events_in_range").GetInt32()} events, {contents.Text.Length} chars");
        Assert.That(journey.GetProperty("distinct_id").GetString(), Is.EqualTo(user));
        Assert.That(journey.GetProperty("events_in_range").GetInt32(), Is.EqualTo(feed.StructuredContent!.Value.GetProperty("total").GetInt32()));
        Assert.That(journey.GetProperty("truncated").GetBoolean(), Is.True, "a busy user's 90 days do not fit");
        Assert.That(events.Count, Is.GreaterThan(10).And.LessThan(journey.GetProperty("events_in_range").GetInt32()));
        Assert.That(journey.GetProperty("returned").GetInt32(), Is.EqualTo(events.Count));
        Assert.That(journey.GetProperty("hint").GetString(), Is.Not.Empty);
        Assert.That(events.Select(e => e.GetProperty("properties").ValueKind), Has.All.EqualTo(JsonValueKind.Object), "whole rows, never cut inside a value");
        Assert.That(times, Is.Ordered.Descending, "newest first, so the cut drops the oldest");
        Assert.That(System.Text.Encoding.UTF8.GetByteCount(contents.Text), Is.LessThanOrEqualTo(40_000), "within the default response budget");
    }

    [Test]
    public async Task Templates_WithBadParameters_FailWithMessagesThatSayWhatToChange()
    {
        await using var client = await StartAsync();

        var misspelt = await ReadErrorAsync(client, "analysis://trends/Sign%20up%21/7");
        var tooMany = await ReadErrorAsync(client, "analysis://trends/Sign%20Up/120");
        var notANumber = await ReadErrorAsync(client, "analysis://trends/Sign%20Up/week");
        var unknownRetention = await ReadErrorAsync(client, "analysis://retention/Purchse/weekly");

        foreach (var error in new[] { misspelt, tooMany, notANumber, unknownRetention })
        {
            TestContext.Out.WriteLine($"[{protocol}] {error.ErrorCode}: {error.Message}");
        }

        Assert.That(misspelt.ErrorCode, Is.EqualTo(McpErrorCode.InvalidParams));
        Assert.That(misspelt.Message, Does.Contain("'Sign Up'"), "the closest real event is named");
        Assert.That(tooMany.ErrorCode, Is.EqualTo(McpErrorCode.InvalidParams));
        Assert.That(tooMany.Message, Does.Contain("1 to 90").And.Contain("'120'"));
        Assert.That(notANumber.Message, Does.Contain("whole number"));
        Assert.That(unknownRetention.Message, Does.Contain("'Purchase'"));
        Assert.That(DemoServerProcess.ResourceAudit(_stderr, "analysis://trends/Sign%20Up/120").Select(a => a.GetProperty("outcome").GetString()), Is.EqualTo(new[] { "error" }));
    }

    private static async Task<McpProtocolException> ReadErrorAsync(McpClient client, string uri)
    {
        try
        {
            await client.ReadResourceAsync(uri);
        }
        catch (McpProtocolException ex)
        {
            return ex;
        }

        Assert.Fail($"{uri} should have failed");
        throw new InvalidOperationException();
    }

    [Test]
    public async Task Prompts_WithDefaultsAndWithArguments_NameTheirArguments()
    {
        await using var client = await StartAsync();

        foreach (var prompt in await client.ListPromptsAsync())
        {
            var byDefault = await client.GetPromptAsync(prompt.Name);
            var defaultText = string.Join("\n", byDefault.Messages.Select(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text));
            Assert.That(byDefault.Messages.Select(m => m.Role), Has.All.EqualTo(Role.User), prompt.Name);
            Assert.That(defaultText, Has.Length.GreaterThan(400), prompt.Name);
            Assert.That(defaultText, Does.Contain(Day(Yesterday)).Or.Contain("workspace_info"), $"{prompt.Name}: defaults are concrete");

            var arguments = (prompt.ProtocolPrompt.Arguments ?? []).ToDictionary(a => a.Name, a => (object?)$"Zq{a.Name.Replace("_", string.Empty, StringComparison.Ordinal)}Marker");
            var given = await client.GetPromptAsync(prompt.Name, arguments);
            var givenText = string.Join("\n", given.Messages.Select(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text));
            foreach (var value in arguments.Values)
            {
                Assert.That(givenText, Does.Contain((string)value!), $"{prompt.Name}: the argument value appears in the text");
            }
        }

        var funnel = await client.GetPromptAsync("funnel_analysis", new Dictionary<string, object?> { ["funnel_id"] = "7011", ["from_date"] = "2026-01-01", ["to_date"] = "2026-01-31" });
        var text = ((TextContentBlock)funnel.Messages[0].Content).Text;
        Assert.That(text, Does.Contain("saved funnel 7011").And.Contain("2026-01-01").And.Contain("2026-01-31"));
    }

    [Test]
    public async Task PromptAndSkillTexts_NameOnlyToolsAndResourcesThatExist()
    {
        await using var client = await StartAsync();
        var tools = await client.ListToolsAsync();
        var resources = await client.ListResourcesAsync();
        var templates = await client.ListResourceTemplatesAsync();
        var prompts = await client.ListPromptsAsync();

        var toolNames = tools.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var argumentNames = tools.SelectMany(t => t.JsonSchema.TryGetProperty("properties", out var p) ? p.EnumerateObject().Select(x => x.Name) : [])
            .Concat(prompts.SelectMany(p => p.ProtocolPrompt.Arguments ?? []).Select(a => a.Name))
            .Concat(prompts.Select(p => p.Name))
            .Concat(Vocabulary)
            .ToHashSet(StringComparer.Ordinal);

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prompt in prompts)
        {
            var result = await client.GetPromptAsync(prompt.Name);
            texts["prompt " + prompt.Name] = string.Join("\n", result.Messages.Select(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text));
        }

        foreach (var skill in resources.Where(r => r.Uri.StartsWith("skill://", StringComparison.Ordinal)))
        {
            var contents = Single(await client.ReadResourceAsync(skill.Uri));
            Assert.That(contents.MimeType, Is.EqualTo("text/markdown"));
            Assert.That(contents.Text, Does.StartWith("#").Or.StartWith("---"), skill.Uri);
            texts[skill.Uri] = contents.Text;
        }

        var mentioned = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var listed = resources.Select(r => r.Uri).ToHashSet(StringComparer.Ordinal);
        var patterns = templates.Select(t => new Regex("^" + Regex.Replace(Regex.Escape(t.UriTemplate), @"\\\{\w+}", "[^/]+") + "$")).ToList();
        foreach (var (source, text) in texts)
        {
            foreach (var uri in UriPattern().Matches(text).Select(m => m.Value.TrimEnd('.', ',', ';', ':')))
            {
                if (!listed.Contains(uri) && !patterns.Any(p => p.IsMatch(uri)) && !templates.Any(t => t.UriTemplate == uri))
                {
                    problems.Add($"{source}: resource {uri} does not exist");
                }
            }

            var prose = UriPattern().Replace(text, " ");
            foreach (var token in BacktickedName().Matches(prose).Select(m => m.Groups[1].Value))
            {
                if (toolNames.Contains(token))
                {
                    mentioned.Add(token);
                }
                else if (!argumentNames.Contains(token))
                {
                    problems.Add($"{source}: `{token}` is neither a tool nor an argument");
                }
            }

            foreach (var token in SnakeCaseName().Matches(prose).Select(m => m.Value))
            {
                if (toolNames.Contains(token))
                {
                    mentioned.Add(token);
                }
                else if (!argumentNames.Contains(token))
                {
                    problems.Add($"{source}: {token} is neither a tool nor an argument");
                }
            }
        }

        Assert.That(problems, Is.Empty);
        Assert.That(mentioned, Has.Count.GreaterThanOrEqualTo(30), "the texts really name the tools (the check is not vacuous)");
        Assert.That(mentioned, Is.SupersetOf(new[] { "segmentation", "funnel", "retention", "sql", "fetch_events", "local_funnel", "workspace_info" }));
        Assert.That(texts["skill://mp_mcp/SKILL.md"], Does.Contain("skill://mp_mcp/references/query-patterns.md"), "SKILL.md links its references");
    }

    [Test]
    public async Task Toolsets_WithoutLive_HideTheAnalysisTemplatesButKeepSchemaAndSkills()
    {
        await using var client = await StartAsync("--toolsets", "local,discovery", "--read-only");

        var resources = (await client.ListResourcesAsync()).Select(r => r.Uri).ToList();
        var templates = await client.ListResourceTemplatesAsync();
        var prompts = await client.ListPromptsAsync();

        Assert.That(resources, Is.EquivalentTo(ResourceUris), "workspace, schema and skill resources are always on, read-only mode included");
        Assert.That(templates, Is.Empty, "the analysis templates spend Query API budget and belong to the live toolset");
        Assert.That(prompts, Has.Count.EqualTo(PromptNames.Length));
        var hidden = await ReadErrorAsync(client, "analysis://trends/Sign%20Up/7");
        Assert.That(hidden.ErrorCode, Is.AnyOf(McpErrorCode.ResourceNotFound, McpErrorCode.InvalidParams), "a hidden template cannot be read either");
        Assert.That(Json(await client.ReadResourceAsync("schema://funnels")).GetProperty("funnels").GetArrayLength(), Is.EqualTo(4));
    }

    [GeneratedRegex(@"\b(?:workspace|schema|analysis|users|skill)://[^\s`)\]]+")]
    private static partial Regex UriPattern();

    [GeneratedRegex(@"`([a-z][a-z0-9_]*)`")]
    private static partial Regex BacktickedName();

    [GeneratedRegex(@"(?<![\w$.'""-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!['""])")]
    private static partial Regex SnakeCaseName();
}
