using MixpanelData.Discovery;
using MixpanelData.Insights.Analysis;

namespace MixpanelData.Insights;

/// <summary>Finds the dimensions a smart tool breaks an event down by: the caller's (checked against the event's real properties) or chosen by <see cref="DimensionPicker"/>.</summary>
internal static class SmartDimensions
{
    /// <summary>
    /// Lists the event's properties (1 Query API call unless cached) and returns the dimensions that fit in what is
    /// left of <paramref name="spend"/> after holding back <paramref name="reserve"/> calls, those left out, and those that
    /// failed (unknown names, failed discovery).
    /// </summary>
    public static async Task<(List<Dimension> Chosen, List<SkippedProperty> Skipped, List<SkippedProperty> Failures)> ChooseAsync(DiscoveryClient discovery, QueryBudget spend, string eventName, IReadOnlyList<string>? given, int reserve, CancellationToken cancellationToken)
    {
        var failures = new List<SkippedProperty>();
        var skipped = new List<SkippedProperty>();
        var properties = await spend.RunAsync($"properties of {eventName}", 1, ct => discovery.PropertiesAsync(eventName, 100, ct), cancellationToken).ConfigureAwait(false);
        var seen = properties.Ok ? properties.Value!.Select(p => new PropertySeen(p.Name, p.Count)).ToList() : null;
        var room = Math.Max(0, spend.Limit - spend.Spent - reserve);
        List<Dimension> chosen;
        if (given is { Count: > 0 })
        {
            if (seen is null)
            {
                // Without the property list the names cannot be checked; query them and let the answers speak.
                failures.Add(new SkippedProperty("(properties)", $"property discovery failed, dimensions not checked: {properties.Error}"));
                chosen = [.. given.Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal).Select(n => new Dimension(n.Trim(), "given", null, "given"))];
            }
            else
            {
                var (known, unknown) = DimensionPicker.Given(given, seen, eventName);
                failures.AddRange(unknown);
                chosen = [.. known];
            }

            skipped.AddRange(chosen.Skip(room).Select(d => new SkippedProperty(d.Property, "not examined: the Query API budget allows no more breakdowns")));
            chosen = [.. chosen.Take(room)];
        }
        else if (seen is null)
        {
            failures.Add(new SkippedProperty("(properties)", $"property discovery failed, so no dimension could be chosen: {properties.Error}"));
            chosen = [];
        }
        else
        {
            var choice = DimensionPicker.Choose(seen, room);
            skipped.AddRange(choice.Skipped);
            chosen = [.. choice.Chosen];
        }

        return (chosen, skipped, failures);
    }
}
