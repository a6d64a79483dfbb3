namespace MixpanelData.Analytics.Expressions;

/// <summary>
/// A Mixpanel segmentation expression (<c>where</c>, <c>on</c>, <c>born_where</c>) could not be parsed or
/// translated. The message shows the expression with a caret under <see cref="Position"/>.
/// </summary>
public sealed class ExpressionException : MixpanelException
{
    /// <summary>Creates the exception.</summary>
    public ExpressionException(string problem, string expression, int position)
        : base(Describe(problem, expression, position))
    {
        Problem = problem;
        Expression = expression;
        Position = position;
    }

    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.InvalidExpression;

    /// <summary>What is wrong, without the expression.</summary>
    public string Problem { get; }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>The 0-based character offset of the problem.</summary>
    public int Position { get; }

    private static string Describe(string problem, string expression, int position)
    {
        const int Window = 60;
        var start = Math.Max(0, position - Window);
        var end = Math.Min(expression.Length, position + Window);
        var excerpt = expression[start..end].Replace('\n', ' ').Replace('\r', ' ');
        var prefix = start > 0 ? "…" : string.Empty;
        var caret = new string(' ', prefix.Length + position - start) + "^";
        return $"{problem} at position {position + 1}:\n  {prefix}{excerpt}{(end < expression.Length ? "…" : string.Empty)}\n  {caret}";
    }
}
