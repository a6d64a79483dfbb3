using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Helpers;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Serialization;
using Tomlyn.Syntax;

namespace MixpanelData.Configuration;

/// <summary>
/// Reads <c>config.toml</c> with Tomlyn into a small read-only view that remembers the line of every value, so that
/// validation can say <c>path:line: …</c>.
/// </summary>
/// <remarks>
/// Tomlyn's own messages quote the text they stumbled on, which in this file may be the secret (an unquoted or
/// half-quoted <c>secret = …</c>), and its semantic checks echo whole earlier lines. So a syntax error here is
/// reported as file, line and column plus a description in our words chosen from the kind of error, never with
/// Tomlyn's text, and Tomlyn's exception is not kept as the inner exception.
/// </remarks>
internal static partial class ConfigDocument
{
    /// <summary>Parses <paramref name="text"/>, named <paramref name="source"/> in messages.</summary>
    /// <exception cref="ConfigurationException">The text is not valid TOML (or defines a key twice); the message says where.</exception>
    public static ConfigTable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);

        // The syntax parser with validation finds what the model reader lets through: a key or table defined twice.
        var syntax = SyntaxParser.Parse(text, source, validate: true);
        if (syntax.Diagnostics.FirstOrDefault(d => d.Kind == DiagnosticMessageKind.Error) is { } error)
        {
            throw SyntaxError(source, error.Span.Start.Line + 1, error.Span.Start.Column + 1, error.Message);
        }

        var metadata = new TomlMetadataStore();
        try
        {
            var root = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { MetadataStore = metadata, SourceName = source })
                ?? new TomlTable();
            return new ConfigTable(root, 1, metadata);
        }
        catch (TomlException ex)
        {
            throw SyntaxError(source, ex.Line ?? 1, ex.Column ?? 1, ex.Message);
        }
    }

    /// <summary>A key as TOML would accept it back: bare where possible, else a quoted basic string.</summary>
    public static string FormatKey(string key) =>
        BareKeySyntax.IsBareKey(key) ? key : TomlFormatHelper.ToString(key, TomlPropertyDisplayKind.Default);

    private static ConfigurationException SyntaxError(string source, int line, int column, string tomlynMessage) =>
        new($"{source}:{line}:{column}: not valid TOML: {Describe(tomlynMessage)} (the text there is not shown, as it may be a secret).", [$"config file {source}"]);

    /// <summary>Our description of a Tomlyn error; its message is only matched, never shown.</summary>
    private static string Describe(string message)
    {
        if (AlreadyDefined().Match(message) is { Success: true } duplicate)
        {
            return $"this defines a key or table that line {duplicate.Groups[1].Value} already defined; each key may be set once per table and each [table] header written once";
        }

        return message switch
        {
            _ when Has(message, "string literal") || Has(message, "newline in a string") =>
                "a quoted string is not closed on its line (a missing \" or ')",
            _ when Has(message, "escape character") || Has(message, "Unicode scalar") || Has(message, "control character") =>
                "a string holds an invalid escape sequence or control character (write a backslash as \\\\, or use a 'literal string')",
            _ when Has(message, "\\r") => "a carriage return that is not followed by a line feed",
            _ when Has(message, "for a value") =>
                "expected a value: a quoted string (key = \"text\"), a whole number, true or false, an array or an inline table",
            _ when Has(message, "expecting token `newline`") => "unexpected text after the value; write one key = value per line",
            _ when Has(message, "leading zero") || Has(message, "parse integer") || Has(message, "underscore") =>
                "a number that is not a valid integer (no leading zeros, _ only between digits, at most 9223372036854775807)",
            _ when Has(message, "Expecting `=`") => "expected '=' after the key",
            _ when Has(message, "for an array") || Has(message, "in an array") => "an array is not closed with ']' or its items are not separated by commas",
            _ when Has(message, "inline table") => "an inline table is not closed with '}' or its items are not separated by commas",
            _ when Has(message, "closebracket") || Has(message, "base key") => "a [table] header is not closed with ']' or has no name",
            _ when Has(message, "Unexpected token [=]") => "expected a key before '='",
            _ => "this is not valid TOML",
        };
    }

    private static bool Has(string message, string fragment) => message.Contains(fragment, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"already defined at \((\d+),\d+\)", RegexOptions.CultureInvariant)]
    private static partial Regex AlreadyDefined();
}

/// <summary>A value of a parsed <c>config.toml</c> and the 1-based line it was written on.</summary>
/// <remarks>Its <see cref="ToString"/> never shows a string's text: the same model carries the secret.</remarks>
internal readonly record struct ConfigValue(object Value, int Line)
{
    /// <summary>The TOML type name, for messages ("string", "integer", …).</summary>
    public string TypeName => Value switch
    {
        string => "string",
        long => "integer",
        bool => "boolean",
        double => "float",
        TomlDateTime => "date-time",
        TomlTable => "table",
        TomlArray or TomlTableArray => "array",
        _ => "value",
    };

    /// <summary>The type name with its article, for "not an integer" style messages.</summary>
    public string Described => (TypeName[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + TypeName;

    /// <inheritdoc />
    public override string ToString() => Value switch
    {
        string text => $"string ({text.Length} chars, line {Line})",
        long or bool => $"{Convert.ToString(Value, CultureInfo.InvariantCulture)!.ToLowerInvariant()} (line {Line})",
        _ => $"{TypeName} (line {Line})",
    };
}

/// <summary>A table of a parsed <c>config.toml</c>: its keys in file order, each value with its line.</summary>
internal sealed class ConfigTable
{
    private readonly TomlTable _table;
    private readonly TomlMetadataStore _metadata;

    internal ConfigTable(TomlTable table, int line, TomlMetadataStore metadata)
    {
        _table = table;
        _metadata = metadata;
        Line = line;
        Keys = [.. table.Keys];
    }

    /// <summary>The 1-based line of the table's header (or of its key, for inline and dotted tables).</summary>
    public int Line { get; }

    /// <summary>The keys in the order they appear in the file.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The value stored under <paramref name="key"/>, if any.</summary>
    public bool TryGetValue(string key, out ConfigValue value)
    {
        if (_table.TryGetValue(key, out var raw))
        {
            value = new ConfigValue(raw, LineOf(key));
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The table stored under <paramref name="key"/>, if the value there is a table.</summary>
    public bool TryGetTable(string key, [NotNullWhen(true)] out ConfigTable? table)
    {
        table = _table.TryGetValue(key, out var raw) && raw is TomlTable child ? new ConfigTable(child, LineOf(key), _metadata) : null;
        return table is not null;
    }

    /// <inheritdoc />
    public override string ToString() => $"table ({Keys.Count} keys, line {Line})";

    private int LineOf(string key) =>
        _metadata.TryGetProperties(_table, out var properties) && properties is not null && properties.TryGetProperty(key, out var property)
            ? property.Span.Start.Line + 1
            : Line;
}
