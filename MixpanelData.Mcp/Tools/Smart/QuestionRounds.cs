using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixpanelData.Insights;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>
/// Questions across the rounds of one tool call on a connection where the server cannot wait for an answer (the
/// sessionless 2026-07-28 HTTP path: one stateless server per request). There a question ends the round with an MCP
/// input-required result (MRTR); the client asks its user and calls again with the answer, and the tool runs again
/// from the start, replaying earlier answers from the request state it handed out. Questions are keyed by their order
/// (q1, q2, …), which is stable because a tool asks the same questions given the same earlier answers.
/// The state also carries the Query API calls of earlier rounds, so the stated budget holds for the call as a whole.
/// </summary>
internal sealed class QuestionRounds
{
    private readonly Dictionary<string, ElicitResult> _answers;
    private readonly string _binding;
    private QueryBudget? _budget;
    private int _asked;

    private QuestionRounds(Dictionary<string, ElicitResult> answers, string binding, int earlierSpend)
    {
        _answers = answers;
        _binding = binding;
        EarlierSpend = earlierSpend;
    }

    /// <summary>Query API calls spent by this call's earlier rounds.</summary>
    public int EarlierSpend { get; }

    /// <summary>Reads the answers given so far: the request state of earlier rounds plus the input responses of this retry.</summary>
    public static QuestionRounds From(RequestContext<CallToolRequestParams> context)
    {
        var binding = Bind(context.Params);
        var answers = new Dictionary<string, ElicitResult>(StringComparer.Ordinal);
        var spent = 0;
        if (context.Params?.RequestState is { Length: > 0 } state && Read(state) is { } saved
            && saved["binding"] is JsonValue bound && bound.TryGetValue<string>(out var text) && text == binding)
        {
            spent = saved["spent"] is JsonValue s && s.TryGetValue<int>(out var n) ? n : 0;
            foreach (var (key, value) in saved["answers"]?.AsObject() ?? [])
            {
                if (value?.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo<ElicitResult>()) is { } answer)
                {
                    answers[key] = answer;
                }
            }
        }

        foreach (var (key, response) in context.Params?.InputResponses ?? new Dictionary<string, InputResponse>())
        {
            if (response.Deserialize(InputResponse.ElicitResultJsonTypeInfo) is { } answer)
            {
                answers[key] = answer;
            }
        }

        return new QuestionRounds(answers, binding, spent);
    }

    /// <summary>Whose spend to carry into the next round's state.</summary>
    public void Track(QueryBudget budget) => _budget = budget;

    internal string NextKey() => $"q{++_asked}";

    internal bool TryAnswer(string key, out ElicitResult answer) => _answers.TryGetValue(key, out answer!);

    /// <summary>Ends this round with the question; the client's retry brings the answer back under <paramref name="key"/>.</summary>
    internal InputRequiredException Ask(string key, ElicitRequestParams request)
    {
        var answers = new JsonObject();
        foreach (var (name, answer) in _answers)
        {
            answers[name] = JsonSerializer.SerializeToNode(answer, McpJsonUtilities.DefaultOptions.GetTypeInfo<ElicitResult>());
        }

        var state = new JsonObject { ["binding"] = _binding, ["spent"] = _budget?.Spent ?? EarlierSpend, ["answers"] = answers };
        return new InputRequiredException(
            new Dictionary<string, InputRequest> { [key] = InputRequest.ForElicitation(request) },
            Convert.ToBase64String(Encoding.UTF8.GetBytes(state.ToJsonString())));
    }

    // Answers only apply to the call they were given for: the state names the tool and a digest of its arguments.
    private static string Bind(CallToolRequestParams? call)
    {
        var arguments = new JsonObject();
        foreach (var (name, value) in (call?.Arguments ?? new Dictionary<string, JsonElement>()).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            arguments[name] = JsonNode.Parse(value.GetRawText());
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes((call?.Name ?? string.Empty) + "\n" + arguments.ToJsonString())));
    }

    private static JsonObject? Read(string state)
    {
        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(state))) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return null; // Not ours or damaged: start over and ask again.
        }
    }
}
