using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MixpanelData.ToolDocs;

/// <summary>
/// One example call per tool of <c>mp_mcp --demo</c>, read from <c>docs/tool-examples.json</c>: the single source for
/// docs/tools.md (written by <c>MixpanelData.Benchmarks -- tool-docs</c>) and for the test that calls every example.
/// Examples run in file order, so the ones that delete data come last.
/// </summary>
internal sealed partial record ToolExample(string Tool, JsonObject Arguments, string? ExpectError, string? Note)
{
    /// <summary>
    /// The arguments with date placeholders resolved: <c>{yesterday}</c> and <c>{yesterday-N}</c> (UTC days; the demo's
    /// last day is yesterday), anywhere inside string values.
    /// </summary>
    public Dictionary<string, object?> ResolveArguments(DateOnly yesterday)
    {
        var resolved = new Dictionary<string, object?>();
        foreach (var (name, value) in Arguments)
        {
            var node = Resolve(value?.DeepClone(), yesterday);
            resolved[name] = node is null ? null : JsonSerializer.Deserialize<JsonElement>(node.ToJsonString());
        }

        return resolved;
    }

    private static JsonNode? Resolve(JsonNode? node, DateOnly yesterday)
    {
        switch (node)
        {
            case JsonValue value when value.TryGetValue<string>(out var text):
                return JsonValue.Create(ResolveText(text, yesterday));
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Resolve(array[i]?.DeepClone(), yesterday);
                }

                return array;
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    obj[key] = Resolve(obj[key]?.DeepClone(), yesterday);
                }

                return obj;
            default:
                return node;
        }
    }

    internal static string ResolveText(string text, DateOnly yesterday) => Placeholder().Replace(text, match =>
    {
        var back = match.Groups[1].Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return yesterday.AddDays(-back).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    });

    [GeneratedRegex(@"\{yesterday(?:-(\d{1,3}))?\}")]
    private static partial Regex Placeholder();
}

/// <summary>The parsed examples file.</summary>
/// <param name="Examples">In the order they run.</param>
/// <param name="ConfigToml">A config file (~/.mp/config.toml layout) the server is started with, so account tools have accounts to show.</param>
internal sealed record ToolExampleSet(IReadOnlyList<ToolExample> Examples, string? ConfigToml)
{
    public const string FileName = "tool-examples.json";

    public static ToolExampleSet Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
            ?? throw new InvalidDataException($"{path} is not a JSON object.");
        var examples = new List<ToolExample>();
        foreach (var item in root["examples"]?.AsArray() ?? throw new InvalidDataException($"{path} has no \"examples\" array."))
        {
            var entry = item?.AsObject() ?? throw new InvalidDataException($"{path}: every example is an object.");
            var tool = entry["tool"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: an example has no \"tool\".");
            var arguments = entry["arguments"]?.DeepClone().AsObject() ?? [];
            examples.Add(new ToolExample(tool, arguments, entry["expect_error"]?.GetValue<string>(), entry["note"]?.GetValue<string>()));
        }

        var config = root["config_toml"] is JsonArray lines ? string.Join('\n', lines.Select(l => l?.GetValue<string>())) + "\n" : null;
        return new ToolExampleSet(examples, config);
    }

    /// <summary>Writes <see cref="ConfigToml"/> to a private file (the resolver refuses files others can read) and returns its path.</summary>
    public string? WriteConfig(string directory)
    {
        if (ConfigToml is null)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "config.toml");
        File.WriteAllText(path, ConfigToml);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
