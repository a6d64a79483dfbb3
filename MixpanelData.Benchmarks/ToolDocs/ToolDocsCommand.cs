using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MixpanelData.Mcp.Cli;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Mcp.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.ToolDocs;

/// <summary>
/// <c>tool-docs</c>: starts the real <c>mp_mcp --demo</c> over stdio, calls every example of docs/tool-examples.json in
/// order and writes docs/tools.md with each tool's description, parameters, annotations, example and real result.
/// </summary>
internal static class ToolDocsCommand
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> arguments)
    {
        var root = RepositoryRoot();
        var examplesPath = arguments.GetValueOrDefault("examples", Path.Combine(root, "docs", ToolExampleSet.FileName));
        var output = arguments.GetValueOrDefault("out", Path.Combine(root, "docs", "tools.md"));
        var set = ToolExampleSet.Load(examplesPath);
        var scratch = Path.Combine(Path.GetTempPath(), "mp-tool-docs-" + Guid.NewGuid().ToString("N"));
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        try
        {
            await using var client = await McpProcess.ConnectAsync(["--demo"], set.WriteConfig(scratch));
            var tools = await client.ListToolsAsync();
            var listBytes = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(tools.Select(t => t.ProtocolTool), McpJsonUtilities.DefaultOptions));
            var missing = tools.Select(t => t.Name).Except(set.Examples.Select(e => e.Tool)).ToList();
            if (missing.Count > 0)
            {
                Console.Error.WriteLine($"No example for: {string.Join(", ", missing)}. Add one line per tool to {examplesPath}.");
                return 1;
            }

            var results = new Dictionary<string, (ToolExample Example, Dictionary<string, object?> Arguments, CallToolResult Result, TimeSpan Took)>();
            foreach (var example in set.Examples)
            {
                var resolved = example.ResolveArguments(yesterday);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var result = await client.CallToolAsync(example.Tool, resolved);
                var ok = (result.IsError == true) == (example.ExpectError is not null);
                Console.Error.WriteLine($"{(ok ? "ok  " : "FAIL")} {example.Tool,-22} {clock.Elapsed.TotalMilliseconds,7:F0} ms");
                if (!ok)
                {
                    Console.Error.WriteLine(Text(result));
                    return 1;
                }

                results[example.Tool] = (example, resolved, result, clock.Elapsed);
            }

            var markdown = Render(tools, results, yesterday, listBytes);
            await File.WriteAllTextAsync(output, markdown);
            Console.Error.WriteLine($"Wrote {output} ({tools.Count} tools, tools/list {listBytes:N0} bytes).");
            return 0;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MixpanelData.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run this from inside the repository (no MixpanelData.sln above the current directory).");
    }

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>Tool name → toolset, read from the server's tool classes (<c>[Toolset]</c> on each <c>[McpServerToolType]</c>).</summary>
    private static Dictionary<string, string> Toolsets() =>
        typeof(McpComposition).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<McpServerToolTypeAttribute>() is not null)
            .SelectMany(t => t.GetMethods().Select(m => (Tool: m.GetCustomAttribute<McpServerToolAttribute>()?.Name, Toolset: t.GetCustomAttribute<ToolsetAttribute>()?.Name ?? "other")))
            .Where(p => p.Tool is not null)
            .ToDictionary(p => p.Tool!, p => p.Toolset);

    private static string Render(IList<McpClientTool> tools, Dictionary<string, (ToolExample Example, Dictionary<string, object?> Arguments, CallToolResult Result, TimeSpan Took)> results, DateOnly yesterday, int listBytes)
    {
        var toolsets = Toolsets();
        var order = ServerSettings.AllToolsets.ToList();
        var groups = tools.GroupBy(t => toolsets.GetValueOrDefault(t.Name, "other"))
            .OrderBy(g => order.IndexOf(g.Key) is var i and >= 0 ? i : int.MaxValue)
            .ToList();
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"""
            # Tools

            Every tool `mp_mcp` lists, with its parameters, annotations, one example call and the result it really returned.
            **Generated, do not edit by hand**: the examples live in [tool-examples.json](tool-examples.json) (one line per tool);
            this page is written by running each of them, in file order, against `mp_mcp --demo` (the synthetic project of
            [demo.md](demo.md)) over stdio:

            ```bash
            dotnet run -c Release --project MixpanelData.Benchmarks -- tool-docs
            ```

            The test `ToolExamplesTests` calls the same examples and fails when a tool has none, so this page cannot silently
            fall behind the server. Last generated {DateTime.UtcNow:yyyy-MM-dd} (the demo's last day, "yesterday", was
            {yesterday:yyyy-MM-dd}; examples write dates as `{"{yesterday-N}"}` and the generator fills them in): {tools.Count} tools,
            `tools/list` {listBytes:N0} bytes (≈ {listBytes / 4:N0} tokens at 4 bytes a token) with every toolset on.

            **Reading the entries.** Dates are `YYYY-MM-DD`, UTC, inclusive; where a tool takes a range and none is given it is
            the last 30 days (`fetch_events`: 7, `stream_events`: one day). Every result has structured content (JSON) and a text
            rendering: a summary followed by the same values written once, compactly (`key: value` lines, small objects on one
            line, rows as a table under one header line) rather than the JSON a second time; the results below are that
            text, abbreviated (long results cut, marked "…"). Annotations are the MCP
            hints the server sends; a hint not listed is not sent (clients then assume the spec's defaults). Errors come back
            as tool results with `isError: true` and a text that says what to change (see [troubleshooting.md](troubleshooting.md)).
            Tools spending Mixpanel's Query API budget (60 an hour per project) say so in their description.

            **Argument forms.** Arguments are accepted in the forms models send them, for every tool: a number where a
            string id is expected (`"cohort_a": 9102`) is read as that id, a numeric string where a number is expected
            (`"limit": "10"`) as the number, `"true"`/`"false"` as booleans, a single value where a list is expected as a list
            of one, and an ISO date-time at midnight (`"2026-11-03T00:00:00Z"`) as the day where a `YYYY-MM-DD` date is
            expected. A value that still does not fit is a tool error naming the parameter, the expected type and what was
            sent (`Argument 'limit' must be a whole number, but the text "ten" was given.`).

            **A smaller first listing.** `mp_mcp --progressive` lists only the core toolsets (discovery and live) and a
            `toolsets` tool: called without arguments it lists every configured toolset, its tools and whether it is enabled;
            `toolsets(enable=["local","fetch"])` adds their tools to `tools/list` and the client gets
            `notifications/tools/list_changed`. Without `--progressive` (the default, for clients that do not follow that
            notification) every configured toolset is listed and `toolsets` is not. Sizes: [performance.md](performance.md).

            | Toolset (`--toolsets`) | Tools |
            |---|---|

            """);
        foreach (var group in groups)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {group.Key} | {string.Join(", ", group.Select(t => $"[`{t.Name}`](#{t.Name})"))} |\n");
        }

        foreach (var group in groups)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## {group.Key}\n");
            foreach (var tool in group)
            {
                RenderTool(md, tool.ProtocolTool, results[tool.Name]);
            }
        }

        return md.ToString();
    }

    private static void RenderTool(StringBuilder md, Tool tool, (ToolExample Example, Dictionary<string, object?> Arguments, CallToolResult Result, TimeSpan Took) run)
    {
        md.Append(CultureInfo.InvariantCulture, $"\n### {tool.Name}\n\n{tool.Description}\n\n");
        md.Append("**Annotations:** ").Append(Annotations(tool.Annotations)).Append("\n\n");
        var schema = tool.InputSchema;
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet() : [];
        if (schema.TryGetProperty("properties", out var properties) && properties.EnumerateObject().Any())
        {
            md.Append("| Parameter | Type | Default | Description |\n|---|---|---|---|\n");
            foreach (var property in properties.EnumerateObject())
            {
                var value = property.Value;
                var type = TypeOf(value);
                var fallback = value.TryGetProperty("default", out var d) ? $"`{d.GetRawText()}`" : required.Contains(property.Name) ? "required" : "—";
                var description = value.TryGetProperty("description", out var text) ? text.GetString() : string.Empty;
                md.Append(CultureInfo.InvariantCulture, $"| `{property.Name}` | {type} | {fallback} | {Cell(description)} |\n");
            }

            md.Append('\n');
        }
        else
        {
            md.Append("No parameters.\n\n");
        }

        var call = JsonSerializer.Serialize(run.Arguments, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        md.Append("Example:\n\n```json\n").Append(CultureInfo.InvariantCulture, $"{{\"name\": \"{tool.Name}\", \"arguments\": {call}}}").Append("\n```\n\n");
        if (run.Example.Note is { } note)
        {
            md.Append(note).Append("\n\n");
        }

        md.Append(run.Result.IsError == true ? "Result (`isError: true`):\n\n```text\n" : "Result:\n\n```text\n")
            .Append(ResultAbbreviator.Abbreviate(Text(run.Result)))
            .Append("\n```\n");
    }

    private static string Annotations(ToolAnnotations? annotations)
    {
        if (annotations is null)
        {
            return "none";
        }

        var hints = new List<string>();
        Add("readOnlyHint", annotations.ReadOnlyHint);
        Add("destructiveHint", annotations.DestructiveHint);
        Add("idempotentHint", annotations.IdempotentHint);
        Add("openWorldHint", annotations.OpenWorldHint);
        return hints.Count == 0 ? "none" : string.Join(", ", hints);

        void Add(string name, bool? value)
        {
            if (value is { } set)
            {
                hints.Add($"`{name}: {(set ? "true" : "false")}`");
            }
        }
    }

    private static string TypeOf(JsonElement property)
    {
        if (!property.TryGetProperty("type", out var type))
        {
            return "any";
        }

        var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
        var nullable = names.Remove("null");
        var name = string.Join(" or ", names.Select(n => n == "array" && property.TryGetProperty("items", out var items) ? TypeOf(items) + "[]" : n));
        return nullable ? name + " or null" : name;
    }

    private static string Cell(string? text) => (text ?? string.Empty).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
