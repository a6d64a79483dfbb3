using System.Text.RegularExpressions;

namespace MixpanelData.Insights;

/// <summary>The common forms of analytics question answered without the client's model.</summary>
internal enum QuestionForm
{
    /// <summary>"How many X last week?": the total over a range.</summary>
    Count,

    /// <summary>"Did X go up?", "X this week vs the week before": the range against the previous equal period.</summary>
    Trend,

    /// <summary>"X per day over two weeks", "weekly X": the series, bucket by bucket.</summary>
    Series,

    /// <summary>"X by Y".</summary>
    Breakdown,

    /// <summary>"Which Y had the most / least X?": the winner, its figure and the runners-up.</summary>
    Top,

    /// <summary>"What share of X comes from each Y?": percentages by a property.</summary>
    Share,

    /// <summary>"How many distinct users did X?": counted exactly from the export of X.</summary>
    Distinct,

    /// <summary>"The activation funnel", "conversion from A to B".</summary>
    Funnel,

    /// <summary>"Retention of users who X", "do users who X come back to do Y?".</summary>
    Retention,

    /// <summary>None of the above.</summary>
    Unrecognised,
}

/// <summary>What a question asks, in terms of the project's real event names.</summary>
/// <param name="Text">The question as asked.</param>
/// <param name="Form">The question's form.</param>
/// <param name="Events">Real events named in the question, in the order they appear.</param>
/// <param name="ByPhrase">For a breakdown, top or share, the words naming the property (e.g. "utm source", "country").</param>
/// <param name="Unique">The question counts users (people, customers, unique) rather than events.</param>
/// <param name="Range">The range the question names, or null for the tool's default.</param>
internal sealed record ParsedQuestion(string Text, QuestionForm Form, IReadOnlyList<string> Events, string? ByPhrase, bool Unique, DayRange? Range)
{
    /// <summary>For a series: <c>day</c>, <c>week</c> or <c>month</c>.</summary>
    public string? Unit { get; init; }

    /// <summary>For a top question: true for the least (fewest, lowest), false for the most.</summary>
    public bool Least { get; init; }

    /// <summary>For a series asked as "which day (week, month) had the most …": lead with the top bucket.</summary>
    public bool Ranked { get; init; }
}

/// <summary>Recognises the common question forms; pure, so its decisions are testable on hand-written questions.</summary>
internal static partial class QuestionParser
{
    public static ParsedQuestion Parse(string question, IReadOnlyCollection<string> events, DateOnly lastDay)
    {
        var text = question.ToLowerInvariant();
        var mentioned = PhraseMatcher.FindEventsLoosely(question, events).Select(m => m.Event).ToList();
        if (mentioned.Count == 0 && NewUsersPattern().IsMatch(text) && ProjectRoles.Detect(events).Signup is { } signup)
        {
            // "New users" are the users who signed up: the project's sign-up event, found among its real names.
            mentioned.Add(signup);
        }
        var range = DayRange.FromWords(question, lastDay);
        var unique = UniquePattern().IsMatch(text);
        ParsedQuestion As(QuestionForm form, string? by = null, bool counted = false) => new(question, form, mentioned, by, counted && unique, range);

        if (RetentionPattern().IsMatch(text))
        {
            return As(QuestionForm.Retention);
        }

        if (FunnelPattern().IsMatch(text) || (mentioned.Count >= 2 && (FromToPattern().IsMatch(text) || GoOnPattern().IsMatch(text))))
        {
            return As(QuestionForm.Funnel);
        }

        if (mentioned.Count == 0)
        {
            return As(QuestionForm.Unrecognised, counted: true);
        }

        var series = SeriesPattern().Match(text);
        if (series.Success)
        {
            var unit = series.Groups.Values.Skip(1).Select(g => g.Value).First(v => v.Length > 0);
            return As(QuestionForm.Series, counted: true) with { Unit = unit switch { "daily" => "day", "weekly" => "week", "monthly" => "month", _ => unit } };
        }

        if (Property(TopPattern().Match(text)) is { } top)
        {
            var least = LeastPattern().IsMatch(top.Extreme);
            return TimeBucket(top.Phrase) is { } bucket
                ? As(QuestionForm.Series, counted: true) with { Unit = bucket, Least = least, Ranked = true }
                : As(QuestionForm.Top, top.Phrase, counted: true) with { Least = least };
        }

        var share = SharePattern().IsMatch(text);
        var by = ByPattern().Match(text);
        var byPhrase = by.Success ? StopPattern().Split(by.Groups[1].Value)[0].Trim() : string.Empty;
        if (share && (byPhrase.Length > 0 || Property(ShareOfPattern().Match(text)) is not null))
        {
            return As(QuestionForm.Share, byPhrase.Length > 0 ? byPhrase : Property(ShareOfPattern().Match(text))!.Value.Phrase, counted: true);
        }

        if (byPhrase.Length > 0)
        {
            return As(QuestionForm.Breakdown, byPhrase, counted: true);
        }

        if (TrendPattern().IsMatch(text))
        {
            return As(QuestionForm.Trend, counted: true);
        }

        if (unique && !DailyUniquePattern().IsMatch(text))
        {
            return As(QuestionForm.Distinct, counted: true);
        }

        return As(QuestionForm.Count, counted: true);
    }

    /// <summary>"day", "date", "week" or "month" (singular or plural) as the thing ranked: the series' unit; anything else is a property.</summary>
    private static string? TimeBucket(string phrase) => phrase.Trim() switch
    {
        "day" or "days" or "date" or "dates" => "day",
        "week" or "weeks" => "week",
        "month" or "months" => "month",
        _ => null,
    };

    /// <summary>The property words a top or share pattern caught, cut at the first word that ends them.</summary>
    private static (string Phrase, string Extreme)? Property(Match match)
    {
        if (!match.Success)
        {
            return null;
        }

        var phrase = StopPattern().Split(match.Groups["p"].Value)[0].Trim();
        return phrase.Length == 0 ? null : (phrase, match.Groups["x"].Value);
    }

    [GeneratedRegex(@"\bnew (?:users|customers|accounts|people|members|sign-?ups)\b")]
    private static partial Regex NewUsersPattern();

    [GeneratedRegex(@"\bretention\b|\bretain|\bcome back\b|\bcoming back\b|\bcame back\b|\breturn(?:s|ed|ing)?\b|\bchurn|\bstick(?:y|iness)?\b")]
    private static partial Regex RetentionPattern();

    [GeneratedRegex(@"\bfunnels?\b|\bconver(?:t|ts|ted|sion|sions)\b|\bdrop(?:[- ]?off| out)\b")]
    private static partial Regex FunnelPattern();

    [GeneratedRegex(@"\bfrom\b.+\bto\b")]
    private static partial Regex FromToPattern();

    [GeneratedRegex(@"\b(?:go|went|going|goes|then|later|after that|and then|on to|onto)\b.*\b(?:percent|share|%|how many|what fraction|proportion)|\b(?:percent|share|%|how many|what fraction|proportion)\b.*\b(?:go on|went on|goes on|then|later|eventually|end up|ended up)\b")]
    private static partial Regex GoOnPattern();

    [GeneratedRegex(@"\b(?:per|each|every|by)\s+(day|week|month)\b|\b(daily|weekly|monthly)\b|\b(day|week|month)\s+by\s+(?:day|week|month)\b")]
    private static partial Regex SeriesPattern();

    [GeneratedRegex(@"\b(?:which|what)\s+(?<p>[a-z0-9_$ -]+?)\s+(?:(?:had|has|have|got|gets|get|do|does|did|is|was|are|were|bought|buys|brought|brings|drove|drives|generated|generates|made|makes|saw|sees|used|uses|produced|sent|sends)\b[^?.!]*?\s)?(?:the\s+)?(?<x>most|least|fewest|highest|lowest|biggest|largest|smallest|best|worst|more|fewer|less)\b|\btop\s+(?:\d+\s+)?(?<p>[a-z0-9_$ -]+?)\s+(?<x>by|for|in|of)\b")]
    private static partial Regex TopPattern();

    [GeneratedRegex(@"^(?:least|fewest|lowest|smallest|worst|fewer|less)$")]
    private static partial Regex LeastPattern();

    [GeneratedRegex(@"\bshares?\b|\bpercent(?:age)?s?\b|%|\bproportions?\b|\bsplit\b|\bmix\b|\bdistribution\b|\bbreakdown\b|\bfraction\b")]
    private static partial Regex SharePattern();

    [GeneratedRegex(@"\b(?:each|every|which)\s+(?<p>[a-z0-9_$ -]+?)(?<x>)(?:\s|[?.!,;]|$)")]
    private static partial Regex ShareOfPattern();

    [GeneratedRegex(@"\b(?:broken down by|split by|segmented by|grouped by|by|per|for each|across|between)\s+(.+)$")]
    private static partial Regex ByPattern();

    [GeneratedRegex(@"\s+(?:last|past|previous|over|in|during|for|this|since|from|between|on|within|and|yesterday|today|had|has|have|did|does|do|got|gets|get|made|saw|see|sees|is|was|are|were|drove|brought|bought|buy|generated|produced|came|come|comes|used|use|uses|account|accounts|make|makes|sign|signed|purchased|searched|logged|with|of|the)\b|[?.!,;]")]
    private static partial Regex StopPattern();

    [GeneratedRegex(@"\btrends?\b|\bover time\b|\bgrow|\bdeclin|\bchang|\bcompar|\bvs\.?\b|\bversus\b|\bprevious period\b|\bincreas|\bdecreas|\bgoing (?:up|down)\b|\b(?:go|went|gone) (?:up|down)\b|\bup or down\b|\bthan (?:the )?(?:week|month|period|days?) before\b|\bweek over week\b|\bmonth over month\b")]
    private static partial Regex TrendPattern();

    [GeneratedRegex(@"\b(?:users|people|customers|unique|uniques|distinct|persons|accounts|visitors|individuals|who)\b")]
    private static partial Regex UniquePattern();

    [GeneratedRegex(@"\bdaily (?:unique|active|users)|\buniques per day\b|\bdaily uniques\b")]
    private static partial Regex DailyUniquePattern();
}
