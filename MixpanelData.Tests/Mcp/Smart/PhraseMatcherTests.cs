using MixpanelData.Insights;

namespace MixpanelData.Tests.Mcp.Smart;

/// <summary>Matching the words of questions to real names, and the date phrases of questions.</summary>
public sealed class PhraseMatcherTests
{
    private static readonly string[] Events = ["Page View", "Login", "Logout", "Sign Up", "Create Project", "Invite Teammate", "Purchase", "Upgrade Plan", "Payment Failed", "Search", "Run Report", "Export Report"];

    [TestCase("How many sign ups last week?", new[] { "Sign Up" })]
    [TestCase("How many signups last week?", new[] { "Sign Up" })]
    [TestCase("how many SIGN-UPS yesterday", new[] { "Sign Up" })]
    [TestCase("users who signed up and then created a project", new[] { "Sign Up", "Create Project" })]
    [TestCase("purchases by plan", new[] { "Purchase" })]
    [TestCase("page views and searches this month", new[] { "Page View", "Search" })]
    [TestCase("how often do people log in", new[] { "Login" })]
    [TestCase("from upgrade plan to purchase", new[] { "Upgrade Plan", "Purchase" })]
    [TestCase("what is the weather", new string[0])]
    public void FindEvents_PluralsVerbFormsAndSpelling_FindTheRealNames(string question, string[] expected)
    {
        Assert.That(PhraseMatcher.FindEvents(question, Events).Select(m => m.Event), Is.EqualTo(expected));
    }

    [TestCase("How many serches last week?", new[] { "Search" })]
    [TestCase("which plan bought the most", new[] { "Purchase" })]
    [TestCase("how many registrations yesterday", new[] { "Sign Up" })]
    [TestCase("how many purchaces", new[] { "Purchase" })]
    [TestCase("how many users", new string[0])]
    [TestCase("what is the weather", new string[0])]
    public void FindEventsLoosely_ActionWordsAndMisspellings_FindTheRealNames(string question, string[] expected)
    {
        Assert.That(PhraseMatcher.FindEventsLoosely(question, Events).Select(m => m.Event), Is.EqualTo(expected));
    }

    [Test]
    public void FindEvents_OverlappingNames_TheLongerWins()
    {
        var events = new[] { "Report", "Run Report" };

        Assert.That(PhraseMatcher.FindEvents("how many run reports", events).Select(m => m.Event), Is.EqualTo(new[] { "Run Report" }));
    }

    [TestCase("browser", "$browser")]
    [TestCase("utm source", "utm_source")]
    [TestCase("country", "mp_country_code")]
    [TestCase("channel", "utm_source")]
    [TestCase("plan", "plan")]
    [TestCase("countries", "mp_country_code")]
    [TestCase("os", "$os")]
    [TestCase("cities", "$city")]
    [TestCase("operating system", "$os")]
    [TestCase("favourite colour", null)]
    public void MatchProperty_Phrase_NamesTheProperty(string phrase, string? expected)
    {
        var properties = new[] { "$browser", "$os", "utm_source", "utm_medium", "mp_country_code", "plan", "platform", "$city" };

        Assert.That(PhraseMatcher.MatchProperty(phrase, properties), Is.EqualTo(expected));
    }

    [Test]
    public void Closest_Misspelt_SuggestsTheRealName()
    {
        Assert.That(PhraseMatcher.Closest("Sign Upp", Events), Does.Contain("Sign Up"));
        Assert.That(PhraseMatcher.Closest("Purchse", Events)[0], Is.EqualTo("Purchase"));
    }

    [TestCase("last week", "2026-03-09", "2026-03-15")]
    [TestCase("over the last 30 days", "2026-02-14", "2026-03-15")]
    [TestCase("in the past 2 weeks", "2026-03-02", "2026-03-15")]
    [TestCase("trend over thirty days", "2026-02-14", "2026-03-15")]
    [TestCase("yesterday", "2026-03-15", "2026-03-15")]
    [TestCase("last month", "2026-02-01", "2026-02-28")]
    [TestCase("this month", "2026-03-01", "2026-03-16")]
    [TestCase("between 2026-01-05 and 2026-01-09", "2026-01-05", "2026-01-09")]
    public void FromWords_DatePhrases_AreRelativeToTheLastCompleteDay(string phrase, string from, string to)
    {
        var range = DayRange.FromWords("How many sign ups " + phrase + "?", new DateOnly(2026, 3, 15))!;

        Assert.That(range.From, Is.EqualTo(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(range.To, Is.EqualTo(DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void FromWords_NoDatePhrase_IsNull()
    {
        Assert.That(DayRange.FromWords("How many sign ups?", new DateOnly(2026, 3, 15)), Is.Null);
    }

    [Test]
    public void Previous_IsTheSameLengthJustBefore()
    {
        var previous = new DayRange(new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 15), "last week").Previous();

        Assert.That((previous.From, previous.To), Is.EqualTo((new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 8))));
    }
}
