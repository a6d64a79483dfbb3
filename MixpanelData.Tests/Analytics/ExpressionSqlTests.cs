using MixpanelData.Analytics.Expressions;
using MixpanelData.Storage;

namespace MixpanelData.Tests.Analytics;

/// <summary>Expressions translated to SQL and run by real DuckDB over a small hand-written table.</summary>
public sealed class ExpressionSqlTests
{
    private LocalStore _store = null!;

    [OneTimeSetUp]
    public async Task CreateTable()
    {
        _store = LocalStore.OpenInMemory();
        await _store.SqlAsync("""
            CREATE TABLE ev AS SELECT distinct_id, CAST(properties AS JSON) AS properties, CAST(event_time AS TIMESTAMP) AS event_time, event_name FROM (VALUES
              ('a', '{"browser":"Chrome","n":5,"flag":true,"tags":["x","y"],"s":"hello world","num_s":"12.5","a/b":1,"we\"ird":"q","ids":[1,2]}', '2026-01-01 10:00:00', 'Sign Up'),
              ('b', '{"browser":"Safari","n":2.5,"flag":false,"s":"bye","num_s":"abc"}', '2026-01-01 13:00:00', 'Login'),
              ('c', '{"browser":null,"n":"5","flag":"true"}', '2026-01-02 09:30:00', 'Login'),
              ('d', '{}', '2026-01-03 00:00:00', 'Purchase')
            ) AS t(distinct_id, properties, event_time, event_name)
            """);
    }

    [OneTimeTearDown]
    public async Task Close() => await _store.DisposeAsync();

    private async Task<string[]> Matching(string expression)
    {
        var parameters = new SqlParameters();
        var filter = MixpanelExpression.Parse(expression).ToFilterSql(ExpressionColumns.Events(), parameters);
        var result = await _store.SqlAsync($"SELECT distinct_id FROM ev WHERE {filter} ORDER BY 1", new SqlOptions { Parameters = parameters.Values });
        return [.. result.Rows.Select(r => (string)r[0]!)];
    }

    private async Task<string?[]> Keys(string expression)
    {
        var parameters = new SqlParameters();
        var key = MixpanelExpression.Parse(expression).ToSegmentKeySql(ExpressionColumns.Events(), parameters);
        var result = await _store.SqlAsync($"SELECT {key} FROM ev ORDER BY distinct_id", new SqlOptions { Parameters = parameters.Values });
        return [.. result.Rows.Select(r => (string?)r[0])];
    }

    [TestCase("properties[\"browser\"] == \"Chrome\"", new[] { "a" })]
    [TestCase("properties[\"browser\"] != \"Chrome\"", new[] { "b", "c", "d" })]
    [TestCase("properties[\"n\"] > 3", new[] { "a" })]
    [TestCase("properties[\"n\"] == 5", new[] { "a" })]
    [TestCase("number(properties[\"n\"]) == 5", new[] { "a", "c" })]
    [TestCase("number(properties[\"num_s\"]) > 12", new[] { "a" })]
    [TestCase("defined(properties[\"browser\"])", new[] { "a", "b" })]
    [TestCase("not defined(properties[\"browser\"])", new[] { "c", "d" })]
    [TestCase("properties[\"flag\"]", new[] { "a" })]
    [TestCase("not properties[\"flag\"]", new[] { "b", "d" })]
    [TestCase("boolean(properties[\"flag\"])", new[] { "a", "c" })]
    [TestCase("\"x\" in properties[\"tags\"]", new[] { "a" })]
    [TestCase("2 in properties[\"ids\"]", new[] { "a" })]
    [TestCase("\"world\" in properties[\"s\"]", new[] { "a" })]
    [TestCase("properties[\"browser\"] in [\"Chrome\", \"Safari\", \"Edge\"]", new[] { "a", "b" })]
    [TestCase("properties[\"n\"] in [2.5, 7]", new[] { "b" })]
    [TestCase("properties[\"n\"] * 2 >= 5", new[] { "a", "b" })]
    [TestCase("properties[\"n\"] / 0 > 1 or properties[\"n\"] / 0 <= 1", new string[0])]
    [TestCase("properties[\"n\"] % 2 == 1", new[] { "a" })]
    [TestCase("properties[\"s\"] + \"!\" == \"bye!\"", new[] { "b" })]
    [TestCase("-properties[\"n\"] < -3", new[] { "a" })]
    [TestCase("floor(properties[\"n\"]) == 2 or ceil(properties[\"n\"]) == 5", new[] { "a", "b" })]
    [TestCase("event[\"$time\"] >= datetime(\"2026-01-01T12:00:00\")", new[] { "b", "c", "d" })]
    [TestCase("properties[\"$time\"] < datetime(1767312000)", new[] { "a", "b" })]
    [TestCase("properties[\"a/b\"] == 1", new[] { "a" })]
    [TestCase("properties[\"we\\\"ird\"] == \"q\"", new[] { "a" })]
    [TestCase("properties[\"browser\"] == null", new[] { "c" })]
    [TestCase("event[\"name\"] == \"Login\" and properties[\"n\"] == \"5\"", new[] { "c" })]
    [TestCase("properties[\"missing\"] == properties[\"also_missing\"]", new string[0])]
    [TestCase("properties[\"n\"] == properties[\"n\"]", new[] { "a", "b", "c" })]
    [TestCase("string(properties[\"n\"]) == \"5\"", new[] { "a", "c" })]
    public async Task Filter_RunByDuckDb_MatchesMixpanelRules(string expression, string[] expected) =>
        Assert.That(await Matching(expression), Is.EqualTo(expected), expression);

    [Test]
    public async Task Filter_InjectionAttemptInAString_IsJustAString()
    {
        Assert.That(await Matching("properties[\"browser\"] == \"Chrome' OR 1=1 --\""), Is.Empty);
        Assert.That(await Matching("properties[\"x') OR true --\"] == 1"), Is.Empty);
        var count = await _store.SqlScalarAsync("SELECT count(*) FROM ev");
        Assert.That(count, Is.EqualTo(4L));
    }

    [Test]
    public void Filter_AndOnANumber_IsRefusedWithAHint()
    {
        var ex = Assert.Throws<ExpressionException>(() =>
            MixpanelExpression.Parse("properties[\"a\"] == 1 and 5").ToFilterSql(ExpressionColumns.Events(), new SqlParameters()));

        Assert.That(ex!.Message, Does.Contain("needs true/false values").And.Contain("number"));
    }

    [Test]
    public void Filter_UserPropertiesWithoutProfiles_IsRefused()
    {
        var ex = Assert.Throws<ExpressionException>(() =>
            MixpanelExpression.Parse("user[\"$email\"] == \"x\"").ToFilterSql(ExpressionColumns.Events(), new SqlParameters()));

        Assert.That(ex!.Message, Does.Contain("profile properties"));
    }

    [Test]
    public async Task SegmentKey_Browser_GivesTextAndUndefined() =>
        Assert.That(await Keys("properties[\"browser\"]"), Is.EqualTo(new[] { "Chrome", "Safari", "null", "undefined" }));

    [Test]
    public async Task SegmentKey_Numbers_AreWrittenPlainly() =>
        Assert.That(await Keys("properties[\"n\"]"), Is.EqualTo(new[] { "5", "2.5", "5", "undefined" }));

    [Test]
    public async Task SegmentKey_Booleans_AreTrueFalse() =>
        Assert.That(await Keys("properties[\"flag\"]"), Is.EqualTo(new[] { "true", "false", "true", "undefined" }));

    [Test]
    public async Task SegmentKey_Arithmetic_IsComputed() =>
        Assert.That(await Keys("number(properties[\"n\"]) * 2"), Is.EqualTo(new[] { "10", "5", "10", "undefined" }));
}
