using MixpanelData.Insights.Analysis;

namespace MixpanelData.Tests.Mcp.Smart;

public sealed class DimensionPickerTests
{
    private static readonly PropertySeen[] Properties =
    [
        new("project_id", 100), new("created_at", 100), new("$current_url", 100), new("revenue", 100),
        new("$browser", 60), new("platform", 100), new("utm_source", 100), new("mp_country_code", 100), new("plan", 100),
        new("$browser_version", 60), new("$city", 100), new("$model", 5),
    ];

    [Test]
    public void Choose_MixedProperties_SkipsIdsTimesTextMeasuresAndRareOnes_CoarseClientFirst()
    {
        var choice = DimensionPicker.Choose(Properties, 10);

        Assert.That(choice.Chosen.Select(d => d.Property), Is.EqualTo(new[] { "platform", "$browser", "utm_source", "mp_country_code", "plan", "$browser_version", "$city" }));
        var skipped = choice.Skipped.ToDictionary(s => s.Property, s => s.Reason);
        Assert.That(skipped["project_id"], Does.Contain("identifier"));
        Assert.That(skipped["created_at"], Does.Contain("time"));
        Assert.That(skipped["$current_url"], Does.Contain("URL"));
        Assert.That(skipped["revenue"], Does.Contain("measure"));
        Assert.That(skipped["$model"], Does.Contain("5%"));
        Assert.That(choice.Chosen[1].Coverage, Is.EqualTo(0.6).Within(1e-9));
    }

    [Test]
    public void Choose_MoreCandidatesThanRoom_ReportsTheRestAsNotExamined()
    {
        var choice = DimensionPicker.Choose(Properties, 2);

        Assert.That(choice.Chosen.Select(d => d.Property), Is.EqualTo(new[] { "platform", "$browser" }));
        Assert.That(choice.Skipped.Where(s => s.Reason.Contains("budget", StringComparison.Ordinal)).Select(s => s.Property),
            Is.EquivalentTo(new[] { "utm_source", "mp_country_code", "plan", "$browser_version", "$city" }));
    }

    [Test]
    public void Given_UnknownNames_AreFailuresNamingTheClosestRealProperties()
    {
        var (known, unknown) = DimensionPicker.Given(["$browser", "$browsr", "nothing_like_it_at_all"], Properties, "Sign Up");

        Assert.That(known.Select(d => d.Property), Is.EqualTo(new[] { "$browser" }));
        Assert.That(known[0].Expression, Is.EqualTo("properties[\"$browser\"]"));
        Assert.That(unknown.Select(u => u.Property), Is.EqualTo(new[] { "$browsr", "nothing_like_it_at_all" }));
        Assert.That(unknown[0].Reason, Does.Contain("not a property of 'Sign Up'").And.Contain("closest: $browser"));
        Assert.That(unknown[1].Reason, Does.Not.Contain("closest"));
    }

    [TestCase("$browser_version", new[] { "browser", "version" })]
    [TestCase("signupMethod", new[] { "signup", "method" })]
    [TestCase("mp_country_code", new[] { "mp", "country", "code" })]
    public void Words_SplitsOnSeparatorsAndCamelCase(string name, string[] words) =>
        Assert.That(DimensionPicker.Words(name), Is.EqualTo(words));
}
