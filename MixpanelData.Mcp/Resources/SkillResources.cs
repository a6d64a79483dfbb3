using System.Reflection;
using MixpanelData.Mcp.Hosting;
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
        return [.. Names(assembly).Select(name => (name[ManifestPrefix.Length..].Replace('\\', '/'), Read(assembly, name)))];
    }

    /// <summary>
    /// One resource per embedded guide (none when the assembly embeds none), each made, and its text read, on its first
    /// listing or read.
    /// </summary>
    public static IEnumerable<DeferredResource> Create(Assembly? assembly = null)
    {
        assembly ??= typeof(SkillResources).Assembly;
        return Names(assembly).Select(name =>
        {
            var path = name[ManifestPrefix.Length..].Replace('\\', '/');
            var uri = UriPrefix + path;
            return new DeferredResource(uri, toolset: null, () =>
            {
                var text = Read(assembly, name);
                var contents = new TextResourceContents { Uri = uri, MimeType = MimeType, Text = text };
                return McpServerResource.Create(
                    () => (ResourceContents)contents,
                    new McpServerResourceCreateOptions
                    {
                        UriTemplate = uri,
                        Name = "skill_" + Path.ChangeExtension(path, null).Replace('/', '_').Replace('-', '_').ToLowerInvariant(),
                        Title = Title(text) ?? path,
                        Description = path == "SKILL.md"
                            ? "How to analyse Mixpanel with this server: which tools and resources to use when. Start here; it links the references."
                            : $"Skill reference: {Title(text) ?? path}.",
                        MimeType = MimeType,
                    });
            });
        }).ToList();
    }

    private static IEnumerable<string> Names(Assembly assembly) =>
        assembly.GetManifestResourceNames().Where(n => n.StartsWith(ManifestPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Embedded skill guide {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // The first markdown heading, without the hashes.
    private static string? Title(string markdown) =>
        markdown.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim();
}
