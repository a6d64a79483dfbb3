namespace MixpanelData.Insights;

/// <summary>
/// The parts a product analysis needs, found among the project's real names (never assumed): the sign-up event, the
/// activation event, the purchase event and its revenue property, the acquisition-channel and platform properties.
/// Any of them may be missing; the questions that need a missing one say so.
/// </summary>
/// <param name="Signup">The sign-up event.</param>
/// <param name="Activation">The activation event.</param>
/// <param name="Purchase">The purchase event.</param>
/// <param name="Revenue">The purchase event's revenue property.</param>
/// <param name="Channel">The acquisition-channel property.</param>
/// <param name="Platform">The platform property.</param>
public sealed record ProjectRoles(string? Signup, string? Activation, string? Purchase, string? Revenue, string? Channel, string? Platform)
{
    private static readonly string[][] SignupNames = [["sign", "up"], ["signup"], ["register"], ["registration"], ["create", "account"], ["account", "created"], ["join"]];
    private static readonly string[][] ActivationNames = [["activate"], ["activation"], ["complete", "onboarding"], ["onboarding", "complete"], ["onboard"], ["create", "project"], ["create"], ["first"], ["invite"], ["complete"]];
    private static readonly string[][] PurchaseNames = [["purchase"], ["order", "completed"], ["order"], ["checkout", "completed"], ["checkout"], ["payment"], ["subscribe"], ["subscription", "started"], ["upgrade"]];
    private static readonly string[] RevenueNames = ["revenue", "amount", "price", "value", "total", "mrr"];
    private static readonly string[] ChannelNames = ["utm_source", "source", "channel", "acquisition_channel", "referrer", "utm_medium", "utm_campaign", "$initial_referring_domain"];
    private static readonly string[] PlatformNames = ["platform", "$os", "$browser", "$device", "device", "mp_lib"];

    /// <summary>Roles among <paramref name="events"/>; properties from the sign-up event's and purchase event's top properties when known.</summary>
    internal static ProjectRoles Detect(IReadOnlyCollection<string> events, IReadOnlyCollection<string>? signupProperties = null, IReadOnlyCollection<string>? purchaseProperties = null)
    {
        var signup = First(events, SignupNames, exclude: null);
        var activation = First(events, ActivationNames, exclude: signup);
        var purchase = First(events, PurchaseNames, exclude: signup, rejectWords: ["failed", "failure", "declined", "cancel", "cancelled", "refund"]);
        return new ProjectRoles(
            signup,
            activation == purchase ? null : activation,
            purchase,
            purchaseProperties is null ? null : Property(purchaseProperties, RevenueNames),
            signupProperties is null ? null : Property(signupProperties, ChannelNames),
            signupProperties is null ? null : Property(signupProperties, PlatformNames));
    }

    private static string? First(IReadOnlyCollection<string> events, string[][] patterns, string? exclude, string[]? rejectWords = null)
    {
        foreach (var pattern in patterns)
        {
            var hit = events
                .Where(e => e != exclude)
                .Select(e => (Name: e, Words: PhraseMatcher.Words(e)))
                .Where(e => rejectWords is null || !e.Words.Any(w => rejectWords.Any(r => PhraseMatcher.SameWord(w, r))))
                .Where(e => Contains(e.Words, pattern))
                .OrderBy(e => e.Words.Count)
                .ThenBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => e.Name)
                .FirstOrDefault();
            if (hit is not null)
            {
                return hit;
            }
        }

        return null;
    }

    private static bool Contains(IReadOnlyList<string> words, string[] pattern)
    {
        for (var i = 0; i + pattern.Length <= words.Count; i++)
        {
            if (pattern.Select((p, k) => PhraseMatcher.SameWord(words[i + k], p)).All(x => x))
            {
                return true;
            }
        }

        return pattern.Length > 1 && PhraseMatcher.SameWord(string.Concat(words), string.Concat(pattern));
    }

    private static string? Property(IReadOnlyCollection<string> properties, string[] preferred) =>
        preferred.Select(p => properties.FirstOrDefault(x => string.Equals(x, p, StringComparison.OrdinalIgnoreCase))).FirstOrDefault(x => x is not null);
}
