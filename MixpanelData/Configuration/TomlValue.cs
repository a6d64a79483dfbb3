using System.Globalization;

namespace MixpanelData.Configuration;

/// <summary>
/// A value read from a TOML document, with the 1-based line it was written on so that later
/// validation can point at it. String values are never shown by <see cref="object.ToString"/>:
/// the same model carries the account secret.
/// </summary>
internal abstract class TomlValue
{
    private protected TomlValue(int line) => Line = line;

    /// <summary>The 1-based line the value (or the table's header) appears on.</summary>
    public int Line { get; }

    /// <summary>The TOML type name, for error messages ("string", "integer", …).</summary>
    public abstract string TypeName { get; }

    /// <summary>The type name with its article, for "not an integer" style messages.</summary>
    public string Described => (TypeName[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + TypeName;
}

/// <summary>A basic or literal string.</summary>
internal sealed class TomlString(string value, int line) : TomlValue(line)
{
    public string Value { get; } = value;

    public override string TypeName => "string";

    // The value may be a secret, so only its shape is described.
    public override string ToString() => $"string ({Value.Length} chars, line {Line})";
}

/// <summary>A 64-bit integer.</summary>
internal sealed class TomlInteger(long value, int line) : TomlValue(line)
{
    public long Value { get; } = value;

    public override string TypeName => "integer";

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>true</c> or <c>false</c>.</summary>
internal sealed class TomlBoolean(bool value, int line) : TomlValue(line)
{
    public bool Value { get; } = value;

    public override string TypeName => "boolean";

    public override string ToString() => Value ? "true" : "false";
}

/// <summary>An array of values.</summary>
internal sealed class TomlArray(IReadOnlyList<TomlValue> items, int line) : TomlValue(line)
{
    public IReadOnlyList<TomlValue> Items { get; } = items;

    public override string TypeName => "array";

    public override string ToString() => $"array ({Items.Count} items, line {Line})";
}

/// <summary>A table: a standard <c>[table]</c>, an implicit parent of one, a dotted-key table or an inline table.</summary>
internal sealed class TomlTable : TomlValue
{
    private readonly Dictionary<string, TomlValue> _entries;

    public TomlTable(IReadOnlyList<KeyValuePair<string, TomlValue>> entries, int line, bool isInline)
        : base(line)
    {
        _entries = new Dictionary<string, TomlValue>(entries.Count, StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            _entries.Add(key, value);
        }

        Keys = entries.Select(e => e.Key).ToArray();
        IsInline = isInline;
    }

    /// <summary>The keys in the order they first appear in the document.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Whether the table was written inline (<c>{ a = 1 }</c>).</summary>
    public bool IsInline { get; }

    public override string TypeName => "table";

    /// <summary>The value stored under <paramref name="key"/>, if any.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TomlValue? value) =>
        _entries.TryGetValue(key, out value);

    public override string ToString() => $"table ({Keys.Count} keys, line {Line})";
}
