using System.Globalization;
using System.Text;
using System.Text.Json;
using MixpanelData.Discovery;
using MixpanelData.Fetching;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>Two cohorts to compare over a range.</summary>
/// <param name="CohortA">A saved cohort id, or a user-property expression such as <c>user["utm_source"] == "referral"</c>.</param>
/// <param name="CohortB">The other cohort, likewise.</param>
/// <param name="From">First day (sign-up cohorts and activity).</param>
/// <param name="To">Last day.</param>
public sealed record CohortComparisonRequest(string CohortA, string CohortB, DateOnly From, DateOnly To)
{
    /// <summary>Most Query API calls to spend (5-40).</summary>
    public int Budget { get; init; } = 20;
}

/// <summary>A cohort as compared: its label, the filter that selects it (null when none could be found), and its size.</summary>
/// <param name="Label">How the findings name it.</param>
/// <param name="Given">The argument as given.</param>
/// <param name="Id">The saved cohort's id, for a saved cohort.</param>
/// <param name="Members">Its members.</param>
/// <param name="Filter">The user-property filter that selects exactly its members.</param>
/// <param name="FilterOrigin">Where the filter came from (given, or inferred from the members).</param>
/// <param name="Problem">Why it could not be compared, if it could not.</param>
public sealed record ComparedCohort(string Label, string Given, long? Id, long Members, string? Filter, string? FilterOrigin, string? Problem);

/// <summary>Something the comparison could not answer, and why.</summary>
/// <param name="What">The comparison.</param>
/// <param name="Reason">Why it is not answered.</param>
public sealed record Unanswered(string What, string Reason);

/// <summary>Two cohorts compared on D1/D7/D30 retention after sign-up, weekly activity and event volume per member.</summary>
/// <param name="A">Cohort A.</param>
/// <param name="B">Cohort B.</param>
/// <param name="From">First day.</param>
/// <param name="To">Last day.</param>
/// <param name="BornEvent">The sign-up event retention starts from, if one was found.</param>
/// <param name="Retention">D1, D7 and D30 of each cohort, tested.</param>
/// <param name="Activity">The last complete week's activity, tested.</param>
/// <param name="EventsPerMember">Top events' volume per member.</param>
/// <param name="Findings">The findings in words, strongest evidence first.</param>
/// <param name="Unanswered">What could not be compared, and why.</param>
/// <param name="Summary">Findings and unanswered parts in a few lines, with the spend.</param>
/// <param name="Spend">The Query API budget and what was spent.</param>
public sealed record CohortComparisonReport(
    ComparedCohort A,
    ComparedCohort B,
    DateOnly From,
    DateOnly To,
    string? BornEvent,
    IReadOnlyList<RetentionContrast> Retention,
    ActivityContrast? Activity,
    IReadOnlyList<EventContrast> EventsPerMember,
    IReadOnlyList<string> Findings,
    IReadOnlyList<Unanswered> Unanswered,
    string Summary,
    QuerySpend Spend);

/// <summary>
/// Two cohorts (saved ids or user-property expressions) compared through the Query API's segmentation, retention and
/// frequency endpoints filtered with <c>user["..."]</c> expressions (no JQL), with two-proportion z-tests where samples allow.
/// </summary>
internal sealed class CohortComparer(InsightSources sources)
{
    private const int MaxMembersRead = 50_000;

    public async Task<CohortComparisonReport> CompareAsync(CohortComparisonRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        InsightArguments.Range(request.Budget, 5, 40, "budget");
        var (from, to) = InsightArguments.Days(request.From, request.To);

        var specA = Spec(request.CohortA, "cohort_a");
        var specB = Spec(request.CohortB, "cohort_b");
        var queries = new QueryBudget(request.Budget);
        var problems = new List<Unanswered>();

        IReadOnlyList<CohortSummary>? saved = null;
        if (specA.Id is not null || specB.Id is not null)
        {
            var listed = await queries.RunAsync("list cohorts (names and sizes)", 1, ct => sources.Discovery.CohortsAsync(ct), cancellationToken).ConfigureAwait(false);
            saved = listed.Value ?? throw new InvalidOperationException($"The saved cohorts could not be listed: {listed.Error}");
            foreach (var spec in new[] { specA, specB }.Where(s => s.Id is not null))
            {
                if (saved.All(c => c.Id != spec.Id))
                {
                    throw new ArgumentException($"No saved cohort has id {spec.Id}; saved cohorts: {string.Join("; ", saved.Select(c => $"{c.Id} {c.Name}"))}.");
                }
            }
        }

        var a = await ResolveAsync(specA, saved, queries, cancellationToken).ConfigureAwait(false);
        var b = await ResolveAsync(specB, saved, queries, cancellationToken).ConfigureAwait(false);
        var events = await queries.RunAsync("list events (to find the sign-up event)", 1, ct => sources.Discovery.EventsAsync(ct), cancellationToken).ConfigureAwait(false);
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
            var ra = await queries.RunAsync($"retention after {signup}, {a.Label}", 1, ct => sources.Query.RetentionAsync(RetentionQuery(signup, from, to, a.Filter), ct), cancellationToken).ConfigureAwait(false);
            var rb = await queries.RunAsync($"retention after {signup}, {b.Label}", 1, ct => sources.Query.RetentionAsync(RetentionQuery(signup, from, to, b.Filter), ct), cancellationToken).ConfigureAwait(false);
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
            var fa = await queries.RunAsync($"weekly activity, {a.Label}", 1, ct => sources.Query.FrequencyAsync(FrequencyQuery(from, to, a.Filter), ct), cancellationToken).ConfigureAwait(false);
            var fb = await queries.RunAsync($"weekly activity, {b.Label}", 1, ct => sources.Query.FrequencyAsync(FrequencyQuery(from, to, b.Filter), ct), cancellationToken).ConfigureAwait(false);
            activity = fa.Ok && fb.Ok ? CohortComparison.Activity(fa.Value!, a.Members, fb.Value!, b.Members, to) : null;
            if (!fa.Ok || !fb.Ok)
            {
                Fail(problems, "activity", fa.Error ?? fb.Error!);
            }
            else if (activity is null)
            {
                problems.Add(Problem("activity", "the range holds no complete week (Monday to Sunday)"));
            }

            await CompareEventsAsync(events.Value, a, b, from, to, queries, eventContrasts, problems, cancellationToken).ConfigureAwait(false);
        }

        var findings = CohortComparison.Findings(a.Label, b.Label, retention, activity, eventContrasts);
        var skipped = queries.Log.Where(q => q.Outcome == "skipped").Select(q => q.Purpose).ToList();
        if (skipped.Count > 0)
        {
            problems.Add(Problem(string.Join(", ", skipped), $"skipped to stay within the budget of {request.Budget} Query API calls"));
        }

        var text = new StringBuilder($"A = {a.Label}, B = {b.Label}; sign-ups and activity {Day(from)}..{Day(to)}:\n");
        foreach (var finding in findings)
        {
            text.Append("- ").Append(finding).Append('\n');
        }

        foreach (var problem in problems)
        {
            text.Append(CultureInfo.InvariantCulture, $"- Not answered ({problem.What}): {problem.Reason}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Query API calls: {queries.Spent} of a budget of {request.Budget}.");
        return new CohortComparisonReport(a, b, from, to, signup, retention, activity, eventContrasts, findings, problems, text.ToString(), queries.Report());
    }

    private async Task CompareEventsAsync(IReadOnlyList<string>? names, ComparedCohort a, ComparedCohort b, DateOnly from, DateOnly to, QueryBudget queries, List<EventContrast> contrasts, List<Unanswered> problems, CancellationToken cancellationToken)
    {
        if (names is null || names.Count == 0)
        {
            problems.Add(Problem("events per member", "the project's events could not be listed"));
            return;
        }

        var counted = await queries.RunAsync("event volumes of the project (to pick the top events)", 1, ct => sources.Query.EventCountsAsync(new EventCountsQuery([.. names.Take(50)], from, to) { Unit = TimeUnit.Month }, ct), cancellationToken).ConfigureAwait(false);
        if (!counted.Ok)
        {
            Fail(problems, "events per member", counted.Error!);
            return;
        }

        var left = queries.Limit - queries.Spent;
        var top = counted.Value!.Segments.Where(s => s.Total > 0).OrderByDescending(s => s.Total).Select(s => s.Name).Take(Math.Clamp(left / 2, 0, 5)).ToList();
        foreach (var name in top)
        {
            var ta = await queries.RunAsync($"{name} volume, {a.Label}", 1, ct => sources.Query.SegmentationAsync(new SegmentationQuery(name, from, to) { Unit = TimeUnit.Month, Where = a.Filter }, ct), cancellationToken).ConfigureAwait(false);
            var tb = await queries.RunAsync($"{name} volume, {b.Label}", 1, ct => sources.Query.SegmentationAsync(new SegmentationQuery(name, from, to) { Unit = TimeUnit.Month, Where = b.Filter }, ct), cancellationToken).ConfigureAwait(false);
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
    private async Task<ComparedCohort> ResolveAsync(CohortSpec spec, IReadOnlyList<CohortSummary>? saved, QueryBudget queries, CancellationToken cancellationToken)
    {
        if (spec.Id is not { } id)
        {
            var count = await queries.RunAsync($"members of {spec.Text}", 1, ct => sources.Fetch.CountProfilesAsync(new StreamProfilesRequest { Where = spec.Text }, ct), cancellationToken).ConfigureAwait(false);
            return count.Ok
                ? new ComparedCohort(spec.Text, spec.Text, null, count.Value, spec.Text, "given", null)
                : new ComparedCohort(spec.Text, spec.Text, null, 0, null, null, $"The members of {spec.Text} could not be counted: {count.Error}.");
        }

        var summary = saved!.First(c => c.Id == id);
        var label = $"{summary.Name} ({id})";
        var members = await queries.RunAsync($"members of cohort {id} (engage filter_by_cohort; later pages are free)", 1, ct => ReadMembersAsync(id, ct), cancellationToken).ConfigureAwait(false);
        if (!members.Ok)
        {
            return new ComparedCohort(label, spec.Text, id, 0, null, null, $"The members of cohort {id} could not be read: {members.Error}.");
        }

        if (members.Value!.Count >= MaxMembersRead)
        {
            return new ComparedCohort(label, spec.Text, id, members.Value.Count, null, null, $"Cohort {id} has more than {MaxMembersRead:N0} members, too many to turn into a filter; pass it as a user-property expression instead.");
        }

        var total = members.Value.Count;
        var candidates = CohortFilter.Candidates(members.Value);
        foreach (var candidate in candidates)
        {
            var matching = await queries.RunAsync($"profiles matching {candidate.Expression} (to check it is exactly cohort {id})", 1, ct => sources.Fetch.CountProfilesAsync(new StreamProfilesRequest { Where = candidate.Expression }, ct), cancellationToken).ConfigureAwait(false);
            if (matching.Ok && matching.Value == total)
            {
                return new ComparedCohort(label, spec.Text, id, total, candidate.Expression, $"inferred from the members: all {total:N0} have {candidate.Property} in {{{string.Join(", ", candidate.Values)}}}, and exactly {total:N0} profiles match {candidate.Expression}", null);
            }
        }

        return new ComparedCohort(label, spec.Text, id, total, null, null,
            $"Cohort {id} ({summary.Name}) could not be expressed exactly as a filter on one user property ({(candidates.Count == 0 ? "its members share no property with at most 3 values" : $"tried {string.Join(", ", candidates.Select(c => c.Expression))}")}); the Query API cannot filter events by cohort id, so pass the cohort's definition as a user-property expression.");
    }

    private async Task<IReadOnlyList<JsonElement>> ReadMembersAsync(long id, CancellationToken cancellationToken)
    {
        var members = new List<JsonElement>();
        await foreach (var profile in sources.Fetch.StreamProfilesAsync(new StreamProfilesRequest { CohortId = id }, cancellationToken).ConfigureAwait(false))
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

    private static Unanswered Problem(string what, string reason) => new(what, reason);

    /// <summary>Reports a failed sub-query; skipped ones are reported once, together, as skipped for the budget.</summary>
    private static void Fail(List<Unanswered> problems, string what, string error)
    {
        if (!error.StartsWith("skipped", StringComparison.Ordinal))
        {
            problems.Add(Problem(what, error));
        }
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record CohortSpec(string Text, long? Id);
}
