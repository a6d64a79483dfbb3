using System.Globalization;
using System.Text.Json.Nodes;

namespace MixpanelData.Insights;

/// <summary>Words the answer to a deterministic plan from its steps' digests; a failed step is reported as failed, never as zero.</summary>
internal static class DeterministicAnswer
{
    public static string Compose(DeterministicPlan plan, IReadOnlyList<StepOutcome> outcomes)
    {
        if (plan.Steps.Count == 0)
        {
            return $"This question was not answered by a query ({plan.Meaning}). Closest tool calls: "
                + string.Join("; ", plan.Suggestions.Select(s => $"{s.Tool}({string.Join(", ", s.Arguments.Select(a => $"{a.Key}={Show(a.Value)}"))}) — {s.Why}"))
                + ".";
        }

        var failed = outcomes.Where(o => !o.Ok).ToList();
        if (failed.Count > 0 && plan.Form != QuestionForm.Trend)
        {
            return $"The query for {plan.Meaning} failed: {string.Join("; ", failed.Select(f => f.Error))}. No number is given rather than a wrong one.";
        }

        switch (plan.Form)
        {
            case QuestionForm.Trend:
                {
                    if (outcomes.Count < 2 || !outcomes[0].Ok)
                    {
                        return $"The query for {plan.Meaning} failed: {string.Join("; ", failed.Select(f => f.Error))}.";
                    }

                    var current = Total(outcomes[0]);
                    var days = plan.Range.Days;
                    var text = $"{plan.Meaning}: {ResultDigest.N(current)} over {plan.Range.Label} ({plan.Range}), {ResultDigest.N(Math.Round(current / days, 1))} a day on average";
                    text += Peak(outcomes[0]);
                    if (!outcomes[1].Ok)
                    {
                        return text + $". The previous period could not be queried ({outcomes[1].Error}), so there is no comparison.";
                    }

                    var previous = Total(outcomes[1]);
                    return text + $"; the {days} days before had {ResultDigest.N(previous)}"
                        + (previous == 0 ? " (no change can be computed from zero)." : $", a change of {(current - previous) / previous:+0.0%;-0.0%;0.0%}.");
                }

            case QuestionForm.Retention:
                {
                    var data = outcomes[0].Digest!.Data;
                    var rates = (JsonObject)data["rates"]!;
                    var parts = rates.Select(r => r.Value!["rate"] is { } rate
                        ? $"{rate.GetValue<double>():P1} on day {r.Key[1..]} (of {ResultDigest.N(r.Value!["users"]!.GetValue<long>())} users old enough)"
                        : $"day {r.Key[1..]} cannot be measured yet");
                    return $"Of {ResultDigest.N(data["cohort_users"]!.GetValue<long>())} users who did {data["born_event"]!.GetValue<string>()} from {plan.Range.From:yyyy-MM-dd} to {plan.Range.To:yyyy-MM-dd}, {string.Join(", ", parts)} came back{(outcomes[0].Step.Arguments.ContainsKey("event") ? $" with {outcomes[0].Step.Arguments["event"]}" : " (any event)")}.";
                }

            case QuestionForm.Count when outcomes.Count == 1 && outcomes[0].Step.Op == "segmentation":
                {
                    var data = outcomes[0].Digest!.Data;
                    var total = data["total"]!.GetValue<double>();
                    var unique = data["type"]!.GetValue<string>() == "unique";
                    return $"{data["event"]!.GetValue<string>()}: {ResultDigest.N(total)} {(unique ? "daily unique users, summed over the days" : "events")} over {plan.Range.Label} ({plan.Range})"
                        + (unique ? $", {ResultDigest.N(Math.Round(total / plan.Range.Days, 1))} a day on average." : ".");
                }

            default:
                return string.Join(" ", outcomes.Select(o => o.Digest!.Summary + ".")) + (plan.Form == QuestionForm.Count ? $" ({plan.Range.Label})" : string.Empty);
        }
    }

    private static double Total(StepOutcome outcome) => outcome.Digest!.Data["total"]!.GetValue<double>();

    private static string Peak(StepOutcome outcome)
    {
        if (outcome.Digest!.Data["series"] is not JsonArray series || series.Count == 0)
        {
            return string.Empty;
        }

        var best = series.OfType<JsonArray>().MaxBy(p => p[1]!.GetValue<double>())!;
        return $"; the highest {(series.Count > 0 ? "bucket" : string.Empty)} was {best[0]!.GetValue<string>()} with {ResultDigest.N(best[1]!.GetValue<double>())}";
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        IEnumerable<string> list => "[" + string.Join(", ", list.Select(x => "\"" + x + "\"")) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
