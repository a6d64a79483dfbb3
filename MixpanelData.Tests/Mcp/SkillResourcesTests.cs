using MixpanelData.Mcp.Resources;

namespace MixpanelData.Tests.Mcp;

/// <summary>The skill guides embedded in mp_mcp, and a server without any.</summary>
public sealed class SkillResourcesTests
{
    [Test]
    public void Load_McpAssembly_FindsTheGuideAndItsReferences()
    {
        var guides = SkillResources.Load();

        Assert.That(guides.Select(g => g.Path), Is.EquivalentTo(new[] { "SKILL.md", "references/local-analysis.md", "references/query-patterns.md", "references/troubleshooting-queries.md" }));
        Assert.That(guides.Select(g => g.Text.Length), Has.All.GreaterThan(1_000));
    }

    [Test]
    public void Create_AssemblyWithoutGuides_GivesNoResources()
    {
        Assert.That(SkillResources.Load(typeof(object).Assembly), Is.Empty);
        Assert.That(SkillResources.Create(typeof(object).Assembly), Is.Empty);
    }
}
