using System.Globalization;
using System.Text;
using MixpanelData.Discovery;
using MixpanelData.Fetching;
using MixpanelData.Analytics;
using MixpanelData.Storage;

namespace MixpanelData.Insights;

/// <summary>Two cohorts to compare over a range.</summary>
/// <param name="CohortA">A saved cohort's id or name (case-insensitive), or a user-property expression such as <c>user["utm_source"] == "referral"</c>.</param>
/// <param name="CohortB">The other cohort, likewise.</param>
/// <param name="From">First day (sign-up cohorts and activity).</param>
/// <param name="To">Last day.</param>
public sealed record CohortComparisonRequest(string CohortA, string CohortB, DateOnly From, DateOnly To)
{
    /// <summary>Most Query API calls to spend (3-40); the comparison needs at most 4 (cohort list, one Engage read per cohort, event list).</summary>
    public int Budget { get; init; } = 20;
}

/// <summary>A cohort as compared: its label, how its members were read, and how many there are.</summary>
/// <param name="Label">How the findings name it.</param>
/// <param name="Given">The argument as given.</param>
/// <param name="Id">The saved cohort's id, for a saved cohort.</param>
/// <param name="Members">Its members.</param>
/// <param name="Filter">The user-property expression, for a cohort given as one.</param>
/// <param name="Membership">Where the members came from, e.g. <c>engage filter_by_cohort={"id": 9104}</c>.</param>
/// <param name="Problem">Why it could not be compared, if it could not.</param>
public sealed record ComparedCohort(string Label, string Given, long? Id, long Members, string? Filter, string? Membership, string? Problem);

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
    QuerySpend Spend)
{
    /// <summary>Where the events joined to the members came from, e.g. "export of every event 2026-09-04..2026-12-02 (61,204 events of …)" or "local table events (every event …, fetched …), days …".</summary>
    public string? EventSource { get; init; }
}


/// <summary>
/// Two cohorts compared exactly: each cohort's members are read from Engage (<c>filter_by_cohort</c> for a saved cohort,
/// <c>where</c> for a user-property expression; later pages are not counted by Mixpanel), and every event over the range
/// (plus the 30 days after it that D30 needs, up to yesterday) is joined to them by distinct id: read from a table of the
/// local store when a fetch of every event over those days filled one (DuckDB counts; no export), else exported. D1/D7/D30
/// retention after the first sign-up, the last complete week's activity and the top events per member are counted from
/// those events, so a saved cohort of any definition compares, with no need to turn it into a filter. Spends at most
/// 4 Query API calls (the cohort list, one Engage read per cohort, the event list unless cached); the member reads, the
/// event list and the export run concurrently.
/// </summary>
internal sealed class CohortComparer(InsightSources sources)
{
    private const int MaxMembersRead = 200_000;
    private const int TopEvents = 5;

    public async Task<CohortComparisonReport> CompareAsync(CohortComparisonRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        InsightArguments.Range(request.Budget, 3, 40, "budget");
        var (from, to) = InsightArguments.Days(request.From, request.To);

        var specA = Spec(request.CohortA, "cohort_a");
        var specB = Spec(request.CohortB, "cohort_b");
        var queries = new QueryBudget(request.Budget);
        var problems = new List<Unanswered>();

        if (specA.Expression is null || specB.Expression is null)
        {
            var listed = await queries.RunAsync("list cohorts (names and sizes)", 1, ct => sources.Discovery.CohortsAsync(ct), cancellationToken).ConfigureAwait(false);
            var saved = listed.Value ?? throw new InvalidOperationException($"The saved cohorts could not be listed: {listed.Error}");
            specA = Saved(specA, saved, "cohort_a");
            specB = Saved(specB, saved, "cohort_b");
        }

        var yesterday = sources.Today.AddDays(-1);
        var exportTo = to.AddDays(RetentionMath.Milestones[^1]) is var end && end < yesterday ? end : (to > yesterday ? to : yesterday);
        var membersA = queries.RunAsync($"members of {specA.Label} ({specA.Membership}; later pages are free)", 1, ct => ReadMembersAsync(specA, ct), cancellationToken);
        var membersB = queries.RunAsync($"members of {specB.Label} ({specB.Membership}; later pages are free)", 1, ct => ReadMembersAsync(specB, ct), cancellationToken);
        var signupTask = queries.RunAsync("list events (to find the sign-up event)", 1, ct => sources.Discovery.EventsAsync(ct), cancellationToken);
        var exported = queries.RunAsync($"every event {Day(from)}..{Day(exportTo)}: a fetched table of the local store that holds them, else the export (Export API, not a Query API call)", 0, ct => ReadEventsAsync(from, exportTo, ct), cancellationToken);
        await Task.WhenAll(membersA, membersB, signupTask, exported).ConfigureAwait(false);

        var a = Compared(specA, membersA.Result);
        var b = Compared(specB, membersB.Result);
        var signup = signupTask.Result.Value is { } names ? ProjectRoles.Detect(names).Signup : null;
        var events = exported.Result;

        IReadOnlyList<RetentionContrast> retention = [];
        ActivityContrast? activity = null;
        IReadOnlyList<EventContrast> eventContrasts = [];
        if (a.Problem is not null || b.Problem is not null)
        {
            problems.Add(new Unanswered("all comparisons", string.Join(" ", new[] { a, b }.Select(c => c.Problem).OfType<string>())));
        }
        else if (!events.Ok)
        {
            problems.Add(new Unanswered("all comparisons", $"the events could not be exported ({events.Error})"));
        }
        else
        {
            var setA = membersA.Result.Value!;
            var setB = membersB.Result.Value!;
            var joined = CohortActivity.Join(events.Value!, setA, setB, signup, from, to);
            if (signup is null)
            {
                problems.Add(new Unanswered("retention", signupTask.Result.Ok ? "no sign-up event was found among the project's events to start retention cohorts" : $"the events could not be listed ({signupTask.Result.Error})"));
            }
            else
            {
                retention = [.. RetentionMath.Milestones.Select(d =>
                {
                    var ra = joined.A.Retention(d, exportTo);
                    var rb = joined.B.Retention(d, exportTo);
                    return new RetentionContrast(d, ra, rb, Statistics.TwoProportions(ra.Returned, ra.Users, rb.Returned, rb.Users));
                })];
            }

            activity = CohortActivity.LastCompleteWeek(from, to) is { } monday ? joined.Activity(monday) : null;
            if (activity is null)
            {
                problems.Add(new Unanswered("activity", "the range holds no complete week (Monday to Sunday)"));
            }

            eventContrasts = joined.TopEvents(TopEvents);
        }

        var findings = CohortComparison.Findings(a.Label, b.Label, retention, activity, eventContrasts);
        var skipped = queries.Log.Where(q => q.Outcome == "skipped").Select(q => q.Purpose).ToList();
        if (skipped.Count > 0)
        {
            problems.Add(new Unanswered(string.Join(", ", skipped), $"skipped to stay within the budget of {request.Budget} Query API calls"));
        }

        var source = events.Ok ? $"{events.Value!.Source} ({events.Value.Count:N0} events of {events.Value.Users:N0} users), joined to the members by distinct id" : null;
        var text = new StringBuilder($"A = {a.Label} ({a.Members:N0} members), B = {b.Label} ({b.Members:N0} members); sign-ups and activity {Day(from)}..{Day(to)}:\n");
        foreach (var finding in findings)
        {
            text.Append("- ").Append(finding).Append('\n');
        }

        foreach (var problem in problems)
        {
            text.Append(CultureInfo.InvariantCulture, $"- Not answered ({problem.What}): {problem.Reason}\n");
        }

        if (source is not null)
        {
            text.Append("Events: ").Append(source).Append(".\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Query API calls: {queries.Spent} of a budget of {request.Budget}.");
        return new CohortComparisonReport(a, b, from, to, signup, retention, activity, eventContrasts, findings, problems, text.ToString(), queries.Report()) { EventSource = source };
    }

    private static ComparedCohort Compared(CohortSpec spec, Outcome<IReadOnlySet<string>> members) => members.Ok
        ? members.Value!.Count >= MaxMembersRead
            ? new ComparedCohort(spec.Label, spec.Given, spec.Id, members.Value.Count, spec.Expression, spec.Membership, $"{spec.Label} has more than {MaxMembersRead:N0} members, too many to join in memory; compare narrower cohorts.")
            : new ComparedCohort(spec.Label, spec.Given, spec.Id, members.Value.Count, spec.Expression, spec.Membership, null)
        : new ComparedCohort(spec.Label, spec.Given, spec.Id, 0, spec.Expression, spec.Membership, $"The members of {spec.Label} could not be read: {members.Error}.");

    private async Task<IReadOnlySet<string>> ReadMembersAsync(CohortSpec spec, CancellationToken cancellationToken)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        var request = spec.Id is { } id ? new StreamProfilesRequest { CohortId = id, OutputProperties = ["$distinct_id"] } : new StreamProfilesRequest { Where = spec.Expression, OutputProperties = ["$distinct_id"] };
        await foreach (var profile in sources.Fetch.StreamProfilesAsync(request, cancellationToken).ConfigureAwait(false))
        {
            members.Add(profile.DistinctId);
            if (members.Count >= MaxMembersRead)
            {
                break;
            }
        }

        return members;
    }

    /// <summary>
    /// The events of every user over the days: from a table of the local store that a fetch of every event over (at
    /// least) those days filled, when there is one — no export, and DuckDB does the counting — otherwise from the export.
    /// </summary>
    private async Task<ExportedEvents> ReadEventsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        await StoredEventsAsync(from, to, cancellationToken).ConfigureAwait(false) ?? await ExportEventsAsync(from, to, cancellationToken).ConfigureAwait(false);

    private async Task<ExportedEvents> ExportEventsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var rows = new List<(string Name, DateOnly Day, string User, long Count)>();
        var users = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in sources.Fetch.StreamEventsAsync(new StreamEventsRequest(from, to), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (e.DistinctId is { } user)
            {
                rows.Add((e.Name, DateOnly.FromDateTime(e.Time.UtcDateTime), user, 1));
                users.Add(user);
            }
        }

        return new ExportedEvents(rows, rows.Count, users.Count, $"export of every event {Day(from)}..{Day(to)}");
    }

    private async Task<ExportedEvents?> StoredEventsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (await sources.EventsTableAsync(from, to, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return null;
        }

        var (store, table) = found;
        var result = await store.SqlAsync(
            $"SELECT event_name, CAST(event_time AS DATE), distinct_id, count(*) FROM {StoreIdentifiers.Quote(table.Name)} " +
            "WHERE distinct_id IS NOT NULL AND event_time >= ? AND event_time < ? GROUP BY ALL",
            new SqlOptions { Parameters = [from.ToDateTime(TimeOnly.MinValue), to.AddDays(1).ToDateTime(TimeOnly.MinValue)], MaxRows = int.MaxValue },
            cancellationToken).ConfigureAwait(false);
        var rows = new List<(string Name, DateOnly Day, string User, long Count)>(result.Rows.Count);
        var users = new HashSet<string>(StringComparer.Ordinal);
        long events = 0;
        foreach (var row in result.Rows)
        {
            var user = (string)row[2]!;
            var count = Convert.ToInt64(row[3], CultureInfo.InvariantCulture);
            rows.Add(((string)row[0]!, (DateOnly)row[1]!, user, count)); // the store returns a DATE as DateOnly
            users.Add(user);
            events += count;
        }

        var fetched = table.Metadata!;
        return new ExportedEvents(rows, events, users.Count,
            $"local table {table.Name} (every event {Day(fetched.FromDate!.Value)}..{Day(fetched.ToDate!.Value)}, fetched {fetched.FetchedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC), days {Day(from)}..{Day(to)}");
    }

    /// <summary>Reads a cohort argument: a positive number is a saved id, an expression over <c>user[...]</c> is a filter, anything else a saved cohort's name.</summary>
    private static CohortSpec Spec(string text, string name)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 1000)
        {
            throw new ArgumentException($"{name} must be a saved cohort id or name (list_cohorts) or a user-property expression of at most 1000 characters.");
        }

        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return new CohortSpec(text, id, null, text, $"engage filter_by_cohort={{\"id\": {id}}}");
        }

        return LooksLikeExpression(text)
            ? new CohortSpec(text, null, CohortFilter.RequireUserExpression(text, name), text, $"engage where={text}")
            : new CohortSpec(text, null, null, text, "by name");
    }

    /// <summary>Resolves a saved cohort given by id or name against the list; an unknown one is an error naming the closest.</summary>
    private static CohortSpec Saved(CohortSpec spec, IReadOnlyList<CohortSummary> saved, string name)
    {
        if (spec.Expression is not null)
        {
            return spec;
        }

        var found = spec.Id is { } id
            ? saved.FirstOrDefault(c => c.Id == id)
            : saved.FirstOrDefault(c => string.Equals(c.Name.Trim(), spec.Given, StringComparison.OrdinalIgnoreCase));
        if (found is null)
        {
            var closest = spec.Id is null ? NameSuggestions.Closest(spec.Given, saved.Select(c => c.Name), 3) : [];
            var hint = closest.Count > 0 ? $" Did you mean {string.Join(" or ", closest.Select(c => $"'{c}'"))}?" : "";
            throw new ArgumentException($"{name}: no saved cohort {(spec.Id is null ? $"is named '{spec.Given}'" : $"has id {spec.Id}")}.{hint} Saved cohorts: {string.Join("; ", saved.Select(c => $"{c.Id} {c.Name}"))}. A user-property expression such as user[\"plan\"] == \"free\" works too.");
        }

        return new CohortSpec(spec.Given, found.Id, null, $"{found.Name} ({found.Id})", $"engage filter_by_cohort={{\"id\": {found.Id}}}");
    }

    private static bool LooksLikeExpression(string text) => text.Contains('[', StringComparison.Ordinal) || text.Contains("==", StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record CohortSpec(string Given, long? Id, string? Expression, string Label, string Membership);
}
