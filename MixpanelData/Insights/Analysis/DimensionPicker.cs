using MixpanelData.Analytics;
using System.Text.RegularExpressions;

namespace MixpanelData.Insights.Analysis;

/// <summary>A property of an event as discovery reported it: its name and how many recent events carried it.</summary>
internal sealed record PropertySeen(string Name, long? Count);

/// <summary>A property chosen to break an event down by, with the reason it was chosen.</summary>
internal sealed record Dimension(string Property, string Kind, double? Coverage, string Reason)
{
    /// <summary>The Mixpanel expression of the property.</summary>
    public string Expression => $"properties[\"{Property.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";
}

/// <summary>A property left out or failed, and why.</summary>
/// <param name="Property">The property's name.</param>
/// <param name="Reason">Why it was not examined, or how its breakdown failed.</param>
public sealed record SkippedProperty(string Property, string Reason);

/// <summary>The dimensions to examine, in order, and the properties left out.</summary>
internal sealed record DimensionChoice(IReadOnlyList<Dimension> Chosen, IReadOnlyList<SkippedProperty> Skipped);

/// <summary>
/// Chooses breakdown dimensions among an event's real properties (pure; no I/O). Rules, in order:
/// <list type="number">
/// <item>Identifiers, timestamps, free text, URLs and measures are left out by their name's words (e.g. <c>project_id</c>,
/// <c>created_at</c>, <c>$current_url</c>, <c>revenue</c>): they have a value per event or are numbers, not groups.</item>
/// <item>Properties carried by under 10% of the event's recent occurrences are left out: they cannot explain much.</item>
/// <item>The rest are ordered: coarse before detail (detail = refinements such as <c>$browser_version</c>, <c>$model</c>,
/// <c>$city</c>, <c>$region</c>, <c>utm_campaign</c>, which have many values), then by kind — client and release
/// (browser, OS, device, platform, library, app version) first because releases and clients break most often, then
/// acquisition channel, then place, then the rest — then by coverage, then by name.</item>
/// </list>
/// Value cardinality is measured afterwards by the breakdown itself (a dimension over the segment limit is reported as
/// high-cardinality and not ranked), so no query is spent on probing.
/// </summary>
internal static partial class DimensionPicker
{
    private const double MinCoverage = 0.10;

    private static readonly HashSet<string> IdWords = ["id", "ids", "uuid", "guid", "distinct", "insert", "token", "hash", "session", "email", "phone", "ip", "key", "fingerprint", "anon", "device_id"];
    private static readonly HashSet<string> TimeWords = ["time", "timestamp", "date", "at", "ms", "created", "updated", "seen", "duration", "processing", "epoch", "ts"];
    private static readonly HashSet<string> TextWords = ["url", "uri", "href", "referrer", "title", "query", "term", "message", "text", "comment", "description", "name", "search", "address", "note"];
    private static readonly HashSet<string> MeasureWords = ["revenue", "amount", "price", "count", "total", "value", "quantity", "qty", "score", "lat", "latitude", "lon", "lng", "longitude", "number", "num"];
    private static readonly HashSet<string> ClientWords = ["browser", "os", "device", "platform", "lib", "model", "app", "version", "release", "build", "carrier", "manufacturer", "client"];
    private static readonly HashSet<string> ChannelWords = ["utm", "source", "medium", "campaign", "channel", "referring", "ref", "affiliate", "partner"];
    private static readonly HashSet<string> PlaceWords = ["country", "region", "city", "geo", "locale", "language", "timezone", "continent", "state"];
    private static readonly HashSet<string> DetailWords = ["model", "city", "region", "campaign", "medium", "content", "term", "screen", "wifi"];

    /// <summary>Orders the event's properties into candidates; <paramref name="max"/> bounds how many are chosen.</summary>
    public static DimensionChoice Choose(IReadOnlyList<PropertySeen> properties, int max)
    {
        var chosen = new List<(Dimension Dimension, bool Detail, int KindRank)>();
        var skipped = new List<SkippedProperty>();
        var top = properties.Select(p => p.Count ?? 0).DefaultIfEmpty(0).Max();
        foreach (var property in properties.DistinctBy(p => p.Name, StringComparer.Ordinal))
        {
            var words = Words(property.Name);
            var coverage = top > 0 && property.Count is { } n ? (double)n / top : (double?)null;
            if (Excluded(words) is { } why)
            {
                skipped.Add(new SkippedProperty(property.Name, why));
                continue;
            }

            if (coverage is { } c && c < MinCoverage)
            {
                skipped.Add(new SkippedProperty(property.Name, $"carried by only {c:0%} of the event's recent occurrences"));
                continue;
            }

            var (kind, rank) = Kind(words);
            var detail = IsDetail(words);
            chosen.Add((new Dimension(property.Name, kind, coverage, detail ? $"{kind}, detail" : kind), detail, rank));
        }

        var ordered = chosen
            .OrderBy(c => c.Detail)
            .ThenBy(c => c.KindRank)
            .ThenByDescending(c => c.Dimension.Coverage ?? 0)
            .ThenBy(c => c.Dimension.Property, StringComparer.Ordinal)
            .Select(c => c.Dimension)
            .ToList();
        skipped.AddRange(ordered.Skip(max).Select(d => new SkippedProperty(d.Property, "not examined: the Query API budget allows no more breakdowns")));
        return new DimensionChoice([.. ordered.Take(max)], skipped);
    }

    /// <summary>
    /// The dimensions a caller named, checked against the event's properties: names the event does not carry are
    /// returned as failures (with the closest real names) instead of being queried into an all-"undefined" breakdown.
    /// </summary>
    public static (IReadOnlyList<Dimension> Known, IReadOnlyList<SkippedProperty> Unknown) Given(IReadOnlyList<string> names, IReadOnlyList<PropertySeen> properties, string eventName)
    {
        var top = properties.Select(p => p.Count ?? 0).DefaultIfEmpty(0).Max();
        var known = new List<Dimension>();
        var unknown = new List<SkippedProperty>();
        foreach (var name in names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).Distinct(StringComparer.Ordinal))
        {
            var seen = properties.FirstOrDefault(p => p.Name == name);
            if (seen is null)
            {
                var close = Closest(name, properties.Select(p => p.Name));
                unknown.Add(new SkippedProperty(name, $"'{name}' is not a property of '{eventName}' in its recent events" + (close.Count > 0 ? $"; closest: {string.Join(", ", close)}" : string.Empty)));
                continue;
            }

            var (kind, _) = Kind(Words(name));
            known.Add(new Dimension(name, kind, top > 0 && seen.Count is { } n ? (double)n / top : null, "given"));
        }

        return (known, unknown);
    }

    /// <summary>The lower-case words of a property name: <c>$browser_version</c> → browser, version; <c>signupMethod</c> → signup, method.</summary>
    internal static IReadOnlyList<string> Words(string name) =>
        [.. WordSplit().Split(CamelSplit().Replace(name.TrimStart('$'), "$1 $2")).Where(w => w.Length > 0).Select(w => w.ToLowerInvariant())];

    private static string? Excluded(IReadOnlyList<string> words)
    {
        if (words.Count == 0)
        {
            return "no name";
        }

        if (words.Any(IdWords.Contains))
        {
            return "an identifier (one value per user or object)";
        }

        if (words.Any(TimeWords.Contains))
        {
            return "a time or duration";
        }

        if (words.Any(TextWords.Contains))
        {
            return "free text or a URL";
        }

        return words.Any(MeasureWords.Contains) ? "a numeric measure, not a group" : null;
    }

    private static (string Kind, int Rank) Kind(IReadOnlyList<string> words) =>
        words.Any(ClientWords.Contains) ? ("client and release", 0)
        : words.Any(ChannelWords.Contains) ? ("acquisition channel", 1)
        : words.Any(PlaceWords.Contains) ? ("place", 2)
        : ("other", 3);

    // A version of something other than the app (browser, OS) is a refinement; the app's own version is a release.
    private static bool IsDetail(IReadOnlyList<string> words) =>
        words.Any(DetailWords.Contains) || (words.Contains("version") && !words.Contains("app"));

    /// <summary>Up to three names closest to <paramref name="name"/> (see <see cref="NameSuggestions"/>).</summary>
    internal static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates) => NameSuggestions.Closest(name, candidates, 3);

    [GeneratedRegex("([a-z0-9])([A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex CamelSplit();

    [GeneratedRegex(@"[\s_\-\.:/]+", RegexOptions.CultureInvariant)]
    private static partial Regex WordSplit();
}
