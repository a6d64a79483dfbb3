using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixpanelData.Api;

/// <summary>A JSON array of names or values (<c>/events/names</c>, <c>/events/properties/values</c>), each as text.</summary>
[JsonConverter(typeof(TextListAnswer.Converter))]
internal sealed record TextListAnswer(IReadOnlyList<string> Items)
{
    internal sealed class Converter : AnswerConverter<TextListAnswer>
    {
        protected override TextListAnswer Parse(JsonElement root) =>
            new([.. ApiJson.Expect(root, JsonValueKind.Array, "the list").EnumerateArray().Select(ApiJson.Text)]);
    }
}

/// <summary>The answer of <c>/events/properties/top</c>: property names and their counts (when sent).</summary>
[JsonConverter(typeof(PropertyCountsAnswer.Converter))]
internal sealed record PropertyCountsAnswer(IReadOnlyList<KeyValuePair<string, long?>> Properties)
{
    internal sealed class Converter : AnswerConverter<PropertyCountsAnswer>
    {
        protected override PropertyCountsAnswer Parse(JsonElement root) =>
            new([.. ApiJson.Expect(root, JsonValueKind.Object, "the properties").EnumerateObject().Select(p => new KeyValuePair<string, long?>(p.Name, ApiJson.Long(p.Value, "count")))]);
    }
}

/// <summary>One saved funnel of <c>/funnels/list</c>, with the fields not modelled.</summary>
internal sealed record FunnelListItem(long FunnelId, string Name, IReadOnlyDictionary<string, JsonElement> Extra);

/// <summary>The answer of <c>/funnels/list</c>.</summary>
[JsonConverter(typeof(FunnelListAnswer.Converter))]
internal sealed record FunnelListAnswer(IReadOnlyList<FunnelListItem> Funnels)
{
    internal sealed class Converter : AnswerConverter<FunnelListAnswer>
    {
        protected override FunnelListAnswer Parse(JsonElement root) =>
            new([.. ApiJson.Expect(root, JsonValueKind.Array, "the funnel list").EnumerateArray().Select(f => new FunnelListItem(
                ApiJson.Long(f, "funnel_id") ?? ApiJson.Long(f, "id") ?? throw new FormatException("a funnel has no funnel_id"),
                ApiJson.String(f, "name") ?? string.Empty,
                ApiJson.Extra(f, "funnel_id", "name")))]);
    }
}

/// <summary>One saved cohort of <c>/cohorts/list</c>.</summary>
internal sealed record CohortListItem(
    long Id, string Name, string? Description, long? Count, bool? IsVisible, string? Created, long? ProjectId, IReadOnlyDictionary<string, JsonElement> Extra);

/// <summary>The answer of <c>/cohorts/list</c>.</summary>
[JsonConverter(typeof(CohortListAnswer.Converter))]
internal sealed record CohortListAnswer(IReadOnlyList<CohortListItem> Cohorts)
{
    internal sealed class Converter : AnswerConverter<CohortListAnswer>
    {
        protected override CohortListAnswer Parse(JsonElement root) =>
            new([.. ApiJson.Expect(root, JsonValueKind.Array, "the cohort list").EnumerateArray().Select(c => new CohortListItem(
                ApiJson.Long(c, "id") ?? throw new FormatException("a cohort has no id"),
                ApiJson.String(c, "name") ?? string.Empty,
                ApiJson.String(c, "description"),
                ApiJson.Long(c, "count"),
                ApiJson.Bool(c, "is_visible"),
                ApiJson.String(c, "created"),
                ApiJson.Long(c, "project_id"),
                ApiJson.Extra(c, "id", "name", "description", "count", "is_visible", "created", "project_id")))]);
    }
}

/// <summary>One event of <c>/events/top</c>.</summary>
internal sealed record TopEventItem(string Event, double Amount, double PercentChange);

/// <summary>The answer of <c>/events/top</c>.</summary>
[JsonConverter(typeof(TopEventsAnswer.Converter))]
internal sealed record TopEventsAnswer(IReadOnlyList<TopEventItem> Events)
{
    internal sealed class Converter : AnswerConverter<TopEventsAnswer>
    {
        protected override TopEventsAnswer Parse(JsonElement root) =>
            new([.. ApiJson.Expect(root.GetProperty("events"), JsonValueKind.Array, "events").EnumerateArray()
                .Select(e => new TopEventItem(ApiJson.String(e, "event") ?? string.Empty, ApiJson.Double(e, "amount") ?? 0, ApiJson.Double(e, "percent_change") ?? 0))]);
    }
}

/// <summary>One saved report of the App API's bookmarks list.</summary>
internal sealed record BookmarkItem(
    long Id, string Name, string Type, string? Description, long? ProjectId, long? WorkspaceId, long? DashboardId, DateTimeOffset? Created, DateTimeOffset? Modified,
    string? CreatorName, string? CreatorEmail, JsonElement? Params, IReadOnlyDictionary<string, JsonElement> Extra);

/// <summary>The answer of <c>/projects/{id}/bookmarks</c> (bare array or <c>results</c>).</summary>
[JsonConverter(typeof(BookmarkListAnswer.Converter))]
internal sealed record BookmarkListAnswer(IReadOnlyList<BookmarkItem> Bookmarks)
{
    internal sealed class Converter : AnswerConverter<BookmarkListAnswer>
    {
        protected override BookmarkListAnswer Parse(JsonElement root)
        {
            var results = root.ValueKind == JsonValueKind.Array ? root : ApiJson.Expect(root.GetProperty("results"), JsonValueKind.Array, "results");
            return new([.. results.EnumerateArray().Select(b => new BookmarkItem(
                ApiJson.Long(b, "id") ?? throw new FormatException("a bookmark has no id"),
                ApiJson.String(b, "name") ?? string.Empty,
                ApiJson.String(b, "type") ?? string.Empty,
                ApiJson.String(b, "description"),
                ApiJson.Long(b, "project_id"),
                ApiJson.Long(b, "workspace_id"),
                ApiJson.Long(b, "dashboard_id"),
                ApiJson.Time(b, "created"),
                ApiJson.Time(b, "modified"),
                ApiJson.String(b, "creator_name"),
                ApiJson.String(b, "creator_email"),
                ApiJson.Property(b, "params")?.Clone(),
                ApiJson.Extra(b, "id", "name", "type", "description", "project_id", "workspace_id", "dashboard_id", "created", "modified", "creator_name", "creator_email", "params")))]);
        }
    }
}

/// <summary>A property of a Lexicon schema.</summary>
internal sealed record SchemaPropertyItem(string Name, string? Type, string? Description, string? DisplayName, bool Hidden, bool Dropped);

/// <summary>One Lexicon schema (its <c>schemaJson</c> read, and kept raw).</summary>
[JsonConverter(typeof(SchemaAnswer.Converter))]
internal sealed record SchemaAnswer(
    string? EntityType, string? Name, string? Description, string? DisplayName, bool Hidden, bool Dropped, IReadOnlyList<string> Tags, IReadOnlyList<SchemaPropertyItem> Properties, JsonElement Raw)
{
    /// <summary>Reads a schema from its <c>schemaJson</c> (absent: an empty schema).</summary>
    internal static SchemaAnswer Read(string? entityType, string? name, JsonElement? schemaJson)
    {
        var schema = schemaJson ?? default;
        var mixpanel = ApiJson.Property(schema, "metadata") is { } metadata ? ApiJson.Property(metadata, "com.mixpanel") : null;
        var properties = ApiJson.Property(schema, "properties") is { ValueKind: JsonValueKind.Object } props
            ? props.EnumerateObject().Select(p =>
            {
                var meta = ApiJson.Property(p.Value, "metadata") is { } m ? ApiJson.Property(m, "com.mixpanel") : null;
                return new SchemaPropertyItem(
                    p.Name,
                    TypeName(ApiJson.Property(p.Value, "type")),
                    ApiJson.String(p.Value, "description"),
                    meta is { } pm ? ApiJson.String(pm, "displayName") : null,
                    meta is { } ph && (ApiJson.Bool(ph, "hidden") ?? false),
                    meta is { } pd && (ApiJson.Bool(pd, "dropped") ?? false));
            }).ToList()
            : [];
        return new SchemaAnswer(
            entityType,
            name,
            ApiJson.String(schema, "description"),
            mixpanel is { } d ? ApiJson.String(d, "displayName") : null,
            mixpanel is { } h && (ApiJson.Bool(h, "hidden") ?? false),
            mixpanel is { } x && (ApiJson.Bool(x, "dropped") ?? false),
            mixpanel is { } t && ApiJson.Property(t, "tags") is { ValueKind: JsonValueKind.Array } tags ? [.. tags.EnumerateArray().Select(ApiJson.Text)] : [],
            properties,
            schema.ValueKind == JsonValueKind.Undefined ? default : schema.Clone());
    }

    // JSON Schema allows a list of types ("type": ["string", "null"]); name them all.
    private static string? TypeName(JsonElement? type) => type switch
    {
        { ValueKind: JsonValueKind.Array } list => string.Join("|", list.EnumerateArray().Select(ApiJson.Text)),
        { } single => ApiJson.Text(single),
        null => null,
    };

    /// <summary>The answer of <c>/schemas/{type}/{name}</c>: the schema itself, bare or in <c>results</c>.</summary>
    internal sealed class Converter : AnswerConverter<SchemaAnswer>
    {
        protected override SchemaAnswer Parse(JsonElement root) =>
            SchemaAnswer.Read(null, null, root.ValueKind == JsonValueKind.Object && ApiJson.Property(root, "results") is { ValueKind: JsonValueKind.Object } wrapped ? wrapped : root);
    }
}

/// <summary>The answer of <c>/schemas</c> and <c>/schemas/{type}</c>: every schema with its entity type and name.</summary>
[JsonConverter(typeof(SchemaListAnswer.Converter))]
internal sealed record SchemaListAnswer(IReadOnlyList<SchemaAnswer> Schemas)
{
    internal sealed class Converter : AnswerConverter<SchemaListAnswer>
    {
        protected override SchemaListAnswer Parse(JsonElement root) =>
            new([.. ApiJson.Expect(root.GetProperty("results"), JsonValueKind.Array, "results").EnumerateArray()
                .Select(entry => SchemaAnswer.Read(ApiJson.String(entry, "entityType") ?? string.Empty, ApiJson.String(entry, "name") ?? string.Empty, ApiJson.Property(entry, "schemaJson")))]);
    }
}

/// <summary>The answer of <c>/me</c>: who the credentials are and the projects (id → name) they see.</summary>
[JsonConverter(typeof(MeAnswer.Converter))]
internal sealed record MeAnswer(string? User, IReadOnlyList<KeyValuePair<long, string?>> Projects)
{
    internal sealed class Converter : AnswerConverter<MeAnswer>
    {
        protected override MeAnswer Parse(JsonElement root)
        {
            var results = ApiJson.Property(root, "results") ?? root;
            var user = ApiJson.String(results, "user_email") ?? ApiJson.String(results, "email");
            var projects = new List<KeyValuePair<long, string?>>();
            if (ApiJson.Property(results, "projects") is { ValueKind: JsonValueKind.Object } listed)
            {
                foreach (var project in listed.EnumerateObject())
                {
                    if (long.TryParse(project.Name, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    {
                        projects.Add(new(id, ApiJson.String(project.Value, "name")));
                    }
                }
            }

            return new MeAnswer(user, projects);
        }
    }
}
