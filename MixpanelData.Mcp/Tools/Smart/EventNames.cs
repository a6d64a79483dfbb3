namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>Matching the names a user or model typed against the project's real names.</summary>
internal static class EventNames
{
    /// <summary>Up to <paramref name="max"/> real names that look like <paramref name="name"/>: same letters ignoring case and spacing, then containing or contained, then sharing the most words.</summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = 3)
    {
        var wanted = Squash(name);
        var words = Words(name);
        return [.. candidates
            .Select(c => (c, score: Squash(c) == wanted ? 3 : Squash(c).Contains(wanted, StringComparison.Ordinal) || (wanted.Length > 0 && wanted.Contains(Squash(c), StringComparison.Ordinal)) ? 2 : Words(c).Intersect(words).Any() ? 1 : 0))
            .Where(x => x.score > 0)
            .OrderByDescending(x => x.score)
            .ThenBy(x => x.c, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.c)];
    }

    /// <summary>The real name that matches ignoring case and spacing, if exactly one does.</summary>
    public static string? Resolve(string name, IEnumerable<string> candidates)
    {
        var matches = candidates.Where(c => Squash(c) == Squash(name)).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    private static string Squash(string text) => new([.. text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private static HashSet<string> Words(string text) =>
        [.. text.Split([' ', '_', '-', '.', '$'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.ToLowerInvariant()).Where(w => w.Length > 2)];
}
