using System.ComponentModel;
using System.Globalization;
using MixpanelData.Analytics;
using MixpanelData.Fetching;
using MixpanelData.Insights;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// <c>safe_large_fetch</c>: <c>fetch_events</c> behind a volume check. The volume comes from real event counts; above the
/// threshold the user decides through elicitation (proceed, narrow, decline), and what they answer is exactly what
/// runs. Without elicitation nothing above the threshold is fetched unless the call says <c>confirm=true</c>.
/// </summary>
[McpServerToolType]
[Toolset("interactive")]
internal sealed class SafeLargeFetchTool(WorkspaceHolder workspaces, TimeProvider time)
{
    /// <summary>Query API calls one call may spend estimating: the event names, and up to three batches of daily counts.</summary>
    internal const int QueryBudgetLimit = 6;

    /// <summary>Questions asked before giving up on an unusable answer (no action, a bad date, a narrowing still too large…).</summary>
    internal const int MaxQuestions = 3;

    internal const int DefaultThreshold = 100_000;

    private const int ExportCap = 100_000;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    [McpServerTool(Name = "safe_large_fetch", Destructive = true, Idempotent = true, OpenWorld = true), Spends("export")]
    [Description("fetch_events with a volume check. Estimates the events from real Query API counts (about 2 calls; 0 when limit <= threshold) and fetches at once at or under threshold. Above it, asks the user to proceed, narrow or decline when the client supports elicitation; otherwise fetches only with confirm=true, and returns the estimate and the exact calls to make. Replaces the table. Dates YYYY-MM-DD UTC, default the last 7 days.")]
    public async Task<CallToolResult> SafeLargeFetch(
        RequestContext<CallToolRequestParams> context,
        IProgress<ProgressNotificationValue> progress,
        [Description("First day, YYYY-MM-DD.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD.")] string? to_date = null,
        [Description("Only these events.")] string[]? events = null,
        [Description("Filter expression.")] string? where = null,
        [Description("Most events in all (1-100000).")] int? limit = null,
        [Description("Target table.")] string table = "events",
        [Description("Fetch above the threshold without asking; used only when the client cannot be asked.")] bool confirm = false,
        [Description("Events above which to ask first.")] int threshold = DefaultThreshold,
        CancellationToken cancellationToken = default)
    {
        var to = Guard.Date(to_date, Today, "to_date");
        var from = Guard.Date(from_date, to.AddDays(-6), "from_date");
        if (from > to)
        {
            throw new ArgumentException($"from_date {from:yyyy-MM-dd} is after to_date {to:yyyy-MM-dd}; swap them.");
        }

        Guard.Range(threshold, 1, 100_000_000, "threshold");
        if (limit is { } cap)
        {
            Guard.Range(cap, 1, ExportCap, "limit");
        }

        if (string.IsNullOrWhiteSpace(table))
        {
            throw new ArgumentException("table must name the local table to fill, e.g. events.");
        }

        var wanted = events is { Length: > 0 } ? events.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList() : null;
        var run = new Run(workspaces.Current, context.Server, QuestionRounds.From(context), progress, where, table.Trim(), threshold, cancellationToken);
        return await run.ExecuteAsync(new FetchScope(from, to, wanted is { Count: > 0 } ? wanted : null, limit), confirm).ConfigureAwait(false);
    }

    /// <summary>One call's state: the budget, the estimator (which keeps its counts for re-estimates) and the questions asked.</summary>
    private sealed class Run(Workspace workspace, McpServer server, QuestionRounds rounds, IProgress<ProgressNotificationValue> progress, string? where, string table, int threshold, CancellationToken cancellationToken)
    {
        private readonly QueryBudget _budget = Tracked(rounds, new QueryBudget(QueryBudgetLimit, rounds.EarlierSpend));
        private readonly List<object> _questions = [];
        private VolumeEstimator? _estimator;
        private FetchBudget? _export;

        private VolumeEstimator Estimator => _estimator ??= workspace.Insights.VolumeEstimator(_budget, where);

        public async Task<CallToolResult> ExecuteAsync(FetchScope scope, bool confirm)
        {
            if (scope.Events is { } named)
            {
                await RequireKnownAsync(named).ConfigureAwait(false);
            }

            var estimate = await Estimator.EstimateAsync(scope, threshold, cancellationToken).ConfigureAwait(false);
            await ExportBudgetAsync(scope).ConfigureAwait(false);
            if (estimate.Events is { } n && n <= threshold)
            {
                return await FetchAsync("under_threshold", scope, estimate, $"About {n:N0} events, at or under the threshold of {threshold:N0}: fetched without asking.").ConfigureAwait(false);
            }

            string? problem = null;
            for (var round = 1; round <= MaxQuestions; round++)
            {
                var answer = await ClientQuestions.AskAsync(server, Question(scope, estimate, problem), Form(scope, estimate), cancellationToken, rounds).ConfigureAwait(false);
                _questions.Add(new { round, answer = answer.Kind.ToString().ToLowerInvariant(), content = answer.Content, note = answer.Note });
                switch (answer.Kind)
                {
                    case AnswerKind.Unavailable when round == 1:
                        return confirm
                            ? await FetchAsync("confirmed_by_argument", scope, estimate, $"Fetched because confirm=true (the user could not be asked: {answer.Note!.TrimEnd('.')}).").ConfigureAwait(false)
                            : NeedsConfirmation(scope, estimate, answer.Note!);
                    case AnswerKind.Unavailable:
                        return Nothing("unanswered", scope, estimate, $"Nothing fetched: the user could no longer be asked ({answer.Note}).");
                    case AnswerKind.Declined:
                        return Nothing("declined", scope, estimate, "Nothing fetched: the user declined. No table was created or changed.");
                    case AnswerKind.Cancelled:
                        return Nothing("cancelled", scope, estimate, "Nothing fetched: the user dismissed the question. No table was created or changed.");
                }

                switch (answer.Text("action")?.Trim().ToLowerInvariant())
                {
                    case "proceed":
                        return await FetchAsync("proceed", scope, estimate, "The user chose to proceed with the whole fetch.").ConfigureAwait(false);
                    case "decline":
                        return Nothing("declined", scope, estimate, "Nothing fetched: the user chose to decline. No table was created or changed.");
                    case "narrow":
                        var (narrowed, invalid) = await NarrowAsync(answer, scope).ConfigureAwait(false);
                        if (narrowed is null)
                        {
                            problem = invalid;
                            continue;
                        }

                        var reestimate = await Estimator.EstimateAsync(narrowed, threshold, cancellationToken).ConfigureAwait(false);
                        await ExportBudgetAsync(narrowed).ConfigureAwait(false);
                        if (reestimate.Events is { } m && m <= threshold)
                        {
                            return await FetchAsync("narrow", narrowed, reestimate, $"The user narrowed the fetch ({Changes(scope, narrowed)}); re-estimated at about {m:N0} events.").ConfigureAwait(false);
                        }

                        problem = reestimate.Events is { } still
                            ? $"The narrowed request ({Changes(scope, narrowed)}) is still about {still:N0} events."
                            : $"The narrowed request ({Changes(scope, narrowed)}) could not be re-estimated.";
                        (scope, estimate) = (narrowed, reestimate);
                        continue;
                    default:
                        problem = "Choose an action: proceed, narrow or decline.";
                        continue;
                }
            }

            return Nothing("unanswered", scope, estimate, $"Nothing fetched: no usable answer after {MaxQuestions} questions ({problem}).");
        }

        /// <summary>What fetching <paramref name="scope"/> would spend of the Export API's hourly budget (no request is sent).</summary>
        private async Task ExportBudgetAsync(FetchScope scope) =>
            _export = await workspace.Fetch.ExportBudgetAsync(
                new FetchEventsRequest(scope.From, scope.To) { Events = scope.Events, Where = where, Limit = scope.Limit, Table = table }, cancellationToken).ConfigureAwait(false);

        private async Task RequireKnownAsync(IReadOnlyList<string> named)
        {
            var names = await Estimator.NamesAsync(cancellationToken).ConfigureAwait(false);
            if (!names.Ok)
            {
                return; // The count will say what went wrong.
            }

            var known = names.Value!.ToHashSet(StringComparer.Ordinal);
            var unknown = named.Where(e => !known.Contains(e)).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"There is no event named {string.Join(", ", unknown.Select(u => $"'{u}'"))} in this project. Closest: {string.Join(", ", unknown.SelectMany(u => NameSuggestions.Closest(u, names.Value!, 3)).Distinct().Select(n => $"'{n}'"))}. Use list_events to see them all.");
            }
        }

        private async Task<(FetchScope? Scope, string? Problem)> NarrowAsync(Answer answer, FetchScope current)
        {
            var limit = answer.Integer("limit");
            var eventsText = Filled(answer.Text("events"));
            var fromText = Filled(answer.Text("from_date"));
            var toText = Filled(answer.Text("to_date"));
            if (limit is null && answer.Content.TryGetValue("limit", out var rawLimit) && rawLimit.ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                return (null, $"The new limit must be a whole number, not {rawLimit}.");
            }

            if (limit is null && eventsText is null && fromText is null && toText is null)
            {
                return (null, "You chose narrow but gave no new limit, events or dates.");
            }

            var maxLimit = Math.Min(current.Limit ?? ExportCap, ExportCap);
            if (limit is { } l && (l < 1 || l > maxLimit))
            {
                return (null, $"The new limit must be between 1 and {maxLimit:N0}, not {l:N0}.");
            }

            IReadOnlyList<string>? events = current.Events;
            if (eventsText is not null)
            {
                var choosable = current.Events ?? (await Estimator.NamesAsync(cancellationToken).ConfigureAwait(false)).Value ?? [];
                var chosen = eventsText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
                var unknown = chosen.Where(e => !choosable.Contains(e, StringComparer.Ordinal)).ToList();
                if (chosen.Count == 0 || unknown.Count > 0)
                {
                    return (null, $"{string.Join(", ", unknown.Select(u => $"'{u}'"))} {(unknown.Count == 1 ? "is" : "are")} not among this fetch's events; write names exactly, comma-separated (e.g. {string.Join(", ", choosable.Take(3))}).");
                }

                events = chosen;
            }

            var from = current.From;
            var to = current.To;
            foreach (var (text, name) in new[] { (fromText, "from_date"), (toText, "to_date") })
            {
                if (text is null)
                {
                    continue;
                }

                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    return (null, $"{name} must be a date written YYYY-MM-DD, not '{text}'.");
                }

                if (day < current.From || day > current.To)
                {
                    return (null, $"{name} {day:yyyy-MM-dd} is outside the requested range {current.From:yyyy-MM-dd}..{current.To:yyyy-MM-dd}; narrowing can only shorten it.");
                }

                (from, to) = name == "from_date" ? (day, to) : (from, day);
            }

            return from > to
                ? (null, $"from_date {from:yyyy-MM-dd} is after to_date {to:yyyy-MM-dd}.")
                : (new FetchScope(from, to, events, limit ?? current.Limit), null);
        }

        private async Task<CallToolResult> FetchAsync(string decision, FetchScope scope, VolumeEstimate estimate, string because)
        {
            var request = new FetchEventsRequest(scope.From, scope.To) { Events = scope.Events, Where = where, Limit = scope.Limit, Table = table };
            var result = await EventFetch.RunAsync(workspace, request, progress, cancellationToken).ConfigureAwait(false);
            var versus = estimate.Events is { } e ? $"Estimated {e:N0}, fetched {result.RowsInserted:N0}." : $"The estimate was unknown; fetched {result.RowsInserted:N0}.";
            return Report(decision, scope, estimate, result, null, $"{because} {EventFetch.Describe(result)} {versus} {Cost(estimate)}");
        }

        private CallToolResult Nothing(string decision, FetchScope scope, VolumeEstimate estimate, string why) =>
            Report(decision, scope, estimate, null, null, $"{why} {Volume(estimate)} {Cost(estimate)}");

        private CallToolResult NeedsConfirmation(FetchScope scope, VolumeEstimate estimate, string note)
        {
            var calls = new List<object>();
            var all = scope.Arguments(where, table);
            all["confirm"] = true;
            AddThreshold(all);
            calls.Add(new { tool = "safe_large_fetch", arguments = all, why = $"fetch everything ({(estimate.Events is { } n ? $"about {n:N0}" : "an unknown number of")} events)" });

            var capped = scope.Arguments(where, table);
            capped["limit"] = Math.Min(Math.Min(threshold, ExportCap), scope.Limit ?? int.MaxValue);
            AddThreshold(capped);
            calls.Add(new { tool = "safe_large_fetch", arguments = capped, why = $"at most {capped["limit"]:N0} events, under the threshold" });

            if (Estimator.LatestStartUnder(scope, threshold) is { } start && start > scope.From)
            {
                var shorter = scope with { From = start };
                var days = shorter.Arguments(where, table);
                AddThreshold(days);
                calls.Add(new { tool = "safe_large_fetch", arguments = days, why = $"only the latest {shorter.Days} day(s), under the threshold" });
            }

            var text = $"Not fetched: {Volume(estimate)} That is above the threshold of {threshold:N0}, and the user cannot be asked ({note.TrimEnd('.')}). "
                + "Ask the user, then make one of the calls in next_calls (confirm=true fetches everything). " + Cost(estimate);
            return Report("needs_confirmation", scope, estimate, null, calls, text);
        }

        private void AddThreshold(Dictionary<string, object?> arguments)
        {
            if (threshold != DefaultThreshold)
            {
                arguments["threshold"] = threshold;
            }
        }

        private CallToolResult Report(string decision, FetchScope scope, VolumeEstimate estimate, FetchResult? fetched, IReadOnlyList<object>? nextCalls, string summary) =>
            ToolJson.Result(
                new
                {
                    fetched = fetched is not null,
                    decision,
                    table,
                    rows_fetched = fetched?.RowsInserted ?? 0,
                    table_row_count = fetched?.TableRowCount,
                    request = scope.Arguments(where, table),
                    estimate = new { events = estimate.Events, method = estimate.Method, upper_bound = estimate.UpperBound, lower_bound = estimate.LowerBound, by_event = estimate.ByEvent.Take(20) },
                    threshold,
                    estimate_vs_actual = fetched is null ? null : new { estimated = estimate.Events, actual = fetched.RowsInserted, difference = fetched.RowsInserted - estimate.Events },
                    questions = _questions,
                    next_calls = nextCalls,
                    query_budget = _budget.Report(),
                    export_budget = _export,
                    fetch = fetched,
                },
                summary);

        private string Question(FetchScope scope, VolumeEstimate estimate, string? problem)
        {
            var largest = estimate.ByEvent.Take(5).Select(e => $"{e.Event} {e.Count:N0}");
            return (problem is null ? string.Empty : problem + " ")
                + $"Fetching {scope.From:yyyy-MM-dd}..{scope.To:yyyy-MM-dd}{(scope.Events is null ? string.Empty : $" ({string.Join(", ", scope.Events)})")} into table '{table}' "
                + (estimate.Events is { } n ? $"would download about {n:N0} events" : "would download an unknown number of events")
                + $", above the threshold of {threshold:N0}."
                + (estimate.ByEvent.Count > 0 ? $" Largest: {string.Join(", ", largest)}." : string.Empty)
                + (_export is { MustWait: true } export ? $" Note: the fetch {export.Summary}." : string.Empty)
                + " Proceed, narrow it (a new limit, fewer events or a shorter range), or decline?";
        }

        private static ElicitRequestParams.RequestSchema Form(FetchScope scope, VolumeEstimate estimate)
        {
            var range = $"{scope.From:yyyy-MM-dd}..{scope.To:yyyy-MM-dd}";
            var choices = estimate.ByEvent.Count > 0 ? string.Join(", ", estimate.ByEvent.Take(15).Select(e => $"{e.Event} ({e.Count:N0})")) : string.Join(", ", scope.Events ?? []);
            return FormFields.Form(
                ["action"],
                ("action", FormFields.Choice("Action", "What to do with this fetch.", [
                    ("proceed", estimate.Events is { } n ? $"Fetch all (about {n:N0} events)" : "Fetch all"),
                    ("narrow", "Fetch less: use the fields below"),
                    ("decline", "Fetch nothing")])),
                ("limit", FormFields.Integer("New limit", "Narrow: at most this many events in all.", 1, Math.Min(scope.Limit ?? ExportCap, ExportCap))),
                ("events", FormFields.Text("Events", $"Narrow: only these events, comma-separated. {(choices.Length > 0 ? $"Counted: {choices}." : string.Empty)}")),
                ("from_date", FormFields.Date("From", $"Narrow: first day (YYYY-MM-DD), within {range}.")),
                ("to_date", FormFields.Date("To", $"Narrow: last day (YYYY-MM-DD), within {range}.")));
        }

        private static string Volume(VolumeEstimate estimate) =>
            estimate.Events is { } n ? $"Estimated about {n:N0} events: {estimate.Method}" : estimate.Method;

        private string Cost(VolumeEstimate estimate) =>
            $"Query API spend: {_budget.Spent} of a budget of {_budget.Limit} ({(estimate.Events is null ? "estimate failed" : "estimate")})."
            + (_export is { } export ? $" Export API: the fetch {export.Summary}." : string.Empty);

        private static string Changes(FetchScope before, FetchScope after)
        {
            var parts = new List<string>();
            if (after.Limit != before.Limit)
            {
                parts.Add($"limit {after.Limit:N0}");
            }

            if (after.Events is { } events && (before.Events is null || !events.SequenceEqual(before.Events)))
            {
                parts.Add($"events {string.Join(", ", events)}");
            }

            if (after.From != before.From || after.To != before.To)
            {
                parts.Add($"{after.From:yyyy-MM-dd}..{after.To:yyyy-MM-dd}");
            }

            return parts.Count == 0 ? "unchanged" : string.Join("; ", parts);
        }

        private static QueryBudget Tracked(QuestionRounds rounds, QueryBudget budget)
        {
            rounds.Track(budget);
            return budget;
        }

        private static string? Filled(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }
}
