using System.Text.Json.Nodes;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>How one validated step ended: its digest when it ran, or the error (reported, never replaced by zeros).</summary>
/// <param name="Step">The step run.</param>
/// <param name="Digest">Its result in brief, when it ran.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record StepOutcome(ValidStep Step, Digest? Digest, string? Error)
{
    /// <summary>Whether it ran.</summary>
    public bool Ok => Digest is not null;

    /// <summary>The step as JSON (op, purpose, outcome, summary, error, data).</summary>
    public JsonObject ToJson() => new()
    {
        ["op"] = Step.Op,
        ["purpose"] = Step.Purpose,
        ["outcome"] = Ok ? "ok" : "failed",
        ["summary"] = Digest?.Summary,
        ["error"] = Error,
        ["data"] = Digest?.Data,
    };
}

/// <summary>Runs validated steps against the workspace, each inside the call's <see cref="QueryBudget"/> (1 Query API call reserved, the real spend measured).</summary>
internal static class PlanRunner
{
    public static async Task<IReadOnlyList<StepOutcome>> RunAsync(InsightSources sources, IReadOnlyList<ValidStep> steps, QueryBudget budget, CancellationToken cancellationToken)
    {
        var outcomes = new List<StepOutcome>();
        foreach (var step in steps)
        {
            var outcome = await budget.RunAsync(step.Purpose, 1, ct => ExecuteAsync(sources, step.Request, ct), cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome.Ok ? new StepOutcome(step, ResultDigest.Of(outcome.Value!), null) : new StepOutcome(step, null, outcome.Error));
        }

        return outcomes;
    }

    /// <summary>The one place where a plan touches Mixpanel: a closed set of read-only library calls, one per allowed request type.</summary>
    public static async Task<object> ExecuteAsync(InsightSources sources, object request, CancellationToken cancellationToken) => request switch
    {
        SegmentationQuery q => await sources.Query.SegmentationAsync(q, cancellationToken).ConfigureAwait(false),
        EventCountsQuery q => await sources.Query.EventCountsAsync(q, cancellationToken).ConfigureAwait(false),
        PropertyCountsQuery q => await sources.Query.PropertyCountsAsync(q, cancellationToken).ConfigureAwait(false),
        SavedFunnelQuery q => await sources.Query.FunnelAsync(q, cancellationToken).ConfigureAwait(false),
        RetentionQuery q => await sources.Query.RetentionAsync(q, cancellationToken).ConfigureAwait(false),
        FrequencyQuery q => await sources.Query.FrequencyAsync(q, cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_events" } => await sources.Discovery.EventsAsync(cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_properties" } d => await sources.Discovery.PropertiesAsync(d.Event!, 50, cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_property_values" } d => await sources.Discovery.PropertyValuesAsync(d.Event!, d.Property!, d.Limit, cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_funnels" } => await sources.Discovery.FunnelsAsync(cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_cohorts" } => await sources.Discovery.CohortsAsync(cancellationToken).ConfigureAwait(false),
        _ => throw new InvalidOperationException($"{request.GetType().Name} is not a request a plan may run."),
    };
}
