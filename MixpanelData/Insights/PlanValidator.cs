using System.Globalization;
using System.Text.Json;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;

namespace MixpanelData.Insights;

/// <summary>What a plan is checked against: the project's real events and saved funnels, today, the default range and the budget.</summary>
/// <param name="Events">The project's event names.</param>
/// <param name="FunnelIds">Saved funnel ids, or null when they were not listed (then any positive id is accepted and Mixpanel answers).</param>
/// <param name="Today">Today (UTC); no date may be later.</param>
/// <param name="DefaultRange">Dates used when a step gives none.</param>
/// <param name="MaxSteps">The most steps that may run.</param>
/// <param name="Budget">The Query API calls left for the plan (each step costs at most 1).</param>
internal sealed record PlanContext(IReadOnlyCollection<string> Events, IReadOnlyCollection<long>? FunnelIds, DateOnly Today, DayRange DefaultRange, int MaxSteps, int Budget);

/// <summary>
/// The allow-list of read-only operations a plan may use, with the shape of each one's arguments, and the validation of
/// a proposed plan against it. Nothing outside the list can run: a step is turned into a library query only after every
/// argument has been checked (events exist, dates valid, limits bounded, expressions parse), so an unknown operation
/// (<c>sql</c>, <c>jql</c>, <c>drop_all_tables</c>, <c>fetch_events</c>, …) is reported as rejected and never executed.
/// </summary>
internal static class PlanValidator
{
    public const int MaxSpanDays = 366;

    private enum Kind { Event, OptionalEvent, Events, Text, Date, Unit, Type, Int, Expression, FunnelId, AddictionUnit, RetentionUnit }

    private sealed record Arg(string Name, Kind Kind, bool Required = false, int Min = 0, int Max = 0);

    private static readonly Arg[] DateArgs = [new("from_date", Kind.Date), new("to_date", Kind.Date)];

    private static readonly Dictionary<string, Arg[]> Operations = new(StringComparer.Ordinal)
    {
        ["segmentation"] = [new("event", Kind.Event, true), .. DateArgs, new("unit", Kind.Unit), new("type", Kind.Type), new("on", Kind.Expression), new("where", Kind.Expression), new("limit", Kind.Int, Min: 1, Max: 50)],
        ["event_counts"] = [new("events", Kind.Events, true, 1, 10), .. DateArgs, new("unit", Kind.Unit), new("type", Kind.Type)],
        ["property_counts"] = [new("event", Kind.Event, true), new("property", Kind.Text, true), .. DateArgs, new("unit", Kind.Unit), new("type", Kind.Type), new("limit", Kind.Int, Min: 1, Max: 50)],
        ["funnel"] = [new("funnel_id", Kind.FunnelId, true), .. DateArgs, new("on", Kind.Expression), new("where", Kind.Expression)],
        ["retention"] = [new("born_event", Kind.Event, true), new("event", Kind.OptionalEvent), .. DateArgs, new("unit", Kind.RetentionUnit), new("interval_count", Kind.Int, Min: 1, Max: 60), new("born_where", Kind.Expression), new("where", Kind.Expression), new("on", Kind.Expression)],
        ["frequency"] = [new("event", Kind.OptionalEvent), .. DateArgs, new("unit", Kind.RetentionUnit), new("addiction_unit", Kind.AddictionUnit), new("where", Kind.Expression)],
        ["list_events"] = [],
        ["list_properties"] = [new("event", Kind.Event, true)],
        ["list_property_values"] = [new("event", Kind.Event, true), new("property", Kind.Text, true), new("limit", Kind.Int, Min: 1, Max: 100)],
        ["list_funnels"] = [],
        ["list_cohorts"] = [],
    };

    /// <summary>The allowed operations' names.</summary>
    public static IReadOnlyCollection<string> Allowed => Operations.Keys;

    /// <summary>The allow-list as the plan prompt shows it: one line per operation with its arguments.</summary>
    public static string Describe() => string.Join("\n", Operations.Select(o =>
        $"- {o.Key}({string.Join(", ", o.Value.Select(a => $"{a.Name}{(a.Required ? string.Empty : "?")}: {KindText(a)}"))})"));

    public static ValidatedPlan Validate(IReadOnlyList<PlanStep> proposed, PlanContext context)
    {
        var valid = new List<ValidStep>();
        var rejected = new List<RejectedStep>();
        var notes = new List<string>();
        for (var i = 0; i < proposed.Count; i++)
        {
            var step = proposed[i];
            var op = step.Op.Trim();
            if (!Operations.TryGetValue(op, out var spec))
            {
                rejected.Add(new RejectedStep(i, step.Op, op.Length == 0
                    ? "the step names no operation"
                    : $"'{op}' is not an allowed read-only operation (allowed: {string.Join(", ", Operations.Keys)}); it was not run"));
                continue;
            }

            if (valid.Count >= context.MaxSteps)
            {
                rejected.Add(new RejectedStep(i, op, $"the plan may run at most {context.MaxSteps} steps"));
                continue;
            }

            if (valid.Count >= context.Budget)
            {
                rejected.Add(new RejectedStep(i, op, $"over this call's Query API budget ({context.Budget} call(s) left for the plan)"));
                continue;
            }

            var checkedStep = Check(i, op, spec, step.Args, context, notes);
            if (checkedStep.Valid is { } ok)
            {
                valid.Add(ok);
            }
            else
            {
                rejected.Add(checkedStep.Rejected!);
            }
        }

        return new ValidatedPlan(valid, rejected, notes);
    }

    private static (ValidStep? Valid, RejectedStep? Rejected) Check(int index, string op, Arg[] spec, IReadOnlyDictionary<string, JsonElement> args, PlanContext context, List<string> notes)
    {
        var unknown = args.Keys.FirstOrDefault(k => spec.All(a => a.Name != k));
        if (unknown is not null)
        {
            return (null, new RejectedStep(index, op, $"unknown argument '{unknown}' for {op} (allowed: {(spec.Length == 0 ? "none" : string.Join(", ", spec.Select(a => a.Name)))})"));
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var arg in spec)
        {
            var present = args.TryGetValue(arg.Name, out var value) && value.ValueKind != JsonValueKind.Null;
            if (!present)
            {
                if (arg.Required)
                {
                    return (null, new RejectedStep(index, op, $"{op} needs '{arg.Name}'"));
                }

                continue;
            }

            var (parsed, problem, suggestions) = Read(arg, value, context, notes);
            if (problem is not null)
            {
                return (null, new RejectedStep(index, op, $"{arg.Name}: {problem}", suggestions));
            }

            values[arg.Name] = parsed;
        }

        var from = values.TryGetValue("from_date", out var f) ? (DateOnly)f! : context.DefaultRange.From;
        var to = values.TryGetValue("to_date", out var t) ? (DateOnly)t! : context.DefaultRange.To;
        if (from > to)
        {
            return (null, new RejectedStep(index, op, $"from_date {from:yyyy-MM-dd} is after to_date {to:yyyy-MM-dd}"));
        }

        if (to.DayNumber - from.DayNumber + 1 > MaxSpanDays)
        {
            return (null, new RejectedStep(index, op, $"the range spans more than {MaxSpanDays} days"));
        }

        if (spec.Any(a => a.Kind == Kind.Date))
        {
            values["from_date"] = from;
            values["to_date"] = to;
        }

        var request = Build(op, values, from, to);
        return (new ValidStep(index, op, request, Purpose(op, values), values), null);
    }

    private static (object? Value, string? Problem, IReadOnlyList<string>? Suggestions) Read(Arg arg, JsonElement value, PlanContext context, List<string> notes)
    {
        switch (arg.Kind)
        {
            case Kind.Event or Kind.OptionalEvent:
                return value.ValueKind == JsonValueKind.String ? RealEvent(value.GetString()!, context, notes) : (null, "must be an event name (a string)", null);
            case Kind.Events:
                {
                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        return (null, "must be an array of event names", null);
                    }

                    var names = new List<string>();
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            return (null, "must be an array of event names", null);
                        }

                        var (name, problem, suggestions) = RealEvent(item.GetString()!, context, notes);
                        if (problem is not null)
                        {
                            return (null, problem, suggestions);
                        }

                        names.Add((string)name!);
                    }

                    return names.Count < arg.Min || names.Count > arg.Max ? (null, $"needs {arg.Min} to {arg.Max} events", null) : (names, null, null);
                }

            case Kind.Text:
                {
                    var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : string.Empty;
                    return text.Length is 0 or > 200 ? (null, "must be a non-empty string of at most 200 characters", null) : (text, null, null);
                }

            case Kind.Date:
                {
                    var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
                    if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    {
                        return (null, $"must be a date written YYYY-MM-DD, not '{text}'", null);
                    }

                    return date > context.Today ? (null, $"{date:yyyy-MM-dd} is in the future", null) : date.Year < 2000 ? (null, "dates before 2000 are refused by Mixpanel", null) : (date, null, null);
                }

            case Kind.Int:
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n))
                    {
                        return (null, "must be a whole number", null);
                    }

                    return n < arg.Min || n > arg.Max ? (null, $"must be between {arg.Min} and {arg.Max}, not {n}", null) : (n, null, null);
                }

            case Kind.FunnelId:
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var id) || id <= 0)
                    {
                        return (null, "must be a saved funnel's id (a positive number from list_funnels)", null);
                    }

                    return context.FunnelIds is { } ids && !ids.Contains(id)
                        ? (null, $"no saved funnel has id {id}", [.. ids.Select(x => x.ToString(CultureInfo.InvariantCulture))])
                        : (id, null, null);
                }

            case Kind.Expression:
                {
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        return (null, "must be a Mixpanel expression (a string)", null);
                    }

                    var text = value.GetString()!;
                    return text.Length > 1000 ? (null, "is longer than 1000 characters", null)
                        : MixpanelExpression.TryParse(text, out _, out var error) ? (text, null, null)
                        : (null, $"is not a valid expression ({error!.Message})", null);
                }

            default:
                {
                    var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim().ToLowerInvariant() : string.Empty;
                    var choices = Choices(arg.Kind);
                    return choices.Contains(text) ? (text, null, null) : (null, $"must be one of {string.Join(", ", choices)}", null);
                }
        }
    }

    private static (object? Value, string? Problem, IReadOnlyList<string>? Suggestions) RealEvent(string name, PlanContext context, List<string> notes)
    {
        if (context.Events.Contains(name))
        {
            return (name, null, null);
        }

        var sameIgnoringCase = context.Events.FirstOrDefault(e => string.Equals(e, name, StringComparison.OrdinalIgnoreCase));
        if (sameIgnoringCase is not null)
        {
            notes.Add($"'{name}' was read as the event '{sameIgnoringCase}'");
            return (sameIgnoringCase, null, null);
        }

        var closest = PhraseMatcher.Closest(name, context.Events);
        return (null, $"no event '{name}' in this project{(closest.Count > 0 ? $"; closest: {string.Join(", ", closest)}" : string.Empty)}", closest);
    }

    private static string[] Choices(Kind kind) => kind switch
    {
        Kind.Unit => ["hour", "day", "week", "month"],
        Kind.RetentionUnit => ["day", "week", "month"],
        Kind.AddictionUnit => ["hour", "day"],
        _ => ["general", "unique", "average"],
    };

    private static string KindText(Arg arg) => arg.Kind switch
    {
        Kind.Event or Kind.OptionalEvent => "event name",
        Kind.Events => $"[event names] ({arg.Min}-{arg.Max})",
        Kind.Text => "string",
        Kind.Date => "YYYY-MM-DD",
        Kind.Int => $"int {arg.Min}-{arg.Max}",
        Kind.Expression => "Mixpanel expression",
        Kind.FunnelId => "saved funnel id",
        _ => string.Join("|", Choices(arg.Kind)),
    };

    private static TimeUnit Unit(Dictionary<string, object?> v, string name, TimeUnit fallback) =>
        v.TryGetValue(name, out var u) && u is string s ? Enum.Parse<TimeUnit>(s, ignoreCase: true) : fallback;

    private static CountType Type(Dictionary<string, object?> v) =>
        v.TryGetValue("type", out var t) && t is string s ? Enum.Parse<CountType>(s, ignoreCase: true) : CountType.General;

    private static string? Text(Dictionary<string, object?> v, string name) => v.TryGetValue(name, out var x) ? x as string : null;

    private static int Int(Dictionary<string, object?> v, string name, int fallback) => v.TryGetValue(name, out var x) && x is int n ? n : fallback;

    private static object Build(string op, Dictionary<string, object?> v, DateOnly from, DateOnly to) => op switch
    {
        "segmentation" => new SegmentationQuery(Text(v, "event")!, from, to) { Unit = Unit(v, "unit", TimeUnit.Day), Type = Type(v), On = Text(v, "on"), Where = Text(v, "where"), Limit = Int(v, "limit", 20) },
        "event_counts" => new EventCountsQuery((List<string>)v["events"]!, from, to) { Unit = Unit(v, "unit", TimeUnit.Day), Type = Type(v) },
        "property_counts" => new PropertyCountsQuery(Text(v, "event")!, Text(v, "property")!, from, to) { Unit = Unit(v, "unit", TimeUnit.Day), Type = Type(v), Limit = Int(v, "limit", 20) },
        "funnel" => new SavedFunnelQuery((long)v["funnel_id"]!, from, to) { On = Text(v, "on"), Where = Text(v, "where"), Limit = 50 },
        "retention" => new RetentionQuery(from, to) { BornEvent = Text(v, "born_event"), Event = Text(v, "event"), Unit = Unit(v, "unit", TimeUnit.Day), IntervalCount = Int(v, "interval_count", 30), BornWhere = Text(v, "born_where"), Where = Text(v, "where"), On = Text(v, "on") },
        "frequency" => new FrequencyQuery(from, to) { Event = Text(v, "event"), Unit = Unit(v, "unit", TimeUnit.Week), AddictionUnit = Unit(v, "addiction_unit", TimeUnit.Day), Where = Text(v, "where") },
        _ => new DiscoveryRequest(op, Text(v, "event"), Text(v, "property"), Int(v, "limit", 50)),
    };

    private static string Purpose(string op, Dictionary<string, object?> v)
    {
        var range = v.TryGetValue("from_date", out var f) ? $" {f:yyyy-MM-dd}..{v["to_date"]:yyyy-MM-dd}" : string.Empty;
        var detail = op switch
        {
            "segmentation" or "property_counts" or "list_properties" or "list_property_values" => $" {Text(v, "event")}{(Text(v, "on") is { } on ? $" by {on}" : string.Empty)}{(Text(v, "property") is { } p ? $" by {p}" : string.Empty)}",
            "event_counts" => $" {string.Join(", ", (List<string>)v["events"]!)}",
            "funnel" => $" {v["funnel_id"]}{(Text(v, "on") is { } on ? $" by {on}" : string.Empty)}",
            "retention" => $" after {Text(v, "born_event")}{(Text(v, "on") is { } on ? $" by {on}" : string.Empty)}",
            "frequency" => $" {Text(v, "event") ?? "any event"}",
            _ => string.Empty,
        };
        return op + detail + range;
    }
}
