using System.Text.RegularExpressions;
using MixpanelData.Analytics.Expressions;

namespace MixpanelData.Insights;

/// <summary>Checks a cohort given as a user-property expression (a cohort is a set of users, so only <c>user[...]</c> may be read).</summary>
internal static partial class CohortFilter
{
    /// <summary>
    /// Checks a cohort given as an expression: it must parse and read only user properties (a cohort is a set of users;
    /// <c>properties[...]</c> would filter events instead).
    /// </summary>
    /// <exception cref="ArgumentException">The message says what to write instead.</exception>
    public static string RequireUserExpression(string text, string name)
    {
        if (!MixpanelExpression.TryParse(text, out _, out var error))
        {
            throw new ArgumentException($"{name} is neither a saved cohort id (see list_cohorts) nor a valid expression: {error!.Message}");
        }

        if (!UserReader().IsMatch(text) || EventReader().IsMatch(text))
        {
            throw new ArgumentException($"{name} must be a saved cohort id or an expression over user properties only, e.g. user[\"utm_source\"] == \"referral\" (properties[...] would filter events, not users).");
        }

        return text;
    }

    [GeneratedRegex(@"\buser\s*\[")]
    private static partial Regex UserReader();

    [GeneratedRegex(@"\b(?:properties|event)\s*\[")]
    private static partial Regex EventReader();
}
