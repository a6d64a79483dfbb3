using System.Text.RegularExpressions;

namespace MixpanelData.Insights;

/// <summary>The common forms of analytics question answered without the client's model.</summary>
internal enum QuestionForm
{
    /// <summary>"How many X last week?"</summary>
    Count,

    /// <summary>"Trend of X over 30 days", "is X growing?", with a comparison to the previous period.</summary>
    Trend,

    /// <summary>"X by Y".</summary>
    Breakdown,

    /// <summary>"The activation funnel", "conversion from A to B".</summary>
    Funnel,

    /// <summary>"Retention of users who X", "do users who X come back?".</summary>
    Retention,

    /// <summary>None of the above.</summary>
    Unrecognised,
}

/// <summary>What a question asks, in terms of the project's real event names.</summary>
/// <param name="Text">The question as asked.</param>
/// <param name="Form">The question's form.</param>
/// <param name="Events">Real events named in the question, in the order they appear.</param>
/// <param name="ByPhrase">For a breakdown, the words naming the property (e.g. "utm source").</param>
/// <param name="Unique">The question counts users (people, customers, unique) rather than events.</param>
/// <param name="Range">The range the question names, or null for the tool's default.</param>
internal sealed record ParsedQuestion(string Text, QuestionForm Form, IReadOnlyList<string> Events, string? ByPhrase, bool Unique, DayRange? Range);

/// <summary>Recognises the common question forms; pure, so its decisions are testable on hand-written questions.</summary>
internal static partial class QuestionParser
{
    public static ParsedQuestion Parse(string question, IReadOnlyCollection<string> events, DateOnly lastDay)
    {
        var text = question.ToLowerInvariant();
        var mentioned = PhraseMatcher.FindEvents(question, events).Select(m => m.Event).ToList();
        var range = DayRange.FromWords(question, lastDay);
        var unique = UniquePattern().IsMatch(text);

        if (RetentionPattern().IsMatch(text))
        {
            return new ParsedQuestion(question, QuestionForm.Retention, mentioned, null, false, range);
        }

        if (FunnelPattern().IsMatch(text) || (mentioned.Count >= 2 && FromToPattern().IsMatch(text)))
        {
            return new ParsedQuestion(question, QuestionForm.Funnel, mentioned, null, false, range);
        }

        var by = ByPattern().Match(text);
        if (mentioned.Count > 0 && by.Success)
        {
            var phrase = StopPattern().Split(by.Groups[1].Value)[0].Trim();
            if (phrase.Length > 0)
            {
                return new ParsedQuestion(question, QuestionForm.Breakdown, mentioned, phrase, unique, range);
            }
        }

        if (mentioned.Count > 0 && TrendPattern().IsMatch(text))
        {
            return new ParsedQuestion(question, QuestionForm.Trend, mentioned, null, unique, range);
        }

        if (mentioned.Count > 0)
        {
            return new ParsedQuestion(question, QuestionForm.Count, mentioned, null, unique, range);
        }

        return new ParsedQuestion(question, QuestionForm.Unrecognised, mentioned, null, unique, range);
    }

    [GeneratedRegex(@"\bretention\b|\bretain|\bcome back\b|\bcoming back\b|\bcame back\b|\breturn(?:s|ed|ing)?\b|\bchurn|\bstick(?:y|iness)?\b")]
    private static partial Regex RetentionPattern();

    [GeneratedRegex(@"\bfunnels?\b|\bconver(?:t|ts|ted|sion|sions)\b")]
    private static partial Regex FunnelPattern();

    [GeneratedRegex(@"\bfrom\b.+\bto\b")]
    private static partial Regex FromToPattern();

    [GeneratedRegex(@"\b(?:broken down by|split by|segmented by|grouped by|by|per|for each|across)\s+(.+)$")]
    private static partial Regex ByPattern();

    [GeneratedRegex(@"\s+(?:last|past|previous|over|in|during|for|this|since|from|between|on|within|and|yesterday|today)\b|[?.!,;]")]
    private static partial Regex StopPattern();

    [GeneratedRegex(@"\btrends?\b|\bover time\b|\bgrow|\bdeclin|\bchang|\bcompar|\bvs\.?\b|\bversus\b|\bprevious period\b|\bover (?:the )?(?:week|month)\b|\bincreas|\bdecreas|\bgoing (?:up|down)\b|\bdaily\b|\bweekly\b")]
    private static partial Regex TrendPattern();

    [GeneratedRegex(@"\b(?:users|people|customers|unique|distinct|persons|accounts)\b")]
    private static partial Regex UniquePattern();
}
