using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MixpanelData.Analytics.Expressions;

namespace MixpanelData.Insights;

/// <summary>A user-property filter that may describe a saved cohort exactly: every member has one of <paramref name="Values"/>.</summary>
internal sealed record CohortFilterCandidate(string Property, IReadOnlyList<string> Values, string Expression);

/// <summary>
/// Mixpanel's Query API filters events by user properties (<c>user["..."]</c> in <c>where</c>), not by saved cohort id, and
/// <c>/cohorts/list</c> does not return a cohort's definition. A saved cohort is therefore turned into a filter from its
/// members (<c>/engage</c> with <c>filter_by_cohort</c>): a property that every member has, with at most a few values, is a
/// candidate, and it is used only once a count shows that it selects exactly as many profiles as the cohort has members
/// (members ⊆ candidate, and equal sizes, make the sets equal). Pure: candidates come from the member profiles alone.
/// </summary>
internal static partial class CohortFilter
{
    public const int MaxValues = 3;

    /// <summary>Candidates from the members' profile properties, best first: fewest values, then ordinary (non-$) properties, then by name.</summary>
    public static IReadOnlyList<CohortFilterCandidate> Candidates(IReadOnlyList<JsonElement> members, int max = 3)
    {
        if (members.Count == 0)
        {
            return [];
        }

        Dictionary<string, HashSet<string>>? shared = null;
        var kinds = new Dictionary<string, JsonValueKind>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            var scalars = new Dictionary<string, string>(StringComparer.Ordinal);
            if (member.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in member.EnumerateObject())
                {
                    if (Literal(property.Value) is { } literal)
                    {
                        scalars[property.Name] = literal;
                        kinds[property.Name] = property.Value.ValueKind;
                    }
                }
            }

            if (shared is null)
            {
                shared = scalars.ToDictionary(p => p.Key, p => new HashSet<string>(StringComparer.Ordinal) { p.Value }, StringComparer.Ordinal);
            }
            else
            {
                foreach (var name in shared.Keys.ToList())
                {
                    if (!scalars.TryGetValue(name, out var value))
                    {
                        shared.Remove(name);
                        continue;
                    }

                    shared[name].Add(value);
                    if (shared[name].Count > MaxValues)
                    {
                        shared.Remove(name);
                    }
                }
            }
        }

        return [.. shared!
            .OrderBy(p => p.Value.Count)
            .ThenBy(p => p.Key.StartsWith('$') ? 1 : 0)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(max)
            .Select(p =>
            {
                var values = p.Value.Order(StringComparer.Ordinal).ToList();
                var reader = $"user[{MixpanelExpression.Quote(p.Key)}]";
                var expression = values.Count == 1 ? $"{reader} == {values[0]}" : $"{reader} in [{string.Join(", ", values)}]";
                return new CohortFilterCandidate(p.Key, values, expression);
            })];
    }

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

    /// <summary>The value as an expression literal, or null when it is not a string, number or boolean.</summary>
    private static string? Literal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => MixpanelExpression.Quote(value.GetString()!),
        JsonValueKind.Number => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    [GeneratedRegex(@"\buser\s*\[")]
    private static partial Regex UserReader();

    [GeneratedRegex(@"\b(?:properties|event)\s*\[")]
    private static partial Regex EventReader();
}
