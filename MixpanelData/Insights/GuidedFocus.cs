using MixpanelData.Analytics;
using MixpanelData.Discovery;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>What a guided analysis looks at.</summary>
public enum FocusKind
{
    /// <summary>New users: the sign-up event's trend and where it comes from.</summary>
    Acquisition,

    /// <summary>A saved activation funnel's conversion.</summary>
    Activation,

    /// <summary>Users returning after the sign-up event.</summary>
    Retention,

    /// <summary>The purchase event's trend.</summary>
    Monetisation,

    /// <summary>One of the project's top events.</summary>
    Event,
}

/// <summary>A focus the project supports, with the real event (and saved funnel) behind it.</summary>
/// <param name="Value">The <c>focus</c> argument that picks it, e.g. <c>acquisition</c> or <c>event:Page View</c>.</param>
/// <param name="Title">What it analyses, in words.</param>
/// <param name="Kind">The kind of analysis.</param>
/// <param name="Event">The event analysed (acquisition, monetisation, event), born on (retention) or entering the funnel (activation); segments are its properties.</param>
/// <param name="FunnelId">The saved funnel, for activation.</param>
public sealed record FocusOption(string Value, string Title, FocusKind Kind, string Event, long? FunnelId = null);

/// <summary>The focuses a project offers and its event names (to resolve a focus named as an event).</summary>
/// <param name="Options">The focuses.</param>
/// <param name="EventNames">The project's events.</param>
public sealed record FocusCatalog(IReadOnlyList<FocusOption> Options, IReadOnlyList<string> EventNames);

/// <summary>
/// The focuses a project offers, derived from its real events, top events and saved funnels: acquisition needs a
/// sign-up-like event, activation also a saved funnel named for activation or onboarding, monetisation a purchase-like
/// event; the top events are offered as they are.
/// </summary>
internal static class GuidedFocus
{
    private static readonly string[] SignUpNames = ["signup", "signedup", "register", "registered", "registration", "createaccount", "accountcreated", "userregistered", "install"];
    private static readonly string[] PurchaseNames = ["purchase", "ordercompleted", "orderplaced", "checkoutcompleted", "paymentsucceeded", "subscriptionstarted", "subscribe", "transaction"];
    private static readonly string[] NotAPurchase = ["fail", "cancel", "refund", "abandon", "declin", "error"];

    /// <summary>The project's focuses: discovery through <paramref name="budget"/> (event names, top events, saved funnels; cached by the workspace).</summary>
    public static async Task<Outcome<FocusCatalog>> DiscoverAsync(DiscoveryClient discovery, QueryBudget budget, CancellationToken cancellationToken)
    {
        var names = await budget.RunAsync("event names", 1, ct => discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
        if (!names.Ok)
        {
            return new Outcome<FocusCatalog>(null, names.Error);
        }

        var top = await budget.RunAsync("top events", 1, ct => discovery.TopEventsAsync(CountType.General, 10, ct), cancellationToken).ConfigureAwait(false);
        var funnels = await budget.RunAsync("saved funnels", 1, ct => discovery.FunnelsAsync(ct), cancellationToken).ConfigureAwait(false);

        var options = new List<FocusOption>();
        var signUp = Find(names.Value!, SignUpNames, []);
        var purchase = Find(names.Value!, PurchaseNames, NotAPurchase);
        if (signUp is not null)
        {
            options.Add(new FocusOption("acquisition", $"Acquisition: {signUp} trend and where new users come from", FocusKind.Acquisition, signUp));
            var activation = funnels.Value?.FirstOrDefault(f => f.Name.Contains("activat", StringComparison.OrdinalIgnoreCase) || f.Name.Contains("onboard", StringComparison.OrdinalIgnoreCase));
            if (activation is not null)
            {
                options.Add(new FocusOption("activation", $"Activation: conversion of the saved funnel '{activation.Name}'", FocusKind.Activation, signUp, activation.FunnelId));
            }

            options.Add(new FocusOption("retention", $"Retention: users coming back after {signUp}", FocusKind.Retention, signUp));
        }

        if (purchase is not null)
        {
            options.Add(new FocusOption("monetisation", $"Monetisation: {purchase} trend and who buys", FocusKind.Monetisation, purchase));
        }

        foreach (var item in top.Value?.Events.Take(5) ?? [])
        {
            options.Add(new FocusOption($"event:{item.Event}", $"{item.Event}: trend and breakdown ({item.Amount:N0} on the latest day)", FocusKind.Event, item.Event));
        }

        if (!top.Ok && options.Count == 0)
        {
            return new Outcome<FocusCatalog>(null, top.Error);
        }

        return new Outcome<FocusCatalog>(new FocusCatalog(options, names.Value!), null);
    }

    /// <summary>The option a <c>focus</c> argument names: a focus value, <c>monetization</c>, or any real event name (with or without <c>event:</c>).</summary>
    public static FocusOption Resolve(string focus, FocusCatalog catalog)
    {
        var (options, eventNames) = (catalog.Options, catalog.EventNames);
        var wanted = focus.Trim();
        if (wanted.Equals("monetization", StringComparison.OrdinalIgnoreCase))
        {
            wanted = "monetisation";
        }

        if (options.FirstOrDefault(o => o.Value.Equals(wanted, StringComparison.OrdinalIgnoreCase)) is { } option)
        {
            return option;
        }

        var name = wanted.StartsWith("event:", StringComparison.OrdinalIgnoreCase) ? wanted[6..].Trim() : wanted;
        if (eventNames.Contains(name, StringComparer.Ordinal) || NameSuggestions.Resolve(name, eventNames) is not null)
        {
            var real = eventNames.Contains(name, StringComparer.Ordinal) ? name : NameSuggestions.Resolve(name, eventNames)!;
            return new FocusOption($"event:{real}", $"{real}: trend and breakdown", FocusKind.Event, real);
        }

        var close = NameSuggestions.Closest(name, eventNames, 3);
        throw new ArgumentException($"focus must be one of {string.Join(", ", options.Select(o => o.Value))}, or an event of the project, not '{focus}'."
            + (close.Count > 0 ? $" Did you mean event:{close[0]}?" : string.Empty));
    }

    private static string? Find(IReadOnlyList<string> names, string[] wanted, string[] excluded)
    {
        var candidates = names.Where(n => !excluded.Any(x => n.Contains(x, StringComparison.OrdinalIgnoreCase))).ToList();
        foreach (var key in wanted)
        {
            if (candidates.FirstOrDefault(n => Squash(n) == key) is { } exact)
            {
                return exact;
            }
        }

        return wanted.Select(key => candidates.FirstOrDefault(n => Squash(n).Contains(key, StringComparison.Ordinal))).FirstOrDefault(n => n is not null);
    }

    private static string Squash(string text) => new([.. text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
}
