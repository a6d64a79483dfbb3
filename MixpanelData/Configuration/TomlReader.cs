using System.Globalization;
using System.Text;

namespace MixpanelData.Configuration;

/// <summary>
/// Reads the subset of TOML 1.0 that <c>config.toml</c> uses: standard tables with dotted and
/// quoted names, key/value pairs (dotted keys too), basic and literal single-line strings,
/// decimal integers, booleans, arrays and inline tables, and comments. Anything else (multi-line
/// strings, floats, dates, arrays of tables) is reported as unsupported rather than guessed at.
/// </summary>
/// <remarks>
/// Error messages name the source and line but never quote the offending text, because the
/// offending text may be the secret (an unquoted or half-quoted <c>secret = …</c>).
/// </remarks>
internal sealed class TomlReader
{
    private readonly string _text;
    private readonly string _source;
    private int _pos;
    private int _line = 1;

    private TomlReader(string text, string source)
    {
        _text = text;
        _source = source;
        if (_text.Length > 0 && _text[0] == '\uFEFF')
        {
            _pos = 1;
        }
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The document.</param>
    /// <param name="source">The file path (or other name) used in error messages.</param>
    /// <exception cref="ConfigurationException">The document is not valid in the supported subset; the message says where and why.</exception>
    public static TomlTable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        return new TomlReader(text, source).ParseDocument();
    }

    private enum TableKind
    {
        /// <summary>Opened by a <c>[header]</c>.</summary>
        Explicit,

        /// <summary>Created as the parent of a deeper header; may still get its own header later.</summary>
        Implicit,

        /// <summary>Created by a dotted key (<c>a.b = 1</c>).</summary>
        Dotted,

        /// <summary>Written inline; closed to any later addition.</summary>
        Inline,
    }

    private sealed class TableBuilder(int line, TableKind kind)
    {
        public int Line { get; set; } = line;

        public TableKind Kind { get; set; } = kind;

        public List<string> Order { get; } = [];

        public Dictionary<string, object> Items { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Lines { get; } = new(StringComparer.Ordinal);

        public void Add(string key, object item, int line)
        {
            Order.Add(key);
            Items.Add(key, item);
            Lines.Add(key, line);
        }

        public TomlTable Freeze() => new(
            Order.Select(k => new KeyValuePair<string, TomlValue>(
                k, Items[k] is TableBuilder child ? child.Freeze() : (TomlValue)Items[k])).ToArray(),
            Line,
            Kind == TableKind.Inline);
    }

    private TomlTable ParseDocument()
    {
        var root = new TableBuilder(1, TableKind.Explicit);
        var current = root;
        while (!AtEnd)
        {
            SkipSpaces();
            if (AtEnd)
            {
                break;
            }

            var c = Peek;
            if (IsNewlineStart(c))
            {
                ConsumeNewline();
                continue;
            }

            if (c == '#')
            {
                SkipComment();
                continue;
            }

            if (c == '[')
            {
                current = ParseTableHeader(root);
            }
            else
            {
                ParseKeyValue(current);
            }

            ExpectEndOfLine();
        }

        return root.Freeze();
    }

    private TableBuilder ParseTableHeader(TableBuilder root)
    {
        var line = _line;
        _pos++; // '['
        if (!AtEnd && Peek == '[')
        {
            throw Error("arrays of tables ([[...]]) are not supported in this file");
        }

        SkipSpaces();
        var path = ParseKey();
        SkipSpaces();
        if (AtEnd || Peek != ']')
        {
            throw Error("expected ']' to close the table header");
        }

        _pos++;
        var table = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            table = StepInto(table, path, i, TableKind.Implicit, line, forHeader: true);
        }

        var last = path[^1];
        var name = FormatPath(path, path.Count);
        if (table.Items.TryGetValue(last, out var existing))
        {
            if (existing is TableBuilder existingTable && existingTable.Kind == TableKind.Implicit)
            {
                existingTable.Kind = TableKind.Explicit;
                existingTable.Line = line;
                return existingTable;
            }

            var first = table.Lines[last];
            throw existing switch
            {
                TableBuilder { Kind: TableKind.Explicit } => Error($"table [{name}] is defined twice (first on line {first})"),
                TableBuilder => Error($"table [{name}] was already defined on line {first} by dotted keys or an inline table"),
                _ => Error($"[{name}] redefines key '{last}', which already holds a value (line {first})"),
            };
        }

        var created = new TableBuilder(line, TableKind.Explicit);
        table.Add(last, created, line);
        return created;
    }

    /// <summary>Walks (creating when missing) the table <paramref name="path"/>[<paramref name="index"/>] under <paramref name="table"/>.</summary>
    private TableBuilder StepInto(TableBuilder table, IReadOnlyList<string> path, int index, TableKind createAs, int line, bool forHeader)
    {
        var key = path[index];
        if (!table.Items.TryGetValue(key, out var existing))
        {
            var created = new TableBuilder(line, createAs);
            table.Add(key, created, line);
            return created;
        }

        var name = FormatPath(path, index + 1);
        if (existing is not TableBuilder child)
        {
            throw Error($"'{name}' already holds a value (line {table.Lines[key]}), so it cannot also be a table");
        }

        if (child.Kind == TableKind.Inline)
        {
            throw Error($"'{name}' is an inline table (line {child.Line}); inline tables cannot be extended later");
        }

        if (!forHeader && child.Kind != TableKind.Dotted)
        {
            throw Error($"dotted key cannot add to table [{name}], which is defined on line {child.Line}");
        }

        return child;
    }

    private void ParseKeyValue(TableBuilder table)
    {
        var line = _line;
        var path = ParseKey();
        SkipSpaces();
        if (AtEnd || Peek != '=')
        {
            // The key is not quoted back: a secret pasted on a line of its own would parse as a key.
            throw Error("expected '=' after the key");
        }

        _pos++;
        SkipSpaces();
        var name = FormatPath(path, path.Count);
        var value = ParseValue(name);
        var target = table;
        for (var i = 0; i < path.Count - 1; i++)
        {
            target = StepInto(target, path, i, TableKind.Dotted, line, forHeader: false);
        }

        var last = path[^1];
        if (target.Items.ContainsKey(last))
        {
            throw Error($"duplicate key '{name}' (first set on line {target.Lines[last]})");
        }

        target.Add(last, value is TomlTableHolder holder ? holder.Builder : value, line);
    }

    /// <summary>Carries an inline table from <see cref="ParseValue"/> to its insertion point as a builder, so that it stays closed.</summary>
    private sealed class TomlTableHolder(TableBuilder builder, int line) : TomlValue(line)
    {
        public TableBuilder Builder { get; } = builder;

        public override string TypeName => "table";
    }

    private List<string> ParseKey()
    {
        var parts = new List<string> { ParseSimpleKey() };
        while (true)
        {
            var save = _pos;
            SkipSpaces();
            if (!AtEnd && Peek == '.')
            {
                _pos++;
                SkipSpaces();
                parts.Add(ParseSimpleKey());
            }
            else
            {
                _pos = save;
                return parts;
            }
        }
    }

    private string ParseSimpleKey()
    {
        if (AtEnd)
        {
            throw Error("expected a key");
        }

        var c = Peek;
        if (c == '"')
        {
            if (LookingAt("\"\"\""))
            {
                throw Error("multi-line strings cannot be keys");
            }

            return ParseBasicString();
        }

        if (c == '\'')
        {
            if (LookingAt("'''"))
            {
                throw Error("multi-line strings cannot be keys");
            }

            return ParseLiteralString();
        }

        var start = _pos;
        while (!AtEnd && IsBareKeyChar(Peek))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error("expected a key (letters, digits, '_' and '-', or a quoted name)");
        }

        return _text[start.._pos];
    }

    private TomlValue ParseValue(string key)
    {
        var line = _line;
        if (AtEnd || IsNewlineStart(Peek) || Peek == '#')
        {
            throw Error($"key '{key}' has no value after '='");
        }

        switch (Peek)
        {
            case '"':
                if (LookingAt("\"\"\""))
                {
                    throw Error($"multi-line strings are not supported (key '{key}')");
                }

                return new TomlString(ParseBasicString(), line);
            case '\'':
                if (LookingAt("'''"))
                {
                    throw Error($"multi-line strings are not supported (key '{key}')");
                }

                return new TomlString(ParseLiteralString(), line);
            case '[':
                return ParseArray(key, line);
            case '{':
                return new TomlTableHolder(ParseInlineTable(key, line), line);
        }

        var start = _pos;
        while (!AtEnd && IsScalarChar(Peek))
        {
            _pos++;
        }

        var token = _text[start.._pos];
        if (token.Length == 0)
        {
            throw Error($"bad value for key '{key}': expected a quoted string, an integer, true/false, an array or an inline table");
        }

        if (token == "true")
        {
            return new TomlBoolean(true, line);
        }

        if (token == "false")
        {
            return new TomlBoolean(false, line);
        }

        if (IsDecimalInteger(token))
        {
            if (!long.TryParse(token.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                throw Error($"the integer for key '{key}' is out of range");
            }

            return new TomlInteger(number, line);
        }

        if (token.Length > 0 && (char.IsAsciiDigit(token[0]) || token[0] is '+' or '-')
            && token.AsSpan(1).IndexOfAny(".eE:-T") >= 0)
        {
            throw Error($"bad value for key '{key}': floats and dates are not supported; write a whole number or a quoted string");
        }

        // The token itself is not quoted back: an unquoted secret would land here.
        throw Error($"bad value for key '{key}': expected a quoted string, an integer, true/false, an array or an inline table (strings need quotes; integers are plain digits without leading zeros, '_' only between digits)");
    }

    private TomlArray ParseArray(string key, int line)
    {
        _pos++; // '['
        var items = new List<TomlValue>();
        while (true)
        {
            SkipSpacesNewlinesAndComments();
            if (AtEnd)
            {
                throw Error($"the array for key '{key}' (line {line}) is not closed with ']'");
            }

            if (Peek == ']')
            {
                _pos++;
                return new TomlArray(items, line);
            }

            var value = ParseValue($"{key}[{items.Count}]");
            items.Add(value is TomlTableHolder holder ? holder.Builder.Freeze() : value);
            SkipSpacesNewlinesAndComments();
            if (AtEnd)
            {
                throw Error($"the array for key '{key}' (line {line}) is not closed with ']'");
            }

            if (Peek == ',')
            {
                _pos++;
            }
            else if (Peek != ']')
            {
                throw Error($"expected ',' or ']' in the array for key '{key}'");
            }
        }
    }

    private TableBuilder ParseInlineTable(string key, int line)
    {
        _pos++; // '{'
        var table = new TableBuilder(line, TableKind.Inline);
        SkipSpaces();
        if (!AtEnd && Peek == '}')
        {
            _pos++;
            return table;
        }

        while (true)
        {
            SkipSpaces();
            if (AtEnd || IsNewlineStart(Peek))
            {
                throw Error($"the inline table for key '{key}' must be closed with '}}' on the same line");
            }

            ParseKeyValue(table);
            SkipSpaces();
            if (AtEnd || IsNewlineStart(Peek))
            {
                throw Error($"the inline table for key '{key}' must be closed with '}}' on the same line");
            }

            if (Peek == '}')
            {
                _pos++;
                return table;
            }

            if (Peek != ',')
            {
                throw Error($"expected ',' or '}}' in the inline table for key '{key}'");
            }

            _pos++;
            SkipSpaces();
            if (!AtEnd && Peek == '}')
            {
                throw Error($"trailing comma in the inline table for key '{key}'");
            }
        }
    }

    private string ParseBasicString()
    {
        var startLine = _line;
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd || IsNewlineStart(Peek))
            {
                throw UnterminatedString(startLine, '"');
            }

            var c = Peek;
            _pos++;
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c == '\\')
            {
                sb.Append(ParseEscape());
                continue;
            }

            if (IsForbiddenControl(c))
            {
                throw Error("control characters are not allowed in strings; use an escape such as \\t or \\u0001");
            }

            sb.Append(c);
        }
    }

    private string ParseEscape()
    {
        if (AtEnd || IsNewlineStart(Peek))
        {
            throw Error("incomplete escape sequence at the end of the line");
        }

        var c = Peek;
        _pos++;
        switch (c)
        {
            case '"': return "\"";
            case '\\': return "\\";
            case 'n': return "\n";
            case 't': return "\t";
            case 'r': return "\r";
            case 'b': return "\b";
            case 'f': return "\f";
            case 'u': return ParseUnicodeEscape(4);
            case 'U': return ParseUnicodeEscape(8);
            default:
                throw Error(c > ' ' && c < 0x7F
                    ? $"invalid escape sequence '\\{c}' (allowed: \\\" \\\\ \\n \\t \\r \\b \\f \\uXXXX \\UXXXXXXXX)"
                    : "invalid escape sequence (allowed: \\\" \\\\ \\n \\t \\r \\b \\f \\uXXXX \\UXXXXXXXX)");
        }
    }

    private string ParseUnicodeEscape(int digits)
    {
        if (_pos + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || _text.AsSpan(_pos, digits).ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            throw Error($"\\{(digits == 4 ? 'u' : 'U')} must be followed by exactly {digits} hex digits");
        }

        if (code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF || code < 0)
        {
            throw Error("the \\u escape is not a Unicode scalar value");
        }

        _pos += digits;
        return char.ConvertFromUtf32(code);
    }

    private string ParseLiteralString()
    {
        var startLine = _line;
        _pos++;
        var start = _pos;
        while (true)
        {
            if (AtEnd || IsNewlineStart(Peek))
            {
                throw UnterminatedString(startLine, '\'');
            }

            var c = Peek;
            if (c == '\'')
            {
                var value = _text[start.._pos];
                _pos++;
                return value;
            }

            if (IsForbiddenControl(c))
            {
                throw Error("control characters are not allowed in strings");
            }

            _pos++;
        }
    }

    private ConfigurationException UnterminatedString(int line, char quote) =>
        ErrorAt(line, $"unterminated string: the closing {quote} is missing before the end of the line");

    private void ExpectEndOfLine()
    {
        SkipSpaces();
        if (AtEnd)
        {
            return;
        }

        if (Peek == '#')
        {
            SkipComment();
            return;
        }

        if (IsNewlineStart(Peek))
        {
            ConsumeNewline();
            return;
        }

        throw Error("unexpected text after the value; put one key = value per line (comments start with '#')");
    }

    private void SkipComment()
    {
        while (!AtEnd && !IsNewlineStart(Peek))
        {
            if (IsForbiddenControl(Peek))
            {
                throw Error("control characters are not allowed in comments");
            }

            _pos++;
        }
    }

    private void SkipSpaces()
    {
        while (!AtEnd && Peek is ' ' or '\t')
        {
            _pos++;
        }
    }

    private void SkipSpacesNewlinesAndComments()
    {
        while (!AtEnd)
        {
            var c = Peek;
            if (c is ' ' or '\t')
            {
                _pos++;
            }
            else if (IsNewlineStart(c))
            {
                ConsumeNewline();
            }
            else if (c == '#')
            {
                SkipComment();
            }
            else
            {
                return;
            }
        }
    }

    private void ConsumeNewline()
    {
        if (Peek == '\r')
        {
            if (_pos + 1 >= _text.Length || _text[_pos + 1] != '\n')
            {
                throw Error("a carriage return must be followed by a line feed");
            }

            _pos++;
        }

        _pos++;
        _line++;
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _text[_pos];

    private bool LookingAt(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private static bool IsNewlineStart(char c) => c is '\n' or '\r';

    private static bool IsBareKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    private static bool IsScalarChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '.' or ':';

    private static bool IsForbiddenControl(char c) => (c < 0x20 && c != '\t') || c == 0x7F;

    /// <summary>TOML decimal integers: optional sign, no leading zeros, '_' only between digits.</summary>
    private static bool IsDecimalInteger(string token)
    {
        var digits = token.AsSpan(token[0] is '+' or '-' ? 1 : 0);
        if (digits.IsEmpty || !char.IsAsciiDigit(digits[0]) || !char.IsAsciiDigit(digits[^1]))
        {
            return false;
        }

        if (digits.Length > 1 && digits[0] == '0')
        {
            return false;
        }

        for (var i = 0; i < digits.Length; i++)
        {
            var c = digits[i];
            if (c == '_')
            {
                if (!char.IsAsciiDigit(digits[i - 1]) || !char.IsAsciiDigit(digits[i + 1]))
                {
                    return false;
                }
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes a key path the way TOML would accept it back: bare where possible, quoted otherwise.</summary>
    internal static string FormatPath(IReadOnlyList<string> path, int count) =>
        string.Join('.', path.Take(count).Select(FormatKey));

    /// <summary>Writes one key bare when it can be, otherwise as a basic string.</summary>
    internal static string FormatKey(string key)
    {
        if (key.Length > 0 && key.All(IsBareKeyChar))
        {
            return key;
        }

        var sb = new StringBuilder("\"");
        foreach (var c in key)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (IsForbiddenControl(c))
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    private ConfigurationException Error(string message) => ErrorAt(_line, message);

    private ConfigurationException ErrorAt(int line, string message) =>
        new($"{_source}:{line}: {message}.", [_source]);
}
