using System.Globalization;

namespace MixpanelData.Analytics.Expressions;

/// <summary>
/// Collects the values of a SQL statement's numbered parameters (<c>$1</c>, <c>$2</c>, …), so that every
/// value that came from a user is bound, never spliced into the text. A fragment can be used twice
/// (e.g. in SELECT and GROUP BY) because it refers to its parameters by number.
/// </summary>
internal sealed class SqlParameters
{
    private readonly List<object?> _values = [];

    public IReadOnlyList<object?> Values => _values;

    /// <summary>Adds a value and returns its placeholder, e.g. <c>$3</c>.</summary>
    public string Add(object? value)
    {
        _values.Add(value);
        return "$" + _values.Count.ToString(CultureInfo.InvariantCulture);
    }
}
