using System.Globalization;
using System.Text.Json.Nodes;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>A question's answer: <c>answered</c> with numbers, or <c>unanswerable</c>/<c>failed</c>/<c>skipped</c> with the reason.</summary>
internal sealed record GqmAnswer(string Status, string Text, JsonObject? Numbers);

/// <summary>Computes each question's answer from its queries' results (library records). Pure, so each figure can be checked by hand.</summary>
internal static class GqmAnswers
{
    /// <summary>The answer of <paramref name="question"/>; <paramref name="results"/> maps query keys to a result, and <paramref name="errors"/> to why one is missing.</summary>
    public static GqmAnswer Answer(GqmQuestion question, IReadOnlyDictionary<string, object> results, IReadOnlyDictionary<string, string> errors)
    {
        if (question.Unanswerable is { } reason)
        {
            return new GqmAnswer("unanswerable", reason, null);
        }

        var missing = question.Queries.FirstOrDefault(q => !results.ContainsKey(q.Key));
        if (missing is not null)
        {
            var why = errors.TryGetValue(missing.Key, out var e) ? e : "not run";
            return new GqmAnswer(why.StartsWith("skipped", StringComparison.Ordinal) ? "skipped" : "failed", $"{missing.Purpose}: {why}", null);
        }

        T R<T>(int i) => (T)results[question.Queries[i].Key];
        return question.Measure switch
        {
            GqmMeasure.OverallRetention => OverallRetention(R<RetentionResult>(0)),
            GqmMeasure.RetentionBySegment => RetentionBySegment(R<RetentionResult>(0)),
            GqmMeasure.RetentionCompare => RetentionCompare(R<RetentionResult>(0), R<RetentionResult>(1)),
            GqmMeasure.Frequency => Frequency(R<FrequencyResult>(0)),
            GqmMeasure.WeeklyActiveTrend => WeeklyActive(R<FrequencyResult>(0)),
            GqmMeasure.Trend => Trend(R<SegmentationResult>(0).Segments.Sum(s => s.Total), R<SegmentationResult>(1).Segments.Sum(s => s.Total), R<SegmentationResult>(0).Event),
            GqmMeasure.Breakdown => Breakdown(R<SegmentationResult>(0)),
            GqmMeasure.FunnelOverall => FunnelOverall(R<SavedFunnelResult>(0)),
            GqmMeasure.FunnelBySegment => FunnelBySegment(R<SavedFunnelResult>(0)),
            GqmMeasure.RevenueTrend => Trend(R<NumericAggregateResult>(0).Values.Sum(), R<NumericAggregateResult>(1).Values.Sum(), "revenue"),
            GqmMeasure.TopEventsTrend => TopEvents(R<SegmentationResult>(0), R<SegmentationResult>(1)),
            _ => new GqmAnswer("failed", $"no answer for {question.Measure}", null),
        };
    }

    private static GqmAnswer OverallRetention(RetentionResult result)
    {
        var rates = RetentionMath.Milestone(result.Overall, result.Query.IntervalCount);
        return new GqmAnswer("answered", $"Of {RetentionMath.CohortUsers(result.Overall):N0} new users, " + string.Join(", ", rates.Select(r => r.Describe())) + " came back.", Rates(rates));
    }

    private static GqmAnswer RetentionBySegment(RetentionResult result)
    {
        var segments = result.Segments
            .Select(s => (s.Segment, D7: RetentionMath.At(s, 7), D30: RetentionMath.At(s, 30)))
            .Where(s => s.D7.Users >= 30)
            .OrderByDescending(s => s.D7.Rate)
            .ToList();
        if (segments.Count < 2)
        {
            return new GqmAnswer("answered", "Fewer than two segments have 30 or more users old enough for D7, so they are not compared.", null);
        }

        var best = segments[0];
        var worst = segments[^1];
        var test = Statistics.TwoProportions(best.D7.Returned, best.D7.Users, worst.D7.Returned, worst.D7.Users);
        var text = $"Best at D7: {best.Segment} {best.D7.Rate:P1} (n={best.D7.Users:N0}); worst: {worst.Segment} {worst.D7.Rate:P1} (n={worst.D7.Users:N0}); {test.Describe()}. "
            + "D7/D30 by segment: " + string.Join(", ", segments.Select(s => $"{s.Segment} {Pct(s.D7.Rate)}/{Pct(s.D30.Rate)}")) + ".";
        var numbers = new JsonObject
        {
            ["segments"] = new JsonArray([.. segments.Select(s => new JsonObject { ["segment"] = s.Segment, ["d7"] = Round(s.D7.Rate), ["d7_users"] = s.D7.Users, ["d30"] = Round(s.D30.Rate), ["d30_users"] = s.D30.Users })]),
            ["best_vs_worst_d7"] = new JsonObject { ["z"] = test.Z is { } z ? Math.Round(z, 3) : null, ["p_value"] = test.PValue is { } p ? Math.Round(p, 6) : null, ["significant"] = test.Significant },
        };
        return new GqmAnswer("answered", text, numbers);
    }

    private static GqmAnswer RetentionCompare(RetentionResult activated, RetentionResult all)
    {
        var a = RetentionMath.At(activated.Overall, 7);
        var b = RetentionMath.At(all.Overall, 7);
        var text = $"D7 after {activated.Query.BornEvent}: {Pct(a.Rate)} (n={a.Users:N0}); after {all.Query.BornEvent}: {Pct(b.Rate)} (n={b.Users:N0}). The groups overlap, so no test is made.";
        return new GqmAnswer("answered", text, new JsonObject { ["activated_d7"] = Round(a.Rate), ["activated_users"] = a.Users, ["all_d7"] = Round(b.Rate), ["all_users"] = b.Users });
    }

    private static GqmAnswer Frequency(FrequencyResult result)
    {
        var periods = result.Periods.Where(p => p.Counts.Count > 0 && p.Counts[0] > 0).ToList();
        if (periods.Count == 0)
        {
            return new GqmAnswer("answered", "No user was active in the range.", null);
        }

        var active = periods.Sum(p => p.Counts[0]);
        var days = periods.Sum(p => p.Counts.Sum());
        var threePlus = periods.Sum(p => p.Counts.Count > 2 ? p.Counts[2] : 0);
        var text = $"An active user is active on {(double)days / active:0.00} days a week on average; {(double)threePlus / active:P1} of weekly actives use the product on 3 or more days (over {periods.Count} weeks).";
        return new GqmAnswer("answered", text, new JsonObject { ["mean_active_days"] = Math.Round((double)days / active, 3), ["share_3_plus_days"] = Math.Round((double)threePlus / active, 4), ["weeks"] = periods.Count });
    }

    private static GqmAnswer WeeklyActive(FrequencyResult result)
    {
        var complete = result.Periods
            .Where(p => DateOnly.TryParseExact(p.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d >= result.Query.FromDate && d.AddDays(6) <= result.Query.ToDate && p.Counts.Count > 0)
            .ToList();
        if (complete.Count < 2)
        {
            return new GqmAnswer("answered", "The range holds fewer than two complete weeks, so there is no trend.", null);
        }

        var first = complete[0].Counts[0];
        var last = complete[^1].Counts[0];
        var text = $"Weekly active users: {first:N0} in the week of {complete[0].Date}, {last:N0} in the week of {complete[^1].Date} ({Change(last, first)}).";
        return new GqmAnswer("answered", text, new JsonObject { ["first_week"] = complete[0].Date, ["first"] = first, ["last_week"] = complete[^1].Date, ["last"] = last });
    }

    private static GqmAnswer Trend(double current, double previous, string what)
    {
        var text = $"{what}: {ResultDigest.N(Math.Round(current, 2))} against {ResultDigest.N(Math.Round(previous, 2))} in the period before ({Change(current, previous)}).";
        return new GqmAnswer("answered", text, new JsonObject { ["current"] = Math.Round(current, 2), ["previous"] = Math.Round(previous, 2), ["change"] = previous == 0 ? null : Math.Round((current - previous) / previous, 4) });
    }

    private static GqmAnswer Breakdown(SegmentationResult result)
    {
        var total = result.Segments.Sum(s => s.Total);
        var top = result.Segments.Take(8).ToList();
        var text = $"{result.Event} by {result.On}: " + string.Join(", ", top.Select(s => $"{s.Name} {ResultDigest.N(s.Total)} ({(total == 0 ? 0 : s.Total / total):P0})")) + ".";
        return new GqmAnswer("answered", text, new JsonObject { ["total"] = total, ["segments"] = new JsonArray([.. top.Select(s => new JsonObject { ["segment"] = s.Name, ["total"] = s.Total })]) });
    }

    private static GqmAnswer FunnelOverall(SavedFunnelResult result)
    {
        var o = result.Overall;
        var worst = o.Steps.Count > 1 ? o.WorstStep : 0;
        var text = $"{result.Name}: {o.Entered:N0} entered, {o.Completed:N0} completed ({o.ConversionRate:P1}); the weakest step is {worst + 1} ({o.Steps[worst].Event}) at {o.Steps[worst].StepConversion:P1}.";
        return new GqmAnswer("answered", text, new JsonObject { ["entered"] = o.Entered, ["completed"] = o.Completed, ["conversion"] = Math.Round(o.ConversionRate, 4), ["weakest_step"] = worst + 1, ["weakest_step_conversion"] = Math.Round(o.Steps[worst].StepConversion, 4) });
    }

    private static GqmAnswer FunnelBySegment(SavedFunnelResult result)
    {
        var segments = result.Segments.Where(s => s.Entered >= 30).OrderByDescending(s => s.ConversionRate).ToList();
        if (segments.Count < 2)
        {
            return new GqmAnswer("answered", "Fewer than two segments have 30 or more users entering, so they are not compared.", null);
        }

        var best = segments[0];
        var worst = segments[^1];
        var test = Statistics.TwoProportions(best.Completed, best.Entered, worst.Completed, worst.Entered);
        var text = $"Best: {best.Segment} {best.ConversionRate:P1} of {best.Entered:N0}; worst: {worst.Segment} {worst.ConversionRate:P1} of {worst.Entered:N0}; {test.Describe()}.";
        return new GqmAnswer("answered", text, new JsonObject { ["segments"] = new JsonArray([.. segments.Select(s => new JsonObject { ["segment"] = s.Segment, ["entered"] = s.Entered, ["conversion"] = Math.Round(s.ConversionRate, 4) })]) });
    }

    private static GqmAnswer TopEvents(SegmentationResult current, SegmentationResult previous)
    {
        var before = previous.Segments.ToDictionary(s => s.Name, s => s.Total, StringComparer.Ordinal);
        var top = current.Segments.Where(s => s.Total > 0).OrderByDescending(s => s.Total).Take(6).ToList();
        var text = "Most used: " + string.Join(", ", top.Select(s => $"{s.Name} {ResultDigest.N(s.Total)} ({Change(s.Total, before.GetValueOrDefault(s.Name))})")) + ".";
        return new GqmAnswer("answered", text, new JsonObject { ["events"] = new JsonArray([.. top.Select(s => new JsonObject { ["event"] = s.Name, ["current"] = s.Total, ["previous"] = before.GetValueOrDefault(s.Name) })]) });
    }

    private static JsonObject Rates(IReadOnlyList<BucketRate> rates)
    {
        var node = new JsonObject();
        foreach (var r in rates)
        {
            node[$"d{r.Bucket}"] = new JsonObject { ["rate"] = Round(r.Rate), ["returned"] = r.Returned, ["users"] = r.Users };
        }

        return node;
    }

    private static string Change(double current, double previous) => previous == 0 ? "no earlier value to compare" : ((current - previous) / previous).ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture);

    private static string Pct(double? rate) => rate is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "n/a";

    private static double? Round(double? rate) => rate is { } r ? Math.Round(r, 4) : null;
}
