namespace MixpanelData.Insights;

/// <summary>
/// Answers, not rows: the analysis behind the smart tools, for any .NET program. Each method composes a handful of
/// Discovery and Query calls within a stated Query API budget (measured, reported), computes its findings on the
/// server side of the call and returns them as typed records whose figures come from the results, never from a model.
/// <code>
/// await using var ws = Workspace.OpenDemo();
/// var answer = await ws.Insights.AskAsync("which plan bought most last month?");
/// Console.WriteLine(answer.Text);
/// </code>
/// </summary>
public sealed class InsightsClient
{
    internal InsightsClient(InsightSources sources) => Sources = sources;

    /// <summary>
    /// Answers a question in plain words ("how many Sign Ups last week?", "Sign Up by utm_source", "conversion from Sign Up
    /// to Purchase"), naming the figures in its sentence, with the requests it ran and the Query API budget spent. A
    /// model in <paramref name="options"/> may plan and word the answer; its plan is validated against the allow-list of
    /// read-only operations, and the figures still come from the queries.
    /// </summary>
    /// <exception cref="ArgumentException">The question is empty or too long, or an option is out of range.</exception>
    public Task<InsightAnswer> AskAsync(string question, AskOptions? options = null, CancellationToken cancellationToken = default) =>
        new QuestionAnswerer(Sources).AskAsync(question, options ?? new AskOptions(), cancellationToken);

    /// <summary>
    /// Confirms a drop in an event's daily count against the same weekdays one and two weeks earlier, breaks it down by
    /// dimensions chosen among the event's real properties, and ranks the falling segments by their contribution.
    /// Spends at most <see cref="MetricDropRequest.Budget"/> Query API calls.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is out of range, or the event has no events to diagnose.</exception>
    public Task<MetricDropDiagnosis> DiagnoseDropAsync(MetricDropRequest request, CancellationToken cancellationToken = default) =>
        new MetricDropDiagnoser(Sources).DiagnoseAsync(request, cancellationToken);

    /// <summary>
    /// AARRR health over a period against the previous equal period: acquisition, activation (chosen by evidence),
    /// D1/D7/D30 retention, revenue and referral, with a 0-100 score. Spends at most <see cref="ProductHealthRequest.Budget"/> Query API calls.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is out of range, or no sign-up-like event exists.</exception>
    /// <exception cref="EventNotFoundException">A given event is not in the project.</exception>
    public Task<ProductHealthReport> ProductHealthAsync(ProductHealthRequest request, CancellationToken cancellationToken = default) =>
        new ProductHealth(Sources).ReportAsync(request, cancellationToken);

    /// <summary>
    /// A saved funnel's step conversion and time to convert, its worst step, the best and worst segments per step over
    /// dimensions of the first step's event, and recommendations citing their figures. Spends at most <see cref="FunnelReportRequest.Budget"/> Query API calls.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is out of range, the id is not a saved funnel, or nobody entered it.</exception>
    public Task<FunnelReport> FunnelReportAsync(FunnelReportRequest request, CancellationToken cancellationToken = default) =>
        new FunnelReports(Sources).ReportAsync(request, cancellationToken);

    /// <summary>
    /// Two cohorts (saved ids or user-property expressions) compared on D1/D7/D30 retention after sign-up (z-tests with
    /// sample sizes), weekly activity and event volume per member. Spends at most <see cref="CohortComparisonRequest.Budget"/> Query API calls.
    /// </summary>
    /// <exception cref="ArgumentException">A cohort is neither a saved id nor a user-property expression, or an option is out of range.</exception>
    public Task<CohortComparisonReport> CompareCohortsAsync(CohortComparisonRequest request, CancellationToken cancellationToken = default) =>
        new CohortComparer(Sources).CompareAsync(request, cancellationToken);

    /// <summary>
    /// Goal–Question–Metric: classifies the goal, derives 3 to 5 questions, maps each to metrics over the project's real
    /// events and properties and answers it with a query; says which cannot be answered and why. Spends at most <see cref="GqmRequest.Budget"/> Query API calls.
    /// </summary>
    /// <exception cref="ArgumentException">The goal is empty or too long, or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The project's events could not be listed.</exception>
    public Task<GqmInvestigation> InvestigateGoalAsync(GqmRequest request, CancellationToken cancellationToken = default) =>
        new GqmInvestigator(Sources).InvestigateAsync(request, cancellationToken);

    /// <summary>A guided analysis (focus, period, segment) that spends from <paramref name="budget"/>, step by step.</summary>
    public GuidedSession Guided(QueryBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return new GuidedSession(Sources, budget);
    }

    /// <summary>
    /// Estimates how many events a fetch would bring, from the Query API's daily event counts, spending from
    /// <paramref name="budget"/>; the counts are kept, so narrower scopes are re-estimated at no further cost.
    /// <paramref name="where"/> is the fetch's filter, if any (the estimate is then an upper bound).
    /// </summary>
    public VolumeEstimator VolumeEstimator(QueryBudget budget, string? where = null)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return new VolumeEstimator(Sources, budget, where);
    }

    /// <summary>The areas the insights read from.</summary>
    internal InsightSources Sources { get; }
}
