using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>What the three analysis tools share: the narrative request, its shape in the result, and failure handling.</summary>
internal static class SmartOutput
{
    private const string SystemPrompt =
        "You are a product analytics assistant. Explain the computed findings you are given to a product manager in at most 150 words. "
        + "Use only the numbers given, keep the stated confidence, and do not invent causes the findings do not support.";

    /// <summary>Asks the client's model to word <paramref name="findings"/>; never throws except for cancellation.</summary>
    public static Task<Narrative> NarrateAsync(McpServer server, string findings, CancellationToken cancellationToken) =>
        ClientLlm.AskAsync(server, SystemPrompt, findings, 600, cancellationToken);

    public static object Shape(Narrative narrative) => new { text = narrative.Text, source = narrative.Source, note = narrative.Note };

    /// <summary>The text content: the findings, then the narrative or the note for the host model.</summary>
    public static string Summary(string findings, Narrative narrative) =>
        narrative.Written ? $"{findings}\nNarrative (client model): {narrative.Text}" : $"{findings}\nNote: {narrative.Note}";

    public static double Round(double value, int digits = 1) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    public static double? Round(double? value, int digits = 1) => value is { } v ? Round(v, digits) : null;
}
