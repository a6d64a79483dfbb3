namespace MixpanelData.Analytics;

/// <summary>
/// Finds the names closest to a misspelt one: exact ignoring case first, then containment, then edit distance. The one
/// matcher of names typed by people or models against the project's real names (analytics errors, query errors, insights).
/// </summary>
public static class NameSuggestions
{
    /// <summary>The one candidate equal to <paramref name="name"/> ignoring case, spacing and punctuation, or null when none or several are.</summary>
    public static string? Resolve(string name, IEnumerable<string> candidates)
    {
        var wanted = Normalise(name);
        var matches = candidates.Where(c => Normalise(c) == wanted).Distinct(StringComparer.Ordinal).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>Up to <paramref name="max"/> of <paramref name="candidates"/> closest to <paramref name="name"/>, best first; none when nothing is close.</summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = 5)
    {
        var wanted = Normalise(name);
        return [.. candidates
            .Distinct(StringComparer.Ordinal)
            .Select(candidate => (candidate, score: Score(wanted, Normalise(candidate))))
            .Where(x => x.score <= Math.Max(3, wanted.Length / 2))
            .OrderBy(x => x.score)
            .ThenBy(x => x.candidate, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.candidate)];
    }

    private static string Normalise(string text) => new([.. text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private static int Score(string wanted, string candidate)
    {
        if (wanted == candidate)
        {
            return 0;
        }

        if (wanted.Length > 0 && candidate.Length > 0 && (candidate.Contains(wanted, StringComparison.Ordinal) || wanted.Contains(candidate, StringComparison.Ordinal)))
        {
            return 1;
        }

        return 1 + Distance(wanted, candidate);
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
