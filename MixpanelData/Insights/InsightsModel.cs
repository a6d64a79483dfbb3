namespace MixpanelData.Insights;

/// <summary>
/// A language model an insight may consult: to propose a plan over the allow-listed read-only operations (validated
/// before anything runs) and to word an answer from figures already computed. It never supplies a figure. The MCP host
/// lends its client's model through sampling; a .NET program can wrap any chat client in a few lines.
/// <code>
/// sealed class MyModel(IChatClient chat) : IInsightsModel
/// {
///     public string Name => "local model";
///     public string Source => "local_model";
///     public async Task&lt;ModelReply&gt; CompleteAsync(ModelPrompt prompt, CancellationToken ct) =>
///         new((await chat.GetResponseAsync([new(ChatRole.System, prompt.System), new(ChatRole.User, prompt.Prompt)], new() { MaxOutputTokens = prompt.MaxTokens }, ct)).Text, null);
/// }
/// </code>
/// </summary>
public interface IInsightsModel
{
    /// <summary>How answers name the model, e.g. "client's model".</summary>
    string Name { get; }

    /// <summary>How results label what the model wrote, e.g. <c>client_sampling</c>.</summary>
    string Source { get; }

    /// <summary>
    /// The model's answer to <paramref name="prompt"/>, or a reply without text and a note saying why there is none
    /// (declined, unavailable). Should not throw except for cancellation; an exception is reported as a note.
    /// </summary>
    Task<ModelReply> CompleteAsync(ModelPrompt prompt, CancellationToken cancellationToken);
}

/// <summary>What the model is asked.</summary>
/// <param name="System">The instructions.</param>
/// <param name="Prompt">The request with its facts.</param>
/// <param name="MaxTokens">The longest answer wanted.</param>
public sealed record ModelPrompt(string System, string Prompt, int MaxTokens);

/// <summary>What the model said, or why it said nothing.</summary>
/// <param name="Text">The answer; null when there is none.</param>
/// <param name="Note">Why there is no text.</param>
public sealed record ModelReply(string? Text, string? Note)
{
    /// <summary>Whether the model wrote an answer.</summary>
    public bool Written => Text is not null;

    /// <summary>Asks <paramref name="model"/>, turning a failure into a reply with a note.</summary>
    internal static async Task<ModelReply> AskAsync(IInsightsModel model, string system, string prompt, int maxTokens, CancellationToken cancellationToken)
    {
        try
        {
            return await model.CompleteAsync(new ModelPrompt(system, prompt, maxTokens), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A model's failure must end in a note, never in a failed insight: the figures are computed without it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new ModelReply(null, $"the {model.Name} failed ({ex.Message})");
        }
    }
}
