using System.Globalization;
using System.Text.Json.Nodes;

namespace MixpanelData.Insights;

/// <summary>
/// Words the answer to a deterministic plan from its steps' digests, naming the figures in the sentence; a failed step
/// is reported as failed, never as zero.
/// </summary>
internal static class DeterministicAnswer
{
    /// <summary>Series longer than this show their first and last values only (every value stays in the steps' data).</summary>
    public const int MaxSeriesShown = 31;

    /// <summary>Runners-up named after the winner of a "which … most" question.</summary>
    public const int RunnersUp = 3;

    /// <summary>Segments given a share before the rest are summed as "other".</summary>
    public const int MaxShares = 10;

    /// <summary>The segment Mixpanel reports for events without the property.</summary>
    public const string Unset = "undefined";

    public static string Compose(DeterministicPlan plan, IReadOnlyList<StepOutcome> outcomes)
    {
        if (plan.Steps.Count == 0 && plan.Export == PlanExport.None)
        {
            return $"This question was not answered by a query ({plan.Meaning})."
                + (plan.ClosestQuestion is { } closest ? $" The closest question answered without a model: \"{closest}\"." : string.Empty)
                + " Tool calls to run: "
                + string.Join("; ", plan.Suggestions.Select(s => $"{s.Tool}({string.Join(", ", s.Arguments.Select(a => $"{a.Key}={Show(a.Value)}"))}) — {s.Why}"))
                + ".";
        }

        var failed = outcomes.Where(o => !o.Ok).ToList();
        if (failed.Count > 0 && plan.Form is not QuestionForm.Trend and not QuestionForm.Distinct)
        {
            return $"The query for {plan.Meaning} failed: {string.Join("; ", failed.Select(f => f.Error))}. No number is given rather than a wrong one.";
        }

        return plan.Form switch
        {
            QuestionForm.Trend => Change(plan, outcomes),
            QuestionForm.Series => Series(plan, outcomes[0].Digest!.Data),
            QuestionForm.Top => Top(plan, outcomes[0].Digest!.Data),
            QuestionForm.Share => Shares(plan, outcomes[0].Digest!.Data),
            QuestionForm.Distinct => Distinct(plan, outcomes),
            QuestionForm.Funnel => Funnel(plan, outcomes[^1].Digest!.Data),
            QuestionForm.Retention => Retention(plan, outcomes[0]),
            QuestionForm.Count when outcomes.Count == 1 && outcomes[0].Step.Op == "segmentation" => Count(plan, outcomes[0].Digest!.Data),
            _ => string.Join(" ", outcomes.Select(o => o.Digest!.Summary + ".")) + (plan.Form == QuestionForm.Count ? $" ({plan.Range.Label})" : string.Empty),
        };
    }

    private static string Count(DeterministicPlan plan, JsonObject data)
    {
        var total = data["total"]!.GetValue<double>();
        var unique = data["type"]!.GetValue<string>() == "unique";
        return $"{data["event"]!.GetValue<string>()}: {N(total)} {(unique ? "daily unique users, summed over the days" : "events")} over {plan.Range.Label} ({plan.Range})"
            + (unique ? $", {N(Math.Round(total / plan.Range.Days, 1))} a day on average." : ".");
    }

    private static string Change(DeterministicPlan plan, IReadOnlyList<StepOutcome> outcomes)
    {
        if (outcomes.Count < 2 || !outcomes[0].Ok)
        {
            return $"The query for {plan.Meaning} failed: {string.Join("; ", outcomes.Where(o => !o.Ok).Select(f => f.Error))}. No number is given rather than a wrong one.";
        }

        var data = outcomes[0].Digest!.Data;
        var e = data["event"]!.GetValue<string>();
        var current = Total(outcomes[0]);
        var previousRange = plan.Range.Previous();
        var text = $"{e}: {N(current)} {What(data)} over {plan.Range.Label} ({plan.Range})";
        if (!outcomes[1].Ok)
        {
            return text + $". The previous period could not be queried ({outcomes[1].Error}), so there is no comparison.";
        }

        var previous = Total(outcomes[1]);
        var direction = current > previous ? "up" : current < previous ? "down" : "unchanged";
        return text + (previous == 0
            ? $", against {N(previous)} over the {plan.Range.Days} days before ({previousRange}); no percent change can be computed from zero."
            : $", {direction} {Percent(Math.Abs(current - previous) / previous)} from {N(previous)} over the {plan.Range.Days} days before ({previousRange}) ({(current - previous >= 0 ? "+" : "-")}{N(Math.Abs(current - previous))}).");
    }

    private static string Series(DeterministicPlan plan, JsonObject data)
    {
        var e = data["event"]!.GetValue<string>();
        var unit = plan.Unit ?? "day";
        if (data["series"] is not JsonArray { Count: > 0 } series)
        {
            return $"{e} per {unit} over {plan.Range.Label} ({plan.Range}): {N(data["total"]!.GetValue<double>())} {What(data)} in all; no {unit}-by-{unit} values were returned.";
        }

        var points = series.OfType<JsonArray>().Select(p => (Date: p[0]!.GetValue<string>(), Value: p[1]!.GetValue<double>())).ToList();
        var shown = points.Count <= MaxSeriesShown
            ? string.Join(", ", points.Select(p => $"{p.Date} {N(p.Value)}"))
            : string.Join(", ", points.Take(3).Select(p => $"{p.Date} {N(p.Value)}")) + $", … ({points.Count - 3 - 14} more) …, " + string.Join(", ", points.TakeLast(14).Select(p => $"{p.Date} {N(p.Value)}"));
        var total = points.Sum(p => p.Value);
        var high = points.MaxBy(p => p.Value);
        var low = points.MinBy(p => p.Value);
        var bucket = unit == "day" ? "day" : $"{unit} (buckets start {(unit == "week" ? "on Mondays" : "on the 1st")}; the first and last may be partial)";
        var sentence = $"{e} per {bucket} over {plan.Range.Label} ({plan.Range}), {What(data)}: {shown}. In all {N(total)}, {Average(total, points.Count)} per {unit} on average; highest {high.Date} ({N(high.Value)}), lowest {low.Date} ({N(low.Value)}).";
        if (!plan.Ranked)
        {
            return sentence;
        }

        // "Which day had the most …": the top bucket first, then the runners-up; ties go to the earlier bucket.
        var ranked = (plan.Least ? points.OrderBy(p => p.Value) : points.OrderByDescending(p => p.Value)).ThenBy(p => p.Date, StringComparer.Ordinal).ToList();
        var next = ranked.Skip(1).Take(3).Select(p => $"{p.Date} ({N(p.Value)})");
        return $"The {unit} with the {(plan.Least ? "fewest" : "most")} {e} over {plan.Range.Label} ({plan.Range}) was {ranked[0].Date}: {N(ranked[0].Value)} {What(data)}; next {string.Join(", ", next)}. {sentence}";
    }

    private static string Top(DeterministicPlan plan, JsonObject data)
    {
        var (e, segments, total) = Breakdown(data);
        var property = plan.Property ?? "segment";
        var ranked = segments.Where(s => s.Name != Unset).OrderBy(s => plan.Least ? s.Total : -s.Total).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        if (ranked.Count == 0)
        {
            return $"No {e} over {plan.Range.Label} ({plan.Range}) had {property} set, so no {property} can be named.";
        }

        var winner = ranked[0];
        var unset = segments.Where(s => s.Name == Unset).Select(s => (double?)s.Total).FirstOrDefault();
        return $"{property} {winner.Name} had the {(plan.Least ? "fewest" : "most")} {e} over {plan.Range.Label} ({plan.Range}): {N(winner.Total)} {What(data)} ({Percent(Share(winner.Total, total))} of {N(total)})"
            + (ranked.Count > 1 ? "; then " + string.Join(", ", ranked.Skip(1).Take(RunnersUp).Select(s => $"{s.Name} {N(s.Total)} ({Percent(Share(s.Total, total))})")) : "; it is the only value")
            + (unset is { } missing ? $"; {N(missing)} had no {property}" : string.Empty)
            + (plan.Least && data["limit_hit"]?.GetValue<bool>() == true ? "; more values exist than were returned, so a rarer one may be missing" : string.Empty)
            + ".";
    }

    private static string Shares(DeterministicPlan plan, JsonObject data)
    {
        var (e, segments, total) = Breakdown(data);
        var property = plan.Property ?? "segment";
        if (total == 0)
        {
            return $"No {e} over {plan.Range.Label} ({plan.Range}), so there are no shares by {property}.";
        }

        var shown = segments.Take(MaxShares).ToList();
        var rest = total - shown.Sum(s => s.Total);
        return $"Shares of {e} by {property} over {plan.Range.Label} ({plan.Range}), of {N(total)} {What(data)}: "
            + string.Join(", ", shown.Select(s => $"{s.Name} {Percent(Share(s.Total, total))} ({N(s.Total)})"))
            + (rest > 0 ? $", other values {Percent(Share(rest, total))} ({N(rest)})" : string.Empty)
            + ".";
    }

    private static string Distinct(DeterministicPlan plan, IReadOnlyList<StepOutcome> outcomes)
    {
        var export = outcomes.FirstOrDefault(o => o.Step.Op == DistinctUsers.Op);
        var daily = outcomes.FirstOrDefault(o => o.Step.Op == "segmentation");
        var summed = daily is { Ok: true } ? daily.Digest!.Data["total"]!.GetValue<double>() : (double?)null;
        var note = summed is { } s ? $"Mixpanel's segmentation sums daily uniques, which gives {N(s)} (a user active on several days counts once per day)." : $"The daily-uniques segmentation failed ({daily?.Error}).";
        if (export is not { Ok: true })
        {
            return $"The exact number of {plan.Meaning} ({plan.Range}) could not be counted: the export failed ({export?.Error ?? "not run"}). {note}";
        }

        var data = export.Digest!.Data;
        return $"{N(data["distinct_users"]!.GetValue<long>())} distinct users did {data["event"]!.GetValue<string>()} over {plan.Range.Label} ({plan.Range}), counted exactly from {(data["table"] is { } table ? $"the {N(data["events"]!.GetValue<long>())} {data["event"]!.GetValue<string>()} events of the local table {table.GetValue<string>()}" : $"the export of {N(data["events"]!.GetValue<long>())} {data["event"]!.GetValue<string>()} events")}. {note}";
    }

    private static string Funnel(DeterministicPlan plan, JsonObject data)
    {
        var saved = data["funnel_id"] is not null;
        var steps = ((JsonArray)data["steps"]!).Select(s => (Event: s!["event"]!.GetValue<string>(), Count: s["count"]!.GetValue<long>())).ToList();
        var name = data["name"]?.GetValue<string>() ?? $"Funnel {data["funnel_id"]}";
        var source = saved
            ? $"From the saved funnel '{name}' (id {data["funnel_id"]}), within its conversion window"
            : $"Counted from the export of these events (no saved funnel starts with them): users entering at their first {(steps.Count > 0 ? steps[0].Event : "first step")} in the range, each later step within {ExportFunnel.WindowDays} days";
        if (steps.Count == 0 || steps[0].Count == 0)
        {
            return $"Nobody entered {(saved ? $"the saved funnel '{name}' (id {data["funnel_id"]})" : $"the funnel {string.Join(" → ", plan.AskedSteps)}")} over {plan.Range.Label} ({plan.Range}).";
        }

        var asked = plan.AskedSteps.Count >= 2 && steps.Select(s => s.Event).Take(plan.AskedSteps.Count).SequenceEqual(plan.AskedSteps) ? plan.AskedSteps.Count : steps.Count;
        var used = steps.Take(asked).ToList();
        var first = used[0];
        var parts = used.Skip(1).Select((s, i) => $"{N(s.Count)} went on to {s.Event} ({Percent(Share(s.Count, first.Count))} of those who did {first.Event}{(i > 0 ? $", {Percent(Share(s.Count, used[i].Count))} of the step before" : string.Empty)})");
        var weakest = Enumerable.Range(1, used.Count - 1).MinBy(i => Share(used[i].Count, used[i - 1].Count));
        return $"Of {N(first.Count)} users who did {first.Event} over {plan.Range.Label} ({plan.Range}), {string.Join(" and ", parts)}"
            + (used.Count > 2 ? $"; the weakest step is {used[weakest - 1].Event} → {used[weakest].Event} at {Percent(Share(used[weakest].Count, used[weakest - 1].Count))}" : string.Empty)
            + $". {source}"
            + (asked < steps.Count ? $"; its later steps ({string.Join(", ", steps.Skip(asked).Select(s => s.Event))}) were not asked about" : string.Empty)
            + ".";
    }

    private static string Retention(DeterministicPlan plan, StepOutcome outcome)
    {
        var data = outcome.Digest!.Data;
        var rates = (JsonObject)data["rates"]!;
        var parts = rates.Select(r => r.Value!["rate"] is not null
            ? $"{Percent(Share(r.Value!["returned"]!.GetValue<long>(), r.Value!["users"]!.GetValue<long>()))} came back on day {r.Key[1..]} ({N(r.Value!["returned"]!.GetValue<long>())} of {N(r.Value!["users"]!.GetValue<long>())} users whose cohort is old enough)"
            : $"day {r.Key[1..]} cannot be measured yet");
        var returning = outcome.Step.Arguments.TryGetValue("event", out var back) && back is not null ? $"to do {back}" : "with any event";
        return $"Of {N(data["cohort_users"]!.GetValue<long>())} users who did {data["born_event"]!.GetValue<string>()} from {plan.Range.From:yyyy-MM-dd} to {plan.Range.To:yyyy-MM-dd}, {string.Join(", ", parts)}, coming back {returning}.";
    }

    private static (string Event, IReadOnlyList<(string Name, double Total)> Segments, double Total) Breakdown(JsonObject data)
    {
        var segments = ((JsonArray)data["segments"]!).Select(s => (Name: s!["name"]!.GetValue<string>(), Total: s["total"]!.GetValue<double>())).ToList();
        return (data["event"]!.GetValue<string>(), segments, data["total"]!.GetValue<double>());
    }

    private static string What(JsonObject data) => data["type"]?.GetValue<string>() == "unique" ? "daily unique users (summed)" : "events";

    private static double Total(StepOutcome outcome) => outcome.Digest!.Data["total"]!.GetValue<double>();

    private static string Average(double total, int count) => (total / count).ToString("N1", CultureInfo.InvariantCulture);

    private static double Share(double part, double whole) => whole == 0 ? 0 : part / whole;

    private static string N(double value) => ResultDigest.N(value);

    /// <summary>A rate as a percentage with one decimal, e.g. 0.4567 → "45.7%".</summary>
    public static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        IEnumerable<string> list => "[" + string.Join(", ", list.Select(x => "\"" + x + "\"")) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
