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
/// Puts a form question to the user through MCP elicitation. Never throws except for cancellation of the call:
/// a client without elicitation, a stateless request, or a client error all come back as <see cref="AnswerKind.Unavailable"/>
/// with a note, so interactive tools can fall back to explicit arguments.
/// </summary>
internal static class ClientQuestions
{
    public static bool Offered(McpServer server) => server.ClientCapabilities?.Elicitation is not null;

    public static async Task<Answer> AskAsync(McpServer server, string message, ElicitRequestParams.RequestSchema schema, CancellationToken cancellationToken)
    {
        var none = new Dictionary<string, JsonElement>();
        if (!Offered(server))
        {
            return new Answer(AnswerKind.Unavailable, none, "The client does not support elicitation.");
        }

        try
        {
            var result = await server.ElicitAsync(new ElicitRequestParams { Message = message, RequestedSchema = schema }, cancellationToken).ConfigureAwait(false);
            var content = result.Content is null ? none : new Dictionary<string, JsonElement>(result.Content);
            return result.Action.ToLowerInvariant() switch
            {
                "accept" => new Answer(AnswerKind.Accepted, content, null),
                "decline" => new Answer(AnswerKind.Declined, none, null),
                _ => new Answer(AnswerKind.Cancelled, none, null),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidOperationException ex)
        {
            return new Answer(AnswerKind.Unavailable, none, $"The client cannot be asked on this connection ({ex.Message}).");
        }
        catch (McpException ex)
        {
            return new Answer(AnswerKind.Unavailable, none, $"The client could not answer the question ({ex.Message}).");
        }
    }
}
