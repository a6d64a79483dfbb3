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

    /// <summary>The areas the insights read from.</summary>
    internal InsightSources Sources { get; }
}
