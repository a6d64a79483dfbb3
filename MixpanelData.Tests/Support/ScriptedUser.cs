using System.Collections.Concurrent;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Tests.Support;

/// <summary>The user behind an MCP client's elicitation handler: records every question and answers as the test scripts.</summary>
public sealed class ScriptedUser
{
    private readonly ConcurrentQueue<ElicitRequestParams> _asked = new();

    /// <summary>The questions asked so far, in order.</summary>
    public IReadOnlyList<ElicitRequestParams> Asked => [.. _asked];

    /// <summary>How the next questions are answered; by default they are dismissed.</summary>
    public Func<ElicitRequestParams, ElicitResult> Answer { get; set; } = _ => new ElicitResult { Action = "cancel" };

    public McpClientHandlers Handlers => new()
    {
        ElicitationHandler = (request, _) =>
        {
            _asked.Enqueue(request!);
            return ValueTask.FromResult(Answer(request!));
        },
    };

    public static ElicitResult Accept(params (string Field, object Value)[] fields) => new()
    {
        Action = "accept",
        Content = fields.ToDictionary(f => f.Field, f => JsonSerializer.SerializeToElement(f.Value)),
    };

    public static ElicitResult Decline() => new() { Action = "decline" };

    public static ElicitResult Cancel() => new() { Action = "cancel" };

    /// <summary>Answers the questions in turn with <paramref name="answers"/>; any further question is dismissed.</summary>
    public void Script(params Func<ElicitRequestParams, ElicitResult>[] answers)
    {
        var queue = new ConcurrentQueue<Func<ElicitRequestParams, ElicitResult>>(answers);
        Answer = request => queue.TryDequeue(out var next) ? next(request) : Cancel();
    }
}
