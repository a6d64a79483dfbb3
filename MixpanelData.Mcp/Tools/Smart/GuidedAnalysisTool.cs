using System.ComponentModel;
using System.Globalization;
using MixpanelData.Insights;
using MixpanelData.Mcp.Filters;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// <c>guided_analysis</c>: three questions (focus, period, segment) whose options come from the project, then real
/// queries and findings within a stated Query API budget. Arguments skip their question; without elicitation the
/// tool returns the choices and the exact next calls instead.
/// </summary>
[McpServerToolType]
[Toolset("interactive")]
internal sealed class GuidedAnalysisTool(WorkspaceHolder workspaces, TimeProvider time)
{
    /// <summary>Discovery (event names, top events, saved funnels, the focus event's properties) plus at most two analysis queries, with room for a funnel name lookup.</summary>
    internal const int QueryBudgetLimit = 8;

    private const string NoSegment = GuidedSession.NoSegment;

    [McpServerTool(Name = "guided_analysis", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("Guided analysis in three questions (elicitation): focus (acquisition, activation, retention, monetisation or a top event, from the project), period (7, 30 or 90 days ending yesterday), segment (a property of the focus event, or none). Given arguments skip their question. Ends in real queries and findings (change vs the previous period, top and bottom segments), at most 8 Query API calls. Without elicitation, returns the choices and the exact next calls.")]
    public async Task<CallToolResult> GuidedAnalysis(
        RequestContext<CallToolRequestParams> context,
        [Description("acquisition, activation, retention, monetisation, or event:<name>.")] string? focus = null,
        [Description("Days: 7, 30 or 90.")] int? period = null,
        [Description("A property of the focus event to break down by, or none.")] string? segment = null,
        CancellationToken cancellationToken = default)
    {
        if (period is { } days && !GuidedPeriod.Choices.Contains(days))
        {
            throw new ArgumentException($"period must be 7, 30 or 90 (days), not {days}.");
        }

        var rounds = QuestionRounds.From(context);
        var budget = new QueryBudget(QueryBudgetLimit, rounds.EarlierSpend);
        rounds.Track(budget);
        var session = workspaces.Current.Insights.Guided(budget);
        var catalog = await session.FocusesAsync(cancellationToken).ConfigureAwait(false);
        if (!catalog.Ok)
        {
            return ToolErrorFilter.Error($"Could not discover the project's events to offer a focus: {catalog.Error}");
        }

        var flow = new Flow(session, context.Server, rounds, budget, catalog.Value!, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1), cancellationToken);
        return await flow.RunAsync(Filled(focus), period, Filled(segment)).ConfigureAwait(false);
    }

    private static string? Filled(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>One call's walk through the questions.</summary>
    private sealed class Flow(GuidedSession session, McpServer server, QuestionRounds rounds, QueryBudget budget, FocusCatalog catalog, DateOnly lastDay, CancellationToken cancellationToken)
    {
        private readonly List<object> _questions = [];

        public async Task<CallToolResult> RunAsync(string? focusArgument, int? periodArgument, string? segmentArgument)
        {
            var focus = focusArgument is null ? null : GuidedSession.Resolve(focusArgument, catalog);
            if (focus is null)
            {
                if (catalog.Options.Count == 0)
                {
                    throw new ArgumentException("This project has no events to analyse yet.");
                }

                var (kind, value) = await AskAsync(1, "focus", "What should the analysis focus on?", catalog.Options.Select(o => (o.Value, o.Title))).ConfigureAwait(false);
                if (kind != AnswerKind.Accepted)
                {
                    return kind == AnswerKind.Unavailable ? await ChoicesAsync(null, periodArgument, segmentArgument).ConfigureAwait(false) : Stopped(1, "focus", kind, null, null);
                }

                focus = GuidedSession.Resolve(value!, catalog);
            }

            var days = periodArgument;
            if (days is null)
            {
                var (kind, value) = await AskAsync(2, "period", $"Over which period should '{focus.Title}' be analysed? Each is compared with the same number of days just before.", GuidedPeriod.Choices.Select(d => (d.ToString(CultureInfo.InvariantCulture), $"Last {d} days (to {lastDay:yyyy-MM-dd})"))).ConfigureAwait(false);
                if (kind != AnswerKind.Accepted)
                {
                    return kind == AnswerKind.Unavailable ? await ChoicesAsync(focus, null, segmentArgument).ConfigureAwait(false) : Stopped(2, "period", kind, focus, null);
                }

                days = int.Parse(value!, CultureInfo.InvariantCulture);
            }

            var period = GuidedPeriod.Ending(lastDay, days.Value);
            string? segment;
            if (segmentArgument is not null)
            {
                segment = await ValidateSegmentAsync(focus, segmentArgument).ConfigureAwait(false);
            }
            else
            {
                var choices = await SegmentChoicesAsync(focus).ConfigureAwait(false);
                var (kind, value) = await AskAsync(3, "segment", $"Break {focus.Event} down by which property?", choices.Select(c => (c, c == NoSegment ? "No breakdown" : c))).ConfigureAwait(false);
                if (kind != AnswerKind.Accepted)
                {
                    return kind == AnswerKind.Unavailable ? await ChoicesAsync(focus, days, null).ConfigureAwait(false) : Stopped(3, "segment", kind, focus, period);
                }

                segment = value == NoSegment ? null : value;
            }

            var plan = GuidedSession.Plan(focus, period, segment);
            var report = await session.RunAsync(focus, period, segment, cancellationToken).ConfigureAwait(false);
            return ToolJson.Result(
                new
                {
                    status = "done",
                    focus = Describe(focus),
                    period = Describe(period),
                    segment,
                    findings = report.Findings,
                    metrics = report.Metrics,
                    ran = plan,
                    questions = _questions,
                    query_budget = budget.Report(),
                },
                $"{focus.Title}, {period}{(segment is null ? string.Empty : $", by {segment}")}:\n- {string.Join("\n- ", report.Findings)}\nQuery API spend: {budget.Spent} of a budget of {budget.Limit}.");
        }

        /// <summary>Asks one single-choice question; an accepted answer outside the choices is asked again once.</summary>
        private async Task<(AnswerKind Kind, string? Value)> AskAsync(int step, string field, string message, IEnumerable<(string Value, string Title)> options)
        {
            var choices = options.ToList();
            var schema = FormFields.Form([field], (field, FormFields.Choice(char.ToUpperInvariant(field[0]) + field[1..], message, choices)));
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var answer = await ClientQuestions.AskAsync(server, $"Step {step} of 3: {message}{(attempt > 0 ? " Please pick one of the choices." : string.Empty)}", schema, cancellationToken, rounds).ConfigureAwait(false);
                var value = answer.Text(field)?.Trim();
                _questions.Add(new { step, field, answer = answer.Kind.ToString().ToLowerInvariant(), value, note = answer.Note });
                if (answer.Kind != AnswerKind.Accepted)
                {
                    return (answer.Kind, null);
                }

                if (value is not null && choices.Any(c => c.Value == value))
                {
                    return (AnswerKind.Accepted, value);
                }
            }

            return (AnswerKind.Cancelled, null);
        }

        private async Task<IReadOnlyList<string>> SegmentChoicesAsync(FocusOption focus)
        {
            try
            {
                return await session.SegmentChoicesAsync(focus, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                throw new McpException(ex.Message, ex);
            }
        }

        private async Task<string?> ValidateSegmentAsync(FocusOption focus, string segment)
        {
            try
            {
                return await session.ValidateSegmentAsync(focus, segment, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                throw new McpException(ex.Message, ex);
            }
        }

        /// <summary>Without elicitation: the choices for what is missing, and the exact calls that would finish the analysis.</summary>
        private async Task<CallToolResult> ChoicesAsync(FocusOption? focus, int? days, string? segment)
        {
            int[] periods = days is { } d ? [d] : [30, 7, 90];
            IReadOnlyList<string>? segmentChoices = focus is null ? null : await SegmentChoicesAsync(focus).ConfigureAwait(false);
            var calls = new List<object>();
            foreach (var option in focus is null ? catalog.Options : [focus])
            {
                string[] segments = segment is not null ? [segment] : segmentChoices is { Count: > 1 } s ? [s[0], NoSegment] : [NoSegment];
                foreach (var p in focus is null ? periods.Take(1) : periods)
                {
                    foreach (var seg in segments)
                    {
                        var plan = GuidedSession.Plan(option, GuidedPeriod.Ending(lastDay, p), seg == NoSegment ? null : seg);
                        calls.Add(new
                        {
                            tool = "guided_analysis",
                            arguments = new Dictionary<string, object?> { ["focus"] = option.Value, ["period"] = p, ["segment"] = seg },
                            runs = plan,
                        });
                    }
                }
            }

            var missing = new[] { focus is null ? "focus" : null, days is null ? "period" : null, focus is not null && segment is null ? "segment" : null }.OfType<string>().ToList();
            return ToolJson.Result(
                new
                {
                    status = "needs_choices",
                    chosen = new { focus = focus is null ? null : Describe(focus), period = days, segment },
                    choices = new
                    {
                        focus = focus is null ? catalog.Options.Select(o => new { value = o.Value, title = o.Title }) : null,
                        period = days is null ? GuidedPeriod.Choices : null,
                        segment = segment is null ? segmentChoices : null,
                    },
                    next_calls = calls,
                    questions = _questions,
                    query_budget = budget.Report(),
                },
                $"The user cannot be asked here, so nothing was analysed yet. Missing: {string.Join(", ", missing)}. "
                + (focus is null ? $"Focus choices: {string.Join("; ", catalog.Options.Select(o => $"{o.Value} ({o.Title})"))}. Segment choices depend on the focus. " : string.Empty)
                + (segmentChoices is not null && segment is null ? $"Segment choices for {focus!.Event}: {string.Join(", ", segmentChoices)}. " : string.Empty)
                + $"Ask the user, then call one of next_calls (each lists the primitive calls it runs). Query API spend: {budget.Spent} of a budget of {budget.Limit}.");
        }

        private CallToolResult Stopped(int step, string field, AnswerKind kind, FocusOption? focus, GuidedPeriod? period)
        {
            var how = kind == AnswerKind.Declined ? "declined" : "dismissed the question";
            var chosen = new List<string>();
            if (focus is not null)
            {
                chosen.Add($"focus {focus.Value} ({focus.Title})");
            }

            if (period is not null)
            {
                chosen.Add($"period {period.Days} days ({period})");
            }

            return ToolJson.Result(
                new
                {
                    status = "stopped",
                    stopped_at = new { step, question = field, answer = kind.ToString().ToLowerInvariant() },
                    chosen = new { focus = focus is null ? null : Describe(focus), period = period is null ? null : Describe(period) },
                    questions = _questions,
                    query_budget = budget.Report(),
                },
                $"Stopped at step {step} ({field}): the user {how}. Nothing was analysed. Chosen so far: {(chosen.Count == 0 ? "nothing" : string.Join("; ", chosen))}. Query API spend: {budget.Spent} of a budget of {budget.Limit}.");
        }

        private static object Describe(FocusOption focus) => new { value = focus.Value, title = focus.Title, kind = focus.Kind.ToString().ToLowerInvariant(), @event = focus.Event, funnel_id = focus.FunnelId };

        private static object Describe(GuidedPeriod period) => new { days = period.Days, from_date = period.From, to_date = period.To, previous_from_date = period.PreviousFrom, previous_to_date = period.PreviousTo };
    }
}
