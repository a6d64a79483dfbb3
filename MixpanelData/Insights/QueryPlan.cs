using System.Text.Json;

namespace MixpanelData.Insights;

/// <summary>One step of a plan as proposed (by the client's model or the deterministic planner), not yet checked.</summary>
/// <param name="Op">The operation's name, e.g. <c>segmentation</c>.</param>
/// <param name="Args">Its arguments as JSON values.</param>
internal sealed record PlanStep(string Op, IReadOnlyDictionary<string, JsonElement> Args)
{
    private static readonly JsonSerializerOptions PlanJson = new(JsonSerializerDefaults.Web);

    public static PlanStep Of(string op, object args) =>
        new(op, JsonSerializer.SerializeToElement(args, PlanJson).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal));
}

/// <summary>A discovery request allowed in a plan (<c>list_events</c>, <c>list_properties</c>, …).</summary>
/// <param name="Op">The operation.</param>
/// <param name="Event">The event, for properties and values.</param>
/// <param name="Property">The property, for values.</param>
/// <param name="Limit">Most rows.</param>
public sealed record DiscoveryRequest(string Op, string? Event = null, string? Property = null, int Limit = 50);

/// <summary>
/// A step that passed validation: <see cref="Request"/> is the library query it runs (a <c>SegmentationQuery</c>,
/// <c>RetentionQuery</c>, … or a <see cref="DiscoveryRequest"/>), with its normalised arguments for the report.
/// </summary>
/// <param name="Index">The step's position in the proposed plan.</param>
/// <param name="Op">The operation, e.g. <c>segmentation</c>.</param>
/// <param name="Request">The library request it runs (e.g. a <c>SegmentationQuery</c>): run it again to reproduce the figure.</param>
/// <param name="Purpose">What it was run for.</param>
/// <param name="Arguments">Its normalised arguments.</param>
public sealed record ValidStep(int Index, string Op, object Request, string Purpose, IReadOnlyDictionary<string, object?> Arguments);

/// <summary>A step that will not run, and why.</summary>
/// <param name="Index">The step's position in the proposed plan.</param>
/// <param name="Op">The operation proposed.</param>
/// <param name="Reason">Why it was refused.</param>
/// <param name="Suggestions">Real names close to a wrong one.</param>
public sealed record RejectedStep(int Index, string Op, string Reason, IReadOnlyList<string>? Suggestions = null);

/// <summary>The outcome of validating a plan: what may run, what was refused, and corrections made (e.g. event-name case).</summary>
internal sealed record ValidatedPlan(IReadOnlyList<ValidStep> Steps, IReadOnlyList<RejectedStep> Rejected, IReadOnlyList<string> Notes);

/// <summary>Reads the JSON plan a model wrote: <c>{"steps": [{"op": "...", "args": {...}}, ...]}</c>, possibly inside a code fence or prose.</summary>
internal static class PlanParser
{
    public const int MaxProposedSteps = 20;

    /// <summary>The steps of the first JSON object in <paramref name="text"/> that has a <c>steps</c> array; an error when there is none.</summary>
    public static bool TryParse(string? text, out IReadOnlyList<PlanStep> steps, out string error)
    {
        steps = [];
        if (!TryFindObject(text, "steps", out var root, out error))
        {
            return false;
        }

        steps = ReadSteps(root.GetProperty("steps"));
        return true;
    }

    /// <summary>The first JSON object in <paramref name="text"/> (bare, in a code fence or in prose) whose <paramref name="arrayProperty"/> is an array.</summary>
    public static bool TryFindObject(string? text, string arrayProperty, out JsonElement root, out string error)
    {
        root = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the model returned no text";
            return false;
        }

        for (var start = text.IndexOf('{', StringComparison.Ordinal); start >= 0; start = text.IndexOf('{', start + 1))
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text[start..]), new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            try
            {
                if (!JsonDocument.TryParseValue(ref reader, out var document))
                {
                    continue;
                }

                using (document)
                {
                    root = document.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
                continue;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(arrayProperty, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                error = string.Empty;
                return true;
            }
        }

        error = $"no JSON object with a \"{arrayProperty}\" array was found in the model's answer";
        return false;
    }

    /// <summary>The steps of a <c>steps</c> array; items without a string <c>op</c> keep an empty op (and are rejected by validation).</summary>
    public static IReadOnlyList<PlanStep> ReadSteps(JsonElement list)
    {
        var parsed = new List<PlanStep>();
        foreach (var item in list.EnumerateArray().Take(MaxProposedSteps))
        {
            var op = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() ?? string.Empty : string.Empty;
            var args = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object
                ? a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal)
                : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            parsed.Add(new PlanStep(op, args));
        }

        return parsed;
    }
}
