using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

public sealed class TomlReaderTests
{
    private const string Source = "/home/test/.mp/config.toml";

    private static TomlTable Parse(string text) => TomlReader.Parse(text, Source);

    private static TomlTable Table(TomlTable table, params string[] path)
    {
        foreach (var key in path)
        {
            Assert.That(table.TryGetValue(key, out var value), Is.True, $"missing table '{key}'");
            table = (TomlTable)value!;
        }

        return table;
    }

    private static T Value<T>(TomlTable table, string key)
        where T : TomlValue
    {
        Assert.That(table.TryGetValue(key, out var value), Is.True, $"missing key '{key}'");
        return (T)value!;
    }

    private static string Str(TomlTable table, string key) => Value<TomlString>(table, key).Value;

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
        Assert.That(Value<TomlInteger>(Table(accounts, "dot.ted"), "c").Value, Is.EqualTo(3));
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
        Assert.That(Value<TomlInteger>(Parse(line), "n").Value, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_Booleans_ReadTrueAndFalse()
    {
        var root = Parse("yes = true\nno = false");
        Assert.That(Value<TomlBoolean>(root, "yes").Value, Is.True);
        Assert.That(Value<TomlBoolean>(root, "no").Value, Is.False);
    }

    [Test]
    public void Parse_InlineTable_ReadsQuotedKeysAndIsMarkedInline()
    {
        var root = Parse("""headers = { "X-Source" = "copilot", Plain = 'x', n = 1, nested = { a.b = true } }""");
        var headers = Table(root, "headers");

        Assert.That(headers.IsInline, Is.True);
        Assert.That(headers.Keys, Is.EqualTo(new[] { "X-Source", "Plain", "n", "nested" }));
        Assert.That(Str(headers, "X-Source"), Is.EqualTo("copilot"));
        Assert.That(Value<TomlBoolean>(Table(headers, "nested", "a"), "b").Value, Is.True);
    }

    [Test]
    public void Parse_EmptyInlineTableAndArray_AreEmpty()
    {
        var root = Parse("t = {}\na = []");
        Assert.That(Table(root, "t").Keys, Is.Empty);
        Assert.That(Value<TomlArray>(root, "a").Items, Is.Empty);
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

        var items = Value<TomlArray>(root, "tags").Items.Cast<TomlString>().Select(s => s.Value);
        Assert.That(items, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(Value<TomlInteger>(root, "after").Line, Is.EqualTo(7));
    }

    [Test]
    public void Parse_CommentsBlankLinesAndCrLf_AreIgnored()
    {
        var root = Parse("# header comment\r\n\r\n  \t\r\nkey = \"v # not a comment\"   # trailing\r\n[t] # table comment\r\nx = 1#tight\r\n");
        Assert.That(Str(root, "key"), Is.EqualTo("v # not a comment"));
        Assert.That(Value<TomlInteger>(Table(root, "t"), "x").Value, Is.EqualTo(1));
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
        Assert.That(Table(root, "a").Line, Is.EqualTo(3));
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
        Assert.That(Value<TomlString>(Table(root, "t"), "k").Line, Is.EqualTo(5));
    }

    [Test]
    public void ToString_StringValue_DoesNotShowTheValue()
    {
        var root = Parse($"secret = \"{ConfigSandbox.Secret}\"");
        Assert.That(Value<TomlString>(root, "secret").ToString(), Does.Not.Contain(ConfigSandbox.Secret));
        Assert.That(root.ToString(), Does.Not.Contain(ConfigSandbox.Secret));
    }

    // Each broken document, the line the error must name, and words the message must contain.
    private static IEnumerable<TestCaseData> BrokenDocuments()
    {
        yield return Case("a = 1\na = 2", 2, "duplicate key 'a'", "first set on line 1");
        yield return Case("[t]\na = 1\n[t]", 3, "table [t] is defined twice", "line 1");
        yield return Case("[t]\nx.y = 1\n[t.x]", 3, "[t.x]", "dotted keys");
        yield return Case("a = 1\n[a]", 2, "[a] redefines key 'a'");
        yield return Case("a = 1\n[a.b]", 2, "'a' already holds a value");
        yield return Case("t = { x = 1 }\n[t.y]", 2, "inline table");
        yield return Case("t = { x = 1 }\nt.z = 2", 2, "inline table");
        yield return Case("[t]\n[t2]\n[t.x]\n[t2]", 4, "table [t2] is defined twice");
        yield return Case("[a]\nb.c = 1\n[a.b.d]\n[a]\nb.e = 1", 4, "table [a] is defined twice");
        yield return Case("[a.b]\nx = 1\n[a]\nb.y = 2", 4, "dotted key cannot add to table [b]", "line 1");
        yield return Case("\ns = \"abc", 2, "unterminated string");
        yield return Case("s = 'abc\nt = 1", 1, "unterminated string");
        yield return Case("[accounts.\"abc]\n", 1, "unterminated string");
        yield return Case("s = \"\"\"multi\"\"\"", 1, "multi-line strings are not supported");
        yield return Case("s = '''multi'''", 1, "multi-line strings are not supported");
        yield return Case("s = \"bad \\q escape\"", 1, "invalid escape sequence '\\q'");
        yield return Case("s = \"\\u12\"", 1, "exactly 4 hex digits");
        yield return Case("s = \"\\uD800\"", 1, "not a Unicode scalar value");
        yield return Case("s = \"tab\u0001\"", 1, "control characters");
        yield return Case("n = 012", 1, "bad value for key 'n'");
        yield return Case("n = 1__0", 1, "bad value for key 'n'");
        yield return Case("n = _1", 1, "bad value for key 'n'");
        yield return Case("n = 1_", 1, "bad value for key 'n'");
        yield return Case("n = 0x1F", 1, "bad value for key 'n'");
        yield return Case("n = 99999999999999999999", 1, "out of range");
        yield return Case("n = 1.5", 1, "floats and dates are not supported");
        yield return Case("d = 2024-01-01", 1, "floats and dates are not supported");
        yield return Case("b = True", 1, "bad value for key 'b'");
        yield return Case("s = bare words", 1, "bad value for key 's'");
        yield return Case("a = ", 1, "has no value");
        yield return Case("a = # nothing", 1, "has no value");
        yield return Case("a = 1 2", 1, "unexpected text after the value");
        yield return Case("[t] x = 1", 1, "unexpected text after the value");
        yield return Case("just-a-key", 1, "expected '=' after the key");
        yield return Case("= 1", 1, "expected a key");
        yield return Case("[t", 1, "expected ']'");
        yield return Case("[]", 1, "expected a key");
        yield return Case("[[servers]]", 1, "arrays of tables");
        yield return Case("a = [1, 2", 1, "not closed with ']'");
        yield return Case("a = [1 2]", 1, "expected ',' or ']'");
        yield return Case("t = { a = 1", 1, "must be closed with '}' on the same line");
        yield return Case("t = { a = 1,\n b = 2 }", 1, "must be closed with '}' on the same line");
        yield return Case("t = { a = 1, }", 1, "trailing comma");
        yield return Case("t = { a = 1 b = 2 }", 1, "expected ',' or '}'");
        yield return Case("t = { a = 1, a = 2 }", 1, "duplicate key 'a'");
        yield return Case("a = 1\rb = 2", 1, "carriage return");
        yield return Case("ok = 1\n\n\n# fine\nbad key = 1", 5, "expected '='");
    }

    private static TestCaseData Case(string text, int line, params string[] fragments) =>
        new TestCaseData(text, line, fragments).SetArgDisplayNames(text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal));

    [TestCaseSource(nameof(BrokenDocuments))]
    public void Parse_BrokenDocument_ThrowsNamingFileAndLine(string text, int line, string[] fragments)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Parse(text))!;

        Assert.That(ex.Message, Does.StartWith($"{Source}:{line}: "));
        foreach (var fragment in fragments)
        {
            Assert.That(ex.Message, Does.Contain(fragment));
        }

        Assert.That(ex.Code, Is.EqualTo(MixpanelErrorCodes.Configuration));
        Assert.That(ex.SourcesTried, Is.EqualTo(new[] { Source }));
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
        Assert.That(ex.Message, Does.Not.Contain(ConfigSandbox.Secret));
        Assert.That(ex.ToString(), Does.Not.Contain(ConfigSandbox.Secret));
    }
}
