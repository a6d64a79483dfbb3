using System.Diagnostics.CodeAnalysis;
using MixpanelData.Insights;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>What the client's model said, or why it was not asked.</summary>
/// <param name="Text">The model's answer; null when sampling was not available or failed.</param>
/// <param name="Source"><c>client_sampling</c> when the client's model wrote it, otherwise <c>none</c>.</param>
/// <param name="Note">Why there is no text (no sampling capability, stateless transport, client declined), for the host model.</param>
internal sealed record Narrative(string? Text, string Source, string? Note)
{
    public bool Written => Text is not null;
}

/// <summary>
/// The client's LLM through MCP sampling, used only to word findings the server has already computed (and, for
/// <c>ask_mixpanel</c>, to propose a plan that is validated before anything runs). Every failure mode — no capability,
/// a stateless HTTP request, the user or client declining, an error — ends in a <see cref="Narrative"/> without text
/// and a note saying why; callers return their computed findings either way.
/// </summary>
[SuppressMessage("Usage", "MCP9005", Justification = "Sampling is deprecated in 2026-07-28 but still the way handshake-era clients lend their model.")]
internal static class ClientLlm
{
    public static bool Offered(McpServer server) =>
#pragma warning disable MCP9005
        server.ClientCapabilities?.Sampling is not null;
#pragma warning restore MCP9005

    /// <summary>Asks the client's model; never throws except for cancellation.</summary>
    public static async Task<Narrative> AskAsync(McpServer server, string systemPrompt, string prompt, int maxTokens, CancellationToken cancellationToken)
    {
        if (!Offered(server))
        {
            return new Narrative(null, "none", "The client offers no sampling, so no narrative was written: summarise the findings above for the user.");
        }

#pragma warning disable MCP9005
        var request = new CreateMessageRequestParams
        {
            SystemPrompt = systemPrompt,
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = maxTokens,
            Temperature = 0.2f,
        };
        try
        {
            var answer = await server.SampleAsync(request, cancellationToken).ConfigureAwait(false);
            var text = string.Join("\n", answer.Content.OfType<TextContentBlock>().Select(t => t.Text)).Trim();
            return text.Length == 0
                ? new Narrative(null, "none", "The client's model returned no text: summarise the findings above for the user.")
                : new Narrative(text, "client_sampling", null);
        }
#pragma warning restore MCP9005
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidOperationException ex)
        {
            return new Narrative(null, "none", $"Sampling is not available on this connection ({ex.Message}): summarise the findings above for the user.");
        }
        catch (McpException ex)
        {
            return new Narrative(null, "none", $"The client did not provide a sampled answer ({ex.Message}): summarise the findings above for the user.");
        }
    }
}

/// <summary>The client's model, lent to the library's insights through MCP sampling.</summary>
internal sealed class SamplingModel(McpServer server) : IInsightsModel
{
    public string Name => "client's model";

    public string Source => "client_sampling";

    public async Task<ModelReply> CompleteAsync(ModelPrompt prompt, CancellationToken cancellationToken)
    {
        var narrative = await ClientLlm.AskAsync(server, prompt.System, prompt.Prompt, prompt.MaxTokens, cancellationToken).ConfigureAwait(false);
        return new ModelReply(narrative.Text, narrative.Note);
    }
}
