using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

/// <summary>config.toml as read through Tomlyn: values, file order and lines; errors with file, line and column, never the text.</summary>
public sealed class ConfigDocumentTests
{
    private const string Source = "/home/test/.mp/config.toml";

    private static ConfigTable Parse(string text) => ConfigDocument.Parse(text, Source);

    private static ConfigTable Table(ConfigTable table, params string[] path)
    {
        foreach (var key in path)
        {
            Assert.That(table.TryGetTable(key, out var child), Is.True, $"missing table '{key}'");
            table = child!;
        }

        return table;
    }

    private static ConfigValue Value(ConfigTable table, string key)
    {
        Assert.That(table.TryGetValue(key, out var value), Is.True, $"missing key '{key}'");
        return value;
    }

    private static T Value<T>(ConfigTable table, string key) => (T)Value(table, key).Value;

    private static string Str(ConfigTable table, string key) => Value<string>(table, key);

    [Test]
    public void Parse_TopLevelKeyAndTables_ReadsValuesAndKeepsFileOrder()
    {
        var root = Parse("""
            default = "production"

            [accounts.zeta]
            username = "z"

            [accounts.alpha]
            username = "a"
            """);

        Assert.That(Str(root, "default"), Is.EqualTo("production"));
        var accounts = Table(root, "accounts");
        Assert.That(accounts.Keys, Is.EqualTo(new[] { "zeta", "alpha" }));
        Assert.That(Str(Table(accounts, "alpha"), "username"), Is.EqualTo("a"));
    }

    [Test]
    public void Parse_QuotedTableNames_AcceptsBasicAndLiteralKeys()
    {
        var root = Parse("""
            [accounts."my team"]
            a = 1
            [accounts.'its']
            b = 2
            [ accounts . "dot.ted" ]
            c = 3
            """);

        var accounts = Table(root, "accounts");
        Assert.That(accounts.Keys, Is.EqualTo(new[] { "my team", "its", "dot.ted" }));
        Assert.That(Value<long>(Table(accounts, "dot.ted"), "c"), Is.EqualTo(3));
    }

    [Test]
    public void Parse_BasicStringEscapes_AreDecoded()
    {
        var root = Parse("""
            s = "q\" b\\ n\n t\t u\u00e9 U\U0001F600 r\r b\b f\f"
            """);

        Assert.That(Str(root, "s"), Is.EqualTo("q\" b\\ n\n t\t u\u00e9 U\U0001F600 r\r b\b f\f"));
    }

    [Test]
    public void Parse_LiteralString_KeepsBackslashesAsWritten()
    {
        var root = Parse(@"path = 'C:\Users\me\n'");
        Assert.That(Str(root, "path"), Is.EqualTo(@"C:\Users\me\n"));
    }

    [TestCase("n = 0", 0L)]
    [TestCase("n = 42", 42L)]
    [TestCase("n = +42", 42L)]
    [TestCase("n = -17", -17L)]
    [TestCase("n = 1_000_000", 1_000_000L)]
    [TestCase("n = 9223372036854775807", long.MaxValue)]
    [TestCase("n = -9223372036854775808", long.MinValue)]
    public void Parse_Integer_ReadsValue(string line, long expected)
    {
        Assert.That(Value<long>(Parse(line), "n"), Is.EqualTo(expected));
    }

    [Test]
    public void Parse_Booleans_ReadTrueAndFalse()
    {
        var root = Parse("yes = true\nno = false");
        Assert.That(Value<bool>(root, "yes"), Is.True);
        Assert.That(Value<bool>(root, "no"), Is.False);
    }

    [Test]
    public void Parse_InlineTable_ReadsQuotedKeysInOrder()
    {
        var root = Parse("""headers = { "X-Source" = "copilot", Plain = 'x', n = 1, nested = { a.b = true } }""");
        var headers = Table(root, "headers");

        Assert.That(headers.Keys, Is.EqualTo(new[] { "X-Source", "Plain", "n", "nested" }));
        Assert.That(Str(headers, "X-Source"), Is.EqualTo("copilot"));
        Assert.That(Value<bool>(Table(headers, "nested", "a"), "b"), Is.True);
    }

    [Test]
    public void Parse_EmptyInlineTableAndArray_AreEmpty()
    {
        var root = Parse("t = {}\na = []");
        Assert.That(Table(root, "t").Keys, Is.Empty);
        Assert.That(Value<Tomlyn.Model.TomlArray>(root, "a"), Is.Empty);
    }

    [Test]
    public void Parse_MultiLineArrayWithCommentsAndTrailingComma_ReadsItems()
    {
        var root = Parse("""
            tags = [
              "a",   # first
              'b',
              # a comment line
              "c",
            ]
            after = 1
            """);

        var items = Value<Tomlyn.Model.TomlArray>(root, "tags").Cast<string>();
        Assert.That(items, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(Value(root, "after").Line, Is.EqualTo(7));
    }

    [Test]
    public void Parse_CommentsBlankLinesAndCrLf_AreIgnored()
    {
        var root = Parse("# header comment\r\n\r\n  \t\r\nkey = \"v # not a comment\"   # trailing\r\n[t] # table comment\r\nx = 1#tight\r\n");
        Assert.That(Str(root, "key"), Is.EqualTo("v # not a comment"));
        Assert.That(Value<long>(Table(root, "t"), "x"), Is.EqualTo(1));
    }

    [Test]
    public void Parse_DottedKeys_CreateNestedTables()
    {
        var root = Parse("""
            [accounts.prod]
            headers.X-Source = "copilot"
            headers.X-Team = "data"
            """);

        Assert.That(Table(root, "accounts", "prod", "headers").Keys, Is.EqualTo(new[] { "X-Source", "X-Team" }));
    }

    [Test]
    public void Parse_SubTableAfterParent_ExtendsIt()
    {
        var root = Parse("""
            [accounts.prod]
            username = "u"
            [accounts.prod.headers]
            "X-Source" = "copilot"
            """);

        Assert.That(Str(Table(root, "accounts", "prod", "headers"), "X-Source"), Is.EqualTo("copilot"));
    }

    [Test]
    public void Parse_ImplicitParentDefinedLater_IsAllowed()
    {
        var root = Parse("""
            [a.b]
            x = 1
            [a]
            y = 2
            """);

        Assert.That(Table(root, "a").Keys, Is.EqualTo(new[] { "b", "y" }));
    }

    [Test]
    public void Parse_ByteOrderMarkAndEmptyDocument_AreAccepted()
    {
        Assert.That(Parse("\uFEFFa = 1").Keys, Is.EqualTo(new[] { "a" }));
        Assert.That(Parse(string.Empty).Keys, Is.Empty);
    }

    [Test]
    public void Parse_Values_RecordTheirLines()
    {
        var root = Parse("\n\n[t]\n\nk = 'v'\n");
        Assert.That(Table(root, "t").Line, Is.EqualTo(3));
        Assert.That(Value(Table(root, "t"), "k").Line, Is.EqualTo(5));
    }

    [Test]
    public void ToString_StringValue_DoesNotShowTheValue()
    {
        var root = Parse($"secret = \"{ConfigSandbox.Secret}\"");
        Assert.That(Value(root, "secret").ToString(), Does.Not.Contain(ConfigSandbox.Secret));
        Assert.That(root.ToString(), Does.Not.Contain(ConfigSandbox.Secret));
    }

    [Test]
    public void Parse_NewerTomlForms_AreReadNotRefused()
    {
        // Tomlyn reads all of TOML 1.1; values of types an account does not use are refused later, by key.
        var root = Parse("s = \"\"\"multi\nline\"\"\"\nf = 1.5\nd = 2024-01-01\nt = { a = 1,\n b = 2, }\n[[list]]\nx = 1");
        Assert.That(Str(root, "s"), Is.EqualTo("multi\nline"));
        Assert.That(Value(root, "f").Described, Is.EqualTo("a float"));
        Assert.That(Value(root, "d").Described, Is.EqualTo("a date-time"));
        Assert.That(Table(root, "t").Keys, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(Value(root, "list").Described, Is.EqualTo("an array"));
    }

    // Each broken document, the line (and, where it is plain, the column) the error must name, and words of our description.
    private static IEnumerable<TestCaseData> BrokenDocuments()
    {
        const string Twice = "already defined";
        yield return Case("a = 1\na = 2", 2, 1, Twice, "line 1");
        yield return Case("[t]\na = 1\n[t]", 3, 1, Twice, "line 1");
        yield return Case("[t]\nx.y = 1\n[t.x]", 3, null, Twice, "line 2");
        yield return Case("a = 1\n[a]", 2, null, Twice, "line 1");
        yield return Case("a = 1\n[a.b]", 2, null, Twice);
        yield return Case("t = { x = 1 }\n[t.y]", 2, null, Twice);
        yield return Case("t = { x = 1 }\nt.z = 2", 2, 1, Twice);
        yield return Case("[t]\n[t2]\n[t.x]\n[t2]", 4, 1, Twice, "line 2");
        yield return Case("[a]\nb.c = 1\n[a.b.d]\n[a]\nb.e = 1", 4, 1, Twice, "line 1");
        yield return Case("[a.b]\nx = 1\n[a]\nb.y = 2", 4, null, Twice, "line 1");
        yield return Case("t = { a = 1, a = 2 }", 1, null, Twice, "line 1");
        yield return Case("\ns = \"abc", 2, null, "not closed");
        yield return Case("s = 'abc\nt = 1", 1, null, "not closed");
        yield return Case("s = \"bad \\q escape\"", 1, null, "escape");
        yield return Case("s = \"\\u12\"", 1, null, "escape");
        yield return Case("s = \"\\uD800\"", 1, null, "escape");
        yield return Case("s = \"tab\u0001\"", 1, null, "control character");
        yield return Case("n = 012", 1, 5, "not a valid integer");
        yield return Case("n = 1__0", 1, null, "not a valid integer");
        yield return Case("n = 1_", 1, null, "not a valid integer");
        yield return Case("n = 99999999999999999999", 1, 5, "not a valid integer");
        yield return Case("n = _1", 1, 5, "expected a value");
        yield return Case("b = True", 1, 5, "expected a value");
        yield return Case("s = bare words", 1, 5, "expected a value", "quoted string");
        yield return Case("a = ", 1, null, "expected a value");
        yield return Case("a = # nothing", 1, null, "expected a value");
        yield return Case("a = 1 2", 1, 7, "unexpected text after the value");
        yield return Case("[t] x = 1", 1, 5, "unexpected text after the value");
        yield return Case("just-a-key", 1, null, "expected '=' after the key");
        yield return Case("ok = 1\n\n\n# fine\nbad key = 1", 5, 5, "expected '='");
        yield return Case("= 1", 1, 1, "expected a key");
        yield return Case("[t", 1, null, "header is not closed");
        yield return Case("[]", 1, null, "has no name");
        yield return Case("a = [1, 2", 1, null, "array is not closed");
        yield return Case("a = [1 2]", 1, null, "separated by commas");
        yield return Case("t = { a = 1", 1, null, "inline table is not closed");
        yield return Case("t = { a = 1 b = 2 }", 1, null, "inline table");
        yield return Case("a = 1\rb = 2", 1, null, "carriage return");
    }

    private static TestCaseData Case(string text, int line, int? column, params string[] fragments) =>
        new TestCaseData(text, line, column, fragments).SetArgDisplayNames(text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal));

    [TestCaseSource(nameof(BrokenDocuments))]
    public void Parse_BrokenDocument_ThrowsNamingFileLineAndColumn(string text, int line, int? column, string[] fragments)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Parse(text))!;

        Assert.That(ex.Message, column is { } c ? Does.StartWith($"{Source}:{line}:{c}: not valid TOML: ") : Does.Match($"^{System.Text.RegularExpressions.Regex.Escape(Source)}:{line}:[0-9]+: not valid TOML: "));
        foreach (var fragment in fragments)
        {
            Assert.That(ex.Message, Does.Contain(fragment));
        }

        Assert.That(ex.Code, Is.EqualTo(MixpanelErrorCodes.Configuration));
        Assert.That(ex.SourcesTried, Is.EqualTo(new[] { $"config file {Source}" }));
        Assert.That(ex.InnerException, Is.Null, "Tomlyn's exception quotes the text; it must not travel with ours");
    }

    [TestCase("secret = S3CRET-do-not-print")]
    [TestCase("secret = \"S3CRET-do-not-print")]
    [TestCase("secret = 'S3CRET-do-not-print")]
    [TestCase("secret = \"S3CRET-do-not-print\" trailing")]
    [TestCase("secret = \"S3CRET-do-not-print\" = ")]
    [TestCase("S3CRET-do-not-print")]
    [TestCase("secret = [\"S3CRET-do-not-print\"")]
    [TestCase("secret = { value = \"S3CRET-do-not-print\" ")]
    [TestCase("secret = \"S3CRET-do-not-print\"\nsecret = \"S3CRET-do-not-print\"")]
    [TestCase("secret = 'S3CRET-do-not-print'\n[secret]")]
    public void Parse_BrokenSecretLine_MessageNeverContainsSecret(string text)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Parse(text))!;
        Assert.That(ex.Message, Does.Not.Contain(ConfigSandbox.Secret).And.Not.Contain("S3CRET"));
        Assert.That(ex.ToString(), Does.Not.Contain(ConfigSandbox.Secret).And.Not.Contain("S3CRET"));
    }
}
