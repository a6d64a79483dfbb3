using System.Collections.Concurrent;
using System.Text.Json;
using MixpanelData.Tests.Support;
using MixpanelData.ToolDocs;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Mcp.Stdio;

/// <summary>
/// docs/tool-examples.json, the source of docs/tools.md, against the built mp_mcp --demo over stdio: every listed tool
/// has an example, and every example, called in file order, returns what the file says (a structured result, or the
/// stated error).
/// </summary>
public sealed class ToolExamplesTests
{
    [Test]
    public async Task EveryToolHasAnExample_AndEveryExampleWorksOnTheDemo()
    {
        var set = ToolExampleSet.Load(Path.Combine(AppContext.BaseDirectory, ToolExampleSet.FileName));
        var home = await SharedDemo.HomeAsync();
        var scratch = Path.Combine(Path.GetTempPath(), "mp-tool-examples-" + Guid.NewGuid().ToString("N"));
        var config = set.WriteConfig(scratch);
        var stderr = new ConcurrentQueue<string>();
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await using var client = await DemoMcpProcess.StdioWithConfigAsync(null, stderr, null, config ?? Path.Combine(scratch, "no-config.toml"));
            TestContext.Out.WriteLine($"connected after {started.ElapsedMilliseconds} ms (demo ready in HOME)");

            var listed = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
            var examples = set.Examples.Select(e => e.Tool).ToList();
            Assert.That(listed.Except(examples), Is.Empty, "tools without an example: add one line per tool to docs/tool-examples.json");
            Assert.That(examples.Except(listed), Is.Empty, "examples of tools the server does not list");
            Assert.That(examples, Is.Unique, "one example per tool");

            var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
            var failures = new List<string>();
            foreach (var example in set.Examples)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var result = await client.CallToolAsync(example.Tool, example.ResolveArguments(yesterday));
                TestContext.Out.WriteLine($"{example.Tool,-22} {clock.ElapsedMilliseconds,6} ms");
                var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
                if (example.ExpectError is { } expected)
                {
                    if (result.IsError != true || !text.Contains(expected, StringComparison.Ordinal))
                    {
                        failures.Add($"{example.Tool}: expected an error containing '{expected}', got: {text}");
                    }
                }
                else if (result.IsError == true)
                {
                    failures.Add($"{example.Tool}: {text}");
                }
                else if (result.StructuredContent is not { ValueKind: JsonValueKind.Object } structured || !structured.EnumerateObject().Any())
                {
                    failures.Add($"{example.Tool}: no structured content");
                }
                else if (text.Length == 0)
                {
                    failures.Add($"{example.Tool}: no text content");
                }
            }

            Assert.That(failures, Is.Empty);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    [Test]
    public void DatePlaceholders_ResolveRelativeToYesterday_InsideLongerStrings()
    {
        var yesterday = new DateOnly(2026, 3, 1);

        Assert.That(ToolExample.ResolveText("{yesterday}", yesterday), Is.EqualTo("2026-03-01"));
        Assert.That(ToolExample.ResolveText("{yesterday-1}", yesterday), Is.EqualTo("2026-02-28"));
        Assert.That(ToolExample.ResolveText("from '{yesterday-29}' to '{yesterday}'", yesterday), Is.EqualTo("from '2026-01-31' to '2026-03-01'"));
        Assert.That(ToolExample.ResolveText("{tomorrow}", yesterday), Is.EqualTo("{tomorrow}"));
    }
}
