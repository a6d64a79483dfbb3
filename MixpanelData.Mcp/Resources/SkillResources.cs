using System.Reflection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Resources;

/// <summary>
/// The skill guides shipped inside this assembly (embedded <c>Skills/**/*.md</c>), one resource each:
/// <c>skill://mp_mcp/SKILL.md</c> and <c>skill://mp_mcp/references/&lt;name&gt;.md</c>, as text/markdown.
/// When none are embedded the server simply has no skill resources.
/// </summary>
internal static class SkillResources
{
    public const string UriPrefix = "skill://mp_mcp/";
    public const string MimeType = "text/markdown";

    // The LogicalName the project file gives every embedded guide.
    private const string ManifestPrefix = "mp_mcp/skills/";

    /// <summary>The embedded guides: relative path (e.g. <c>references/query-patterns.md</c>) and text.</summary>
    public static IReadOnlyList<(string Path, string Text)> Load(Assembly? assembly = null)
    {
        assembly ??= typeof(SkillResources).Assembly;
        var guides = new List<(string, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ManifestPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name);
            if (stream is null)
            {
                continue;
            }

            using var reader = new StreamReader(stream);
            guides.Add((name[ManifestPrefix.Length..].Replace('\\', '/'), reader.ReadToEnd()));
        }

        return guides;
    }

    /// <summary>One resource per embedded guide; none when the assembly embeds none.</summary>
    public static IEnumerable<McpServerResource> Create(Assembly? assembly = null) => Load(assembly).Select(guide =>
    {
        var uri = UriPrefix + guide.Path;
        var contents = new TextResourceContents { Uri = uri, MimeType = MimeType, Text = guide.Text };
        return McpServerResource.Create(
            () => (ResourceContents)contents,
            new McpServerResourceCreateOptions
            {
                UriTemplate = uri,
                Name = "skill_" + Path.ChangeExtension(guide.Path, null).Replace('/', '_').Replace('-', '_').ToLowerInvariant(),
                Title = Title(guide.Text) ?? guide.Path,
                Description = guide.Path == "SKILL.md"
                    ? "How to analyse Mixpanel with this server: which tools and resources to use when. Start here; it links the references."
                    : $"Skill reference: {Title(guide.Text) ?? guide.Path}.",
                MimeType = MimeType,
            });
    });

    // The first markdown heading, without the hashes.
    private static string? Title(string markdown) =>
        markdown.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim();
}
