namespace MixpanelData.Analytics.Expressions;

/// <summary>
/// A parsed Mixpanel segmentation expression, as used in <c>where</c>, <c>on</c> and <c>born_where</c>:
/// <c>properties["$browser"] == "Chrome" and defined(user["plan"])</c>. Parsing checks the grammar; use it
/// to validate user input before spending a query on it.
/// </summary>
public sealed class MixpanelExpression
{
    private MixpanelExpression(string text, Node root)
    {
        Text = text;
        Root = root;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    internal Node Root { get; }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="ExpressionException">The text is not a valid expression; the message points at the problem.</exception>
    public static MixpanelExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new MixpanelExpression(text, Parser.Parse(text));
    }

    /// <summary>Parses <paramref name="text"/>, returning the problem instead of throwing.</summary>
    public static bool TryParse(string text, out MixpanelExpression? expression, out ExpressionException? error)
    {
        try
        {
            expression = Parse(text);
            error = null;
            return true;
        }
        catch (ExpressionException ex)
        {
            expression = null;
            error = ex;
            return false;
        }
    }

    /// <summary>The expression text that reads event property <paramref name="name"/>: <c>properties["name"]</c>, quoted safely.</summary>
    public static string Property(string name) => $"properties[{Quote(name)}]";

    /// <summary>A string literal in expression syntax, with quotes and backslashes escaped.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    internal string ToFilterSql(ExpressionColumns columns, SqlParameters parameters) => SqlTranslator.Filter(Text, Root, columns, parameters);

    internal string ToSegmentKeySql(ExpressionColumns columns, SqlParameters parameters) => SqlTranslator.SegmentKey(Text, Root, columns, parameters);

    internal string ToNumberSql(ExpressionColumns columns, SqlParameters parameters) => SqlTranslator.Number(Text, Root, columns, parameters);

    /// <inheritdoc />
    public override string ToString() => Text;
}
