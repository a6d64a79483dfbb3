using System.Text.Json.Nodes;
using MixpanelData.Queries;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>How one validated step ended: its digest when it ran, or the error (reported, never replaced by zeros).</summary>
internal sealed record StepOutcome(ValidStep Step, Digest? Digest, string? Error)
{
    public bool Ok => Digest is not null;

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
    public static async Task<IReadOnlyList<StepOutcome>> RunAsync(Workspace workspace, IReadOnlyList<ValidStep> steps, QueryBudget budget, CancellationToken cancellationToken)
    {
        var outcomes = new List<StepOutcome>();
        foreach (var step in steps)
        {
            var outcome = await budget.RunAsync(step.Purpose, 1, ct => ExecuteAsync(workspace, step.Request, ct), cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome.Ok ? new StepOutcome(step, ResultDigest.Of(outcome.Value!), null) : new StepOutcome(step, null, outcome.Error));
        }

        return outcomes;
    }

    /// <summary>The one place where a plan touches Mixpanel: a closed set of read-only library calls, one per allowed request type.</summary>
    public static async Task<object> ExecuteAsync(Workspace workspace, object request, CancellationToken cancellationToken) => request switch
    {
        SegmentationQuery q => await workspace.Query.SegmentationAsync(q, cancellationToken).ConfigureAwait(false),
        EventCountsQuery q => await workspace.Query.EventCountsAsync(q, cancellationToken).ConfigureAwait(false),
        PropertyCountsQuery q => await workspace.Query.PropertyCountsAsync(q, cancellationToken).ConfigureAwait(false),
        SavedFunnelQuery q => await workspace.Query.FunnelAsync(q, cancellationToken).ConfigureAwait(false),
        RetentionQuery q => await workspace.Query.RetentionAsync(q, cancellationToken).ConfigureAwait(false),
        FrequencyQuery q => await workspace.Query.FrequencyAsync(q, cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_events" } => await workspace.Discovery.EventsAsync(cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_properties" } d => await workspace.Discovery.PropertiesAsync(d.Event!, 50, cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_property_values" } d => await workspace.Discovery.PropertyValuesAsync(d.Event!, d.Property!, d.Limit, cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_funnels" } => await workspace.Discovery.FunnelsAsync(cancellationToken).ConfigureAwait(false),
        DiscoveryRequest { Op: "list_cohorts" } => await workspace.Discovery.CohortsAsync(cancellationToken).ConfigureAwait(false),
        _ => throw new InvalidOperationException($"{request.GetType().Name} is not a request a plan may run."),
    };
}
