using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Discovery;
using MixpanelData.Fetching;
using MixpanelData.Mcp.Hosting;
using MixpanelData.Queries;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

using MixpanelData.Analytics;
using MixpanelData.Insights;
using MixpanelData.Insights.Analysis;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// <c>cohort_comparison</c>: two cohorts (saved ids or user-property expressions) compared on D1/D7/D30 retention after
/// sign-up, weekly activity and event volume per member, through the Query API's segmentation, retention and frequency
/// endpoints filtered with <c>user["..."]</c> expressions (no JQL), with two-proportion z-tests where samples allow.
/// </summary>
[McpServerToolType]
[Toolset("composed")]
internal sealed class CohortComparisonTool(WorkspaceHolder workspaces, TimeProvider time)
{
    private const int DefaultDays = 60;
    private const int MaxMembersRead = 50_000;

    [McpServerTool(Name = "cohort_comparison", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Compare two cohorts — saved cohort ids (list_cohorts) or user-property expressions like user[\"utm_source\"] == \"referral\" — on D1/D7/D30 retention after sign-up (z-tests with sample sizes), weekly activity and event volume per member. About 15-20 Query API calls, never more than budget (measured). Dates YYYY-MM-DD, default the 60 days ending yesterday.")]
    public async Task<CallToolResult> CohortComparisonAsync(
        [Description("Cohort A: a saved cohort id or a user-property expression.")] string cohort_a,
        [Description("Cohort B: a saved cohort id or a user-property expression.")] string cohort_b,
        [Description("First day (sign-up cohorts and activity), YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Most Query API calls to spend (5-40).")] int budget = 20,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(budget, 5, 40, "budget");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var end = Guard.Date(to_date, today.AddDays(-1), "to_date");
        var (from, to) = Guard.Range(from_date ?? end.AddDays(1 - DefaultDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today);
        var specA = Spec(cohort_a, "cohort_a");
        var specB = Spec(cohort_b, "cohort_b");
        var workspace = workspaces.Current;
        var queries = new QueryBudget(budget);
        var problems = new List<JsonObject>();

        IReadOnlyList<CohortSummary>? saved = null;
        if (specA.Id is not null || specB.Id is not null)
        {
            var listed = await queries.RunAsync("list cohorts (names and sizes)", 1, ct => workspace.Discovery.CohortsAsync(ct), cancellationToken).ConfigureAwait(false);
            saved = listed.Value ?? throw new InvalidOperationException($"The saved cohorts could not be listed: {listed.Error}");
            foreach (var spec in new[] { specA, specB }.Where(s => s.Id is not null))
            {
                if (saved.All(c => c.Id != spec.Id))
                {
                    throw new ArgumentException($"No saved cohort has id {spec.Id}; saved cohorts: {string.Join("; ", saved.Select(c => $"{c.Id} {c.Name}"))}.");
                }
            }
        }

        var a = await ResolveAsync(workspace, specA, saved, queries, cancellationToken).ConfigureAwait(false);
        var b = await ResolveAsync(workspace, specB, saved, queries, cancellationToken).ConfigureAwait(false);
        var events = await queries.RunAsync("list events (to find the sign-up event)", 1, ct => workspace.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
        var signup = events.Value is { } names ? ProjectRoles.Detect(names).Signup : null;

        IReadOnlyList<RetentionContrast> retention = [];
        if (a.Filter is null || b.Filter is null)
        {
            problems.Add(Problem("all comparisons", string.Join(" ", new[] { a, b }.Where(c => c.Filter is null).Select(c => c.Problem))));
        }
        else if (signup is null)
        {
            problems.Add(Problem("retention", events.Ok ? "no sign-up event was found among the project's events to start retention cohorts" : $"the events could not be listed ({events.Error})"));
        }
        else
        {
            var ra = await queries.RunAsync($"retention after {signup}, {a.Label}", 1, ct => workspace.Query.RetentionAsync(RetentionQuery(signup, from, to, a.Filter), ct), cancellationToken).ConfigureAwait(false);
            var rb = await queries.RunAsync($"retention after {signup}, {b.Label}", 1, ct => workspace.Query.RetentionAsync(RetentionQuery(signup, from, to, b.Filter), ct), cancellationToken).ConfigureAwait(false);
            if (ra.Ok && rb.Ok)
            {
                retention = CohortComparison.Retention(ra.Value!.Overall, rb.Value!.Overall, 30);
            }
            else
            {
                Fail(problems, "retention", ra.Error ?? rb.Error!);
            }
        }

        ActivityContrast? activity = null;
        var eventContrasts = new List<EventContrast>();
        if (a.Filter is not null && b.Filter is not null)
        {
            var fa = await queries.RunAsync($"weekly activity, {a.Label}", 1, ct => workspace.Query.FrequencyAsync(FrequencyQuery(from, to, a.Filter), ct), cancellationToken).ConfigureAwait(false);
            var fb = await queries.RunAsync($"weekly activity, {b.Label}", 1, ct => workspace.Query.FrequencyAsync(FrequencyQuery(from, to, b.Filter), ct), cancellationToken).ConfigureAwait(false);
            activity = fa.Ok && fb.Ok ? CohortComparison.Activity(fa.Value!, a.Members, fb.Value!, b.Members, to) : null;
            if (!fa.Ok || !fb.Ok)
            {
                Fail(problems, "activity", fa.Error ?? fb.Error!);
            }
            else if (activity is null)
            {
                problems.Add(Problem("activity", "the range holds no complete week (Monday to Sunday)"));
            }

            await CompareEventsAsync(workspace, events.Value, a, b, from, to, queries, eventContrasts, problems, cancellationToken).ConfigureAwait(false);
        }

        var findings = CohortComparison.Findings(a.Label, b.Label, retention, activity, eventContrasts);
        var skipped = queries.Log.Where(q => q.Outcome == "skipped").Select(q => q.Purpose).ToList();
        if (skipped.Count > 0)
        {
            problems.Add(Problem(string.Join(", ", skipped), $"skipped to stay within the budget of {budget} Query API calls"));
        }

        var node = new JsonObject
        {
            ["cohorts"] = new JsonArray(a.ToJson(), b.ToJson()),
            ["from_date"] = Day(from),
            ["to_date"] = Day(to),
            ["born_event"] = signup,
            ["retention"] = new JsonArray([.. retention.Select(r => new JsonObject
            {
                ["day"] = r.Day,
                ["a"] = Rate(r.A),
                ["b"] = Rate(r.B),
                ["z"] = r.Test.Z is { } z ? Math.Round(z, 3) : null,
                ["p_value"] = r.Test.PValue is { } p ? Math.Round(p, 6) : null,
                ["significant"] = r.Test.Significant,
                ["not_testable"] = r.Test.NotTestable,
            })]),
            ["activity"] = activity is null ? null : JsonSerializer.SerializeToNode(activity, ToolJson.Options),
            ["events_per_member"] = JsonSerializer.SerializeToNode(eventContrasts, ToolJson.Options),
            ["findings"] = new JsonArray([.. findings.Select(f => JsonValue.Create(f))]),
            ["unanswered"] = new JsonArray([.. problems]),
            ["budget"] = JsonSerializer.SerializeToNode(queries.Report(), ToolJson.Options),
        };
        var text = new StringBuilder($"A = {a.Label}, B = {b.Label}; sign-ups and activity {Day(from)}..{Day(to)}:\n");
        foreach (var finding in findings)
        {
            text.Append("- ").Append(finding).Append('\n');
        }

        foreach (var problem in problems)
        {
            text.Append(CultureInfo.InvariantCulture, $"- Not answered ({problem["what"]}): {problem["reason"]}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Query API calls: {queries.Spent} of a budget of {budget}.");
        return ToolJson.Result(node, text.ToString());
    }

    private static async Task CompareEventsAsync(Workspace workspace, IReadOnlyList<string>? names, Cohort a, Cohort b, DateOnly from, DateOnly to, QueryBudget queries, List<EventContrast> contrasts, List<JsonObject> problems, CancellationToken cancellationToken)
    {
        if (names is null || names.Count == 0)
        {
            problems.Add(Problem("events per member", "the project's events could not be listed"));
            return;
        }

        var counted = await queries.RunAsync("event volumes of the project (to pick the top events)", 1, ct => workspace.Query.EventCountsAsync(new EventCountsQuery([.. names.Take(50)], from, to) { Unit = TimeUnit.Month }, ct), cancellationToken).ConfigureAwait(false);
        if (!counted.Ok)
        {
            Fail(problems, "events per member", counted.Error!);
            return;
        }

        var left = queries.Limit - queries.Spent;
        var top = counted.Value!.Segments.Where(s => s.Total > 0).OrderByDescending(s => s.Total).Select(s => s.Name).Take(Math.Clamp(left / 2, 0, 5)).ToList();
        foreach (var name in top)
        {
            var ta = await queries.RunAsync($"{name} volume, {a.Label}", 1, ct => workspace.Query.SegmentationAsync(new SegmentationQuery(name, from, to) { Unit = TimeUnit.Month, Where = a.Filter }, ct), cancellationToken).ConfigureAwait(false);
            var tb = await queries.RunAsync($"{name} volume, {b.Label}", 1, ct => workspace.Query.SegmentationAsync(new SegmentationQuery(name, from, to) { Unit = TimeUnit.Month, Where = b.Filter }, ct), cancellationToken).ConfigureAwait(false);
            if (ta.Ok && tb.Ok)
            {
                contrasts.Add(CohortComparison.Events(name, ta.Value!.Segments.Sum(s => s.Total), a.Members, tb.Value!.Segments.Sum(s => s.Total), b.Members));
            }
            else
            {
                Fail(problems, $"{name} per member", ta.Error ?? tb.Error!);
            }
        }
    }

    /// <summary>Turns a cohort argument into a user-property filter and a member count, spending what that takes.</summary>
    private static async Task<Cohort> ResolveAsync(Workspace workspace, CohortSpec spec, IReadOnlyList<CohortSummary>? saved, QueryBudget queries, CancellationToken cancellationToken)
    {
        if (spec.Id is not { } id)
        {
            var count = await queries.RunAsync($"members of {spec.Text}", 1, ct => workspace.Fetch.CountProfilesAsync(new StreamProfilesRequest { Where = spec.Text }, ct), cancellationToken).ConfigureAwait(false);
            return count.Ok
                ? new Cohort(spec.Text, spec.Text, null, count.Value, spec.Text, "given", null)
                : new Cohort(spec.Text, spec.Text, null, 0, null, null, $"The members of {spec.Text} could not be counted: {count.Error}.");
        }

        var summary = saved!.First(c => c.Id == id);
        var label = $"{summary.Name} ({id})";
        var members = await queries.RunAsync($"members of cohort {id} (engage filter_by_cohort; later pages are free)", 1, ct => ReadMembersAsync(workspace, id, ct), cancellationToken).ConfigureAwait(false);
        if (!members.Ok)
        {
            return new Cohort(label, spec.Text, id, 0, null, null, $"The members of cohort {id} could not be read: {members.Error}.");
        }

        if (members.Value!.Count >= MaxMembersRead)
        {
            return new Cohort(label, spec.Text, id, members.Value.Count, null, null, $"Cohort {id} has more than {MaxMembersRead:N0} members, too many to turn into a filter; pass it as a user-property expression instead.");
        }

        var total = members.Value.Count;
        var candidates = CohortFilter.Candidates(members.Value);
        foreach (var candidate in candidates)
        {
            var matching = await queries.RunAsync($"profiles matching {candidate.Expression} (to check it is exactly cohort {id})", 1, ct => workspace.Fetch.CountProfilesAsync(new StreamProfilesRequest { Where = candidate.Expression }, ct), cancellationToken).ConfigureAwait(false);
            if (matching.Ok && matching.Value == total)
            {
                return new Cohort(label, spec.Text, id, total, candidate.Expression, $"inferred from the members: all {total:N0} have {candidate.Property} in {{{string.Join(", ", candidate.Values)}}}, and exactly {total:N0} profiles match {candidate.Expression}", null);
            }
        }

        return new Cohort(label, spec.Text, id, total, null, null,
            $"Cohort {id} ({summary.Name}) could not be expressed exactly as a filter on one user property ({(candidates.Count == 0 ? "its members share no property with at most 3 values" : $"tried {string.Join(", ", candidates.Select(c => c.Expression))}")}); the Query API cannot filter events by cohort id, so pass the cohort's definition as a user-property expression.");
    }

    private static async Task<IReadOnlyList<JsonElement>> ReadMembersAsync(Workspace workspace, long id, CancellationToken cancellationToken)
    {
        var members = new List<JsonElement>();
        await foreach (var profile in workspace.Fetch.StreamProfilesAsync(new StreamProfilesRequest { CohortId = id }, cancellationToken).ConfigureAwait(false))
        {
            members.Add(profile.Properties);
            if (members.Count >= MaxMembersRead)
            {
                break;
            }
        }

        return members;
    }

    private static CohortSpec Spec(string text, string name)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 1000)
        {
            throw new ArgumentException($"{name} must be a saved cohort id (list_cohorts) or a user-property expression of at most 1000 characters.");
        }

        text = text.Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? new CohortSpec(text, id)
            : new CohortSpec(CohortFilter.RequireUserExpression(text, name), null);
    }

    private static RetentionQuery RetentionQuery(string born, DateOnly from, DateOnly to, string filter) =>
        new(from, to) { BornEvent = born, BornWhere = filter, Unit = TimeUnit.Day, IntervalCount = 30 };

    private static FrequencyQuery FrequencyQuery(DateOnly from, DateOnly to, string filter) =>
        new(from, to) { Unit = TimeUnit.Week, AddictionUnit = TimeUnit.Day, Where = filter };

    private static JsonObject Rate(BucketRate rate) => new() { ["rate"] = rate.Rate is { } r ? Math.Round(r, 4) : null, ["returned"] = rate.Returned, ["users"] = rate.Users };

    private static JsonObject Problem(string what, string reason) => new() { ["what"] = what, ["reason"] = reason };

    /// <summary>Reports a failed sub-query; skipped ones are reported once, together, as skipped for the budget.</summary>
    private static void Fail(List<JsonObject> problems, string what, string error)
    {
        if (!error.StartsWith("skipped", StringComparison.Ordinal))
        {
            problems.Add(Problem(what, error));
        }
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record CohortSpec(string Text, long? Id);

    /// <summary>A resolved cohort: its label, the filter that selects it (null when none could be found), and its size.</summary>
    private sealed record Cohort(string Label, string Given, long? Id, long Members, string? Filter, string? FilterOrigin, string? Problem)
    {
        public JsonObject ToJson() => new()
        {
            ["label"] = Label,
            ["given"] = Given,
            ["saved_cohort_id"] = Id,
            ["members"] = Members,
            ["filter"] = Filter,
            ["filter_origin"] = FilterOrigin,
            ["problem"] = Problem,
        };
    }
}
