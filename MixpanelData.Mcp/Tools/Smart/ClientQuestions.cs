using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>How the user answered a question put through MCP elicitation.</summary>
internal enum AnswerKind
{
    /// <summary>The user accepted and filled in the form.</summary>
    Accepted,

    /// <summary>The user explicitly declined.</summary>
    Declined,

    /// <summary>The user dismissed the question.</summary>
    Cancelled,

    /// <summary>The client cannot be asked on this connection (no elicitation capability, or a stateless request).</summary>
    Unavailable,
}

/// <summary>An elicitation answer: what happened, the submitted fields when accepted, and why when unavailable.</summary>
internal sealed record Answer(AnswerKind Kind, IReadOnlyDictionary<string, JsonElement> Content, string? Note)
{
    public string? Text(string field) => Content.TryGetValue(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A whole number, also when the client wrote it as <c>500.0</c> (form numbers are JSON numbers, not always integers).</summary>
    public int? Integer(string field) =>
        Content.TryGetValue(field, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var n) && n == Math.Floor(n) && n is >= int.MinValue and <= int.MaxValue ? (int)n : null;

    public bool? Flag(string field) => Content.TryGetValue(field, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}

/// <summary>
/// Puts a form question to the user through MCP elicitation. Never throws except for cancellation of the call and,
/// with <see cref="QuestionRounds"/>, to end a round on a sessionless connection: a client without elicitation, a
/// stateless request without rounds, or a client error all come back as <see cref="AnswerKind.Unavailable"/> with a
/// note, so interactive tools can fall back to explicit arguments.
/// </summary>
internal static class ClientQuestions
{
    public static bool Offered(McpServer server) => server.ClientCapabilities?.Elicitation is not null;

    /// <summary>Asks; with <paramref name="rounds"/>, a connection that cannot wait for the answer gets it through an input-required round (MRTR) instead.</summary>
    /// <exception cref="InputRequiredException">The question ends this round (only with <paramref name="rounds"/>); the client calls again with the answer.</exception>
    public static async Task<Answer> AskAsync(McpServer server, string message, ElicitRequestParams.RequestSchema schema, CancellationToken cancellationToken, QuestionRounds? rounds = null)
    {
        var key = rounds?.NextKey();
        if (key is not null && rounds!.TryAnswer(key, out var earlier))
        {
            return Read(earlier);
        }

        if (!Offered(server))
        {
            return new Answer(AnswerKind.Unavailable, new Dictionary<string, JsonElement>(), "The client does not support elicitation.");
        }

        var request = new ElicitRequestParams { Message = message, RequestedSchema = schema };
        try
        {
            return Read(await server.ElicitAsync(request, cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidOperationException ex) when (key is not null && server.IsMrtrSupported && ex.Message.Contains("stateless", StringComparison.OrdinalIgnoreCase))
        {
            throw rounds!.Ask(key, request);
        }
        catch (InvalidOperationException ex)
        {
            return new Answer(AnswerKind.Unavailable, new Dictionary<string, JsonElement>(), $"The client cannot be asked on this connection ({ex.Message}).");
        }
        catch (McpException ex)
        {
            return new Answer(AnswerKind.Unavailable, new Dictionary<string, JsonElement>(), $"The client could not answer the question ({ex.Message}).");
        }
    }

    private static Answer Read(ElicitResult result)
    {
        var none = new Dictionary<string, JsonElement>();
        var content = result.Content is null ? none : new Dictionary<string, JsonElement>(result.Content);
        return result.Action.ToLowerInvariant() switch
        {
            "accept" => new Answer(AnswerKind.Accepted, content, null),
            "decline" => new Answer(AnswerKind.Declined, none, null),
            _ => new Answer(AnswerKind.Cancelled, none, null),
        };
    }
}
