using System.Text;
using MixpanelData.Analytics;

namespace MixpanelData.Insights;

/// <summary>Where a real event name was found in a question: the event and the first word it covers.</summary>
internal sealed record EventMention(string Event, int Position);

/// <summary>
/// Matches the words of a question to the project's real names: case-insensitive, tolerant of plurals and simple verb
/// forms ("signups", "sign-ups", "signed up" → <c>Sign Up</c>; "created a project" → <c>Create Project</c>), and of
/// names written as one word or several ("log in" ↔ <c>Login</c>).
/// </summary>
internal static class PhraseMatcher
{
    private static readonly HashSet<string> Fillers = ["a", "an", "the", "their", "his", "her", "my", "our", "your"];

    private static readonly Dictionary<string, string[]> PropertySynonyms = new(StringComparer.Ordinal)
    {
        ["channel"] = ["utm_source", "source", "channel", "referrer", "utm_medium"],
        ["acquisition"] = ["utm_source", "source", "channel"],
        ["country"] = ["mp_country_code", "country_code", "country"],
        ["device"] = ["platform", "$device", "device"],
        ["campaign"] = ["utm_campaign", "campaign"],
        ["medium"] = ["utm_medium"],
        ["source"] = ["utm_source", "source", "channel", "referrer"],
        ["operating"] = ["$os", "os"],
        ["system"] = ["$os", "os"],
        ["tier"] = ["plan", "tier"],
        ["subscription"] = ["plan", "tier"],
    };

    /// <summary>
    /// Plain-English words for common product actions, read as the words of an event name ("bought" → purchase,
    /// "registered" → sign up). Only applied to the question; the event is still found among the project's real names.
    /// </summary>
    private static readonly Dictionary<string, string[]> ActionWords = new(StringComparer.Ordinal)
    {
        ["buy"] = ["purchase"],
        ["buys"] = ["purchase"],
        ["bought"] = ["purchase"],
        ["buying"] = ["purchase"],
        ["buyers"] = ["purchase"],
        ["paid"] = ["purchase"],
        ["register"] = ["sign", "up"],
        ["registered"] = ["sign", "up"],
        ["registration"] = ["sign", "up"],
        ["registrations"] = ["sign", "up"],
        ["joined"] = ["sign", "up"],
        ["searching"] = ["search"],
        ["searched"] = ["search"],
    };

    /// <summary>Lower-case words of letters and digits; everything else separates words.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>Whether two words are the same word up to a plural or a simple verb ending.</summary>
    public static bool SameWord(string a, string b) => a == b || Stems(a).Overlaps(Stems(b));

    /// <summary>The real events named in <paramref name="question"/>, in the order they appear; longer names win overlaps.</summary>
    public static IReadOnlyList<EventMention> FindEvents(string question, IEnumerable<string> events) => FindEvents(Words(question), events);

    /// <summary>
    /// The real events a person's question names: as <see cref="FindEvents(string, IEnumerable{string})"/>, with plain
    /// action words read as event words ("bought" → purchase) and, when nothing matches, a misspelt one-word event
    /// ("serches" → <c>Search</c>) found by <see cref="NameSuggestions"/> (same first letter, length within one).
    /// </summary>
    public static IReadOnlyList<EventMention> FindEventsLoosely(string question, IReadOnlyCollection<string> events)
    {
        var words = Words(question).SelectMany(w => ActionWords.TryGetValue(w, out var read) ? read : [w]).ToList();
        var found = FindEvents(words, events);
        if (found.Count > 0)
        {
            return found;
        }

        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word.Length < 5)
            {
                continue;
            }

            // The word as typed and without a plural ending ("serches" → "serche"), so a plural is not counted as a typo.
            var close = new[] { word, word.TrimEnd('s') }.Distinct().SelectMany(w => NameSuggestions.Closest(w, events, 1)).FirstOrDefault(e =>
            {
                var name = string.Concat(Words(e));
                return name.Length > 0 && name[0] == word[0] && Math.Abs(name.Length - word.TrimEnd('s').Length) <= 1;
            });
            if (close is not null)
            {
                return [new EventMention(close, i)];
            }
        }

        return found;
    }

    private static IReadOnlyList<EventMention> FindEvents(IReadOnlyList<string> words, IEnumerable<string> events)
    {
        var found = new List<(string Event, int Start, int End, int Length)>();
        foreach (var name in events.Distinct(StringComparer.Ordinal))
        {
            var target = Words(name);
            if (target.Count == 0)
            {
                continue;
            }

            for (var start = 0; start < words.Count; start++)
            {
                if (Fillers.Contains(words[start]))
                {
                    continue;
                }

                var end = MatchAt(words, start, target);
                if (end > start)
                {
                    found.Add((name, start, end, string.Concat(target).Length));
                    break;
                }
            }
        }

        var taken = new bool[words.Count];
        var kept = new List<EventMention>();
        foreach (var match in found.OrderByDescending(f => f.Length).ThenBy(f => f.Start))
        {
            if (Enumerable.Range(match.Start, match.End - match.Start).Any(i => taken[i]))
            {
                continue;
            }

            for (var i = match.Start; i < match.End; i++)
            {
                taken[i] = true;
            }

            kept.Add(new EventMention(match.Event, match.Start));
        }

        return [.. kept.OrderBy(m => m.Position)];
    }

    /// <summary>
    /// The property a phrase such as "utm source", "browser" or "channel" names, among <paramref name="properties"/>:
    /// the same words first, then a name containing the phrase's words (shortest first), then known synonyms.
    /// </summary>
    public static string? MatchProperty(string phrase, IEnumerable<string> properties)
    {
        var wanted = Words(phrase).Where(w => !Fillers.Contains(w)).ToList();
        if (wanted.Count == 0)
        {
            return null;
        }

        var candidates = properties.Distinct(StringComparer.Ordinal).Select(p => (Name: p, Words: Words(p))).Where(p => p.Words.Count > 0).ToList();
        var exact = candidates.Where(c => SameWords(c.Words, wanted)).Select(c => c.Name).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).FirstOrDefault();
        if (exact is not null)
        {
            return exact;
        }

        var containing = candidates
            .Where(c => wanted.All(w => c.Words.Any(x => SameWord(x, w))))
            .OrderBy(c => c.Words.Count)
            .ThenBy(c => c.Name.Length)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
        if (containing is not null)
        {
            return containing;
        }

        foreach (var word in wanted)
        {
            if (PropertySynonyms.TryGetValue(word, out var synonyms))
            {
                var hit = synonyms.FirstOrDefault(s => candidates.Any(c => string.Equals(c.Name, s, StringComparison.OrdinalIgnoreCase)));
                if (hit is not null)
                {
                    return candidates.First(c => string.Equals(c.Name, hit, StringComparison.OrdinalIgnoreCase)).Name;
                }
            }
        }

        return null;
    }

    /// <summary>Up to <paramref name="max"/> names closest to <paramref name="name"/> (see <see cref="NameSuggestions"/>).</summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = 3) => NameSuggestions.Closest(name, candidates, max);

    /// <summary>The first word after the event match, or -1: the words from <paramref name="start"/> spell <paramref name="target"/>.</summary>
    private static int MatchAt(IReadOnlyList<string> words, int start, IReadOnlyList<string> target)
    {
        var joinedTarget = string.Concat(target);
        var span = new List<string>();
        for (var end = start; end < words.Count && span.Count <= target.Count + 1; end++)
        {
            if (Fillers.Contains(words[end]) && span.Count > 0)
            {
                continue;
            }

            span.Add(words[end]);
            if (SameWords(span, target) || SameWord(string.Concat(span), joinedTarget))
            {
                return end + 1;
            }
        }

        return -1;
    }

    private static bool SameWords(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.Zip(b).All(p => SameWord(p.First, p.Second));

    private static HashSet<string> Stems(string word)
    {
        var stems = new HashSet<string>(StringComparer.Ordinal) { word };
        void Strip(string suffix, string replacement = "")
        {
            if (word.Length - suffix.Length >= 2 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                stems.Add(word[..^suffix.Length] + replacement);
            }
        }

        Strip("s");
        Strip("es");
        Strip("ies", "y");
        Strip("d");
        Strip("ed");
        Strip("ing");
        Strip("ing", "e");
        return stems;
    }
}
