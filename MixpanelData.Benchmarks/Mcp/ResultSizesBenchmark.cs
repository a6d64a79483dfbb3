using System.Text;
using System.Text.Json;
using MixpanelData.ToolDocs;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Benchmarks.Mcp;

/// <summary>
/// <c>result-sizes</c>: calls every example of docs/tool-examples.json against the real <c>mp_mcp --demo</c> over stdio
/// (as <c>tool-docs</c> does) and prints, for the ten largest results, the bytes of the text content next to the bytes of
/// the structured content (<c>dump=DIR</c> also writes each text to DIR), so that text which merely repeats the structured JSON shows as a ratio near or above 1.
/// </summary>
internal static class ResultSizesBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> arguments)
    {
        var root = ToolDocsCommand.RepositoryRoot();
        var set = ToolExampleSet.Load(arguments.GetValueOrDefault("examples", Path.Combine(root, "docs", ToolExampleSet.FileName)));
        var scratch = Path.Combine(Path.GetTempPath(), "mp-result-sizes-" + Guid.NewGuid().ToString("N"));
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        try
        {
            await using var client = await McpProcess.ConnectAsync(["--demo"], set.WriteConfig(scratch));
            var sizes = new List<(string Tool, int Text, int Structured)>();
            foreach (var example in set.Examples)
            {
                var result = await client.CallToolAsync(example.Tool, example.ResolveArguments(yesterday));
                var text = result.Content.OfType<TextContentBlock>().Sum(t => Encoding.UTF8.GetByteCount(t.Text));
                var structured = result.StructuredContent is { } json ? Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(json)) : 0;
                sizes.Add((example.Tool, text, structured));
                if (arguments.TryGetValue("dump", out var dump))
                {
                    Directory.CreateDirectory(dump);
                    await File.WriteAllTextAsync(Path.Combine(dump, example.Tool + ".txt"), string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
                }
            }

            var largest = sizes.OrderByDescending(s => s.Text + s.Structured).Take(10).ToList();
            Console.WriteLine($"{sizes.Count} example calls on the demo; the ten largest results (bytes):");
            Console.WriteLine("tool                       | text   | structured | text/structured");
            foreach (var (tool, text, structured) in largest)
            {
                Console.WriteLine($"{tool,-26} | {text,6:N0} | {structured,10:N0} | {(structured == 0 ? "—" : (text / (double)structured).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)),6}");
            }

            Console.WriteLine($"ten largest together: text {largest.Sum(s => s.Text):N0}, structured {largest.Sum(s => s.Structured):N0}; all examples: text {sizes.Sum(s => s.Text):N0}, structured {sizes.Sum(s => s.Structured):N0}");
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
}
