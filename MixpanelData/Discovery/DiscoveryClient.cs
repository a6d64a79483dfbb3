using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MixpanelData.Api;
using MixpanelData.Http;
using MixpanelData.Queries;

namespace MixpanelData.Discovery;

/// <summary>
/// What a project contains: events, properties, values, saved funnels, cohorts and reports, Lexicon schemas.
/// <para>
/// Answers are kept for <see cref="WorkspaceOptions.DiscoveryCacheDuration"/> (5 minutes by default) per account,
/// project and arguments, so asking again is free; callers asking the same thing at once share one request.
/// <see cref="ClearCache"/> forgets everything. The Query API endpoints behind events, properties, values, funnels,
/// cohorts and top events count against the project's 60-an-hour budget when they are not cached; bookmarks and
/// Lexicon schemas are App API calls and do not.
/// </para>
/// </summary>
public sealed partial class DiscoveryClient
{
    /// <summary>Mixpanel clamps <c>/events/names</c> at this many names; a list this long may be incomplete.</summary>
    internal const int EventNamesCap = 5000;

    private static readonly DateOnly EarliestDate = new(2000, 1, 1);

    private readonly Workspace _workspace;
    private readonly DiscoveryCache _cache;

    internal DiscoveryClient(Workspace workspace)
    {
        _workspace = workspace;
        _cache = new DiscoveryCache(workspace.Options.TimeProvider, workspace.Options.DiscoveryCacheDuration);
    }

    internal Workspace Workspace => _workspace;

    /// <summary>
    /// Every event name of the project, alphabetically. Asks <c>/events/names</c> for the whole history (back to
    /// 2000, or as far as the project's plan allows) and up to 5,000 names, Mixpanel's cap.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<string>> EventsAsync(CancellationToken cancellationToken = default) =>
        (await EventNamesAsync(cancellationToken).ConfigureAwait(false)).Names;

    /// <summary>The properties seen on <paramref name="eventName"/> recently, most frequent first.</summary>
    /// <param name="eventName">The event.</param>
    /// <param name="limit">The most properties to list (Mixpanel's default is 10). Default 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">The event name is empty or the limit is not 1 to 10,000.</exception>
    public Task<IReadOnlyList<EventProperty>> PropertiesAsync(string eventName, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        CheckLimit(limit, 10_000, nameof(limit));
        return _cache.GetAsync(Key("properties", eventName, Number(limit)), ct => SendAsync(
            new ApiRequest(ApiFamily.Query, "events/properties/top") { Query = [new("event", eventName), new("limit", Number(limit))] },
            ReadProperties,
            ct), cancellationToken);
    }

    /// <summary>The most common values of <paramref name="property"/> on <paramref name="eventName"/>, most common first.</summary>
    /// <param name="eventName">The event.</param>
    /// <param name="property">The property name, e.g. <c>$browser</c>.</param>
    /// <param name="limit">The most values to list. Default 255 (Mixpanel's default).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A name is empty or the limit is not 1 to 10,000.</exception>
    public Task<IReadOnlyList<string>> PropertyValuesAsync(string eventName, string property, int limit = 255, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        ArgumentException.ThrowIfNullOrWhiteSpace(property);
        CheckLimit(limit, 10_000, nameof(limit));
        return _cache.GetAsync(Key("values", eventName, property, Number(limit)), ct => SendAsync(
            new ApiRequest(ApiFamily.Query, "events/properties/values") { Query = [new("event", eventName), new("name", property), new("limit", Number(limit))] },
            root => (IReadOnlyList<string>)[.. ApiJson.Expect(root, JsonValueKind.Array, "the values").EnumerateArray().Select(ApiJson.Text)],
            ct), cancellationToken);
    }

    /// <summary>The project's saved funnels, by name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<FunnelSummary>> FunnelsAsync(CancellationToken cancellationToken = default) =>
        _cache.GetAsync(Key("funnels"), ct => SendAsync(
            new ApiRequest(ApiFamily.Query, "funnels/list"),
            root => (IReadOnlyList<FunnelSummary>)[.. ApiJson.Expect(root, JsonValueKind.Array, "the funnel list").EnumerateArray()
                .Select(f => new FunnelSummary(ApiJson.Long(f, "funnel_id") ?? ApiJson.Long(f, "id") ?? throw new FormatException("a funnel has no funnel_id"), ApiJson.String(f, "name") ?? string.Empty)
                {
                    Extra = ApiJson.Extra(f, "funnel_id", "name"),
                })
                .OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase)
                .ThenBy(f => f.FunnelId)],
            ct), cancellationToken);

    /// <summary>The project's saved cohorts, by name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<CohortSummary>> CohortsAsync(CancellationToken cancellationToken = default) =>
        _cache.GetAsync(Key("cohorts"), ct => SendAsync(
            new ApiRequest(ApiFamily.Query, "cohorts/list") { Method = HttpMethod.Post, Form = [] },
            root => (IReadOnlyList<CohortSummary>)[.. ApiJson.Expect(root, JsonValueKind.Array, "the cohort list").EnumerateArray()
                .Select(ReadCohort)
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ThenBy(c => c.Id)],
            ct), cancellationToken);

    /// <summary>
    /// One page of the project's saved reports (bookmarks), optionally of one type. Mixpanel sends the whole list
    /// at once; it is kept (see the class remarks) and paged here, so later pages cost nothing.
    /// </summary>
    /// <param name="type">Only reports of this type; <see langword="null"/> for all.</param>
    /// <param name="page">The page, from 0.</param>
    /// <param name="pageSize">Reports per page, 1 to 10,000. Default 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A negative page or a page size outside 1 to 10,000.</exception>
    public async Task<BookmarkPage> BookmarksAsync(BookmarkType? type = null, int page = 0, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        CheckLimit(pageSize, 10_000, nameof(pageSize));
        var wire = type is { } t ? ToWire(t) : null;
        var all = await _cache.GetAsync(Key("bookmarks", wire ?? "*"), ct => SendAsync(
            new ApiRequest(ApiFamily.App, $"projects/{Number(_workspace.ProjectId)}/bookmarks")
            {
                ProjectScoped = false,
                Query = [new("v", "2"), new("type", wire)],
            },
            ReadBookmarks,
            ct), cancellationToken).ConfigureAwait(false);
        var items = all.Skip((int)Math.Min(int.MaxValue, (long)page * pageSize)).Take(pageSize).ToList();
        return new BookmarkPage(items, page, pageSize, all.Count);
    }

    /// <summary>Today's top events so far, with the change against yesterday (Mixpanel's <c>/events/top</c>).</summary>
    /// <param name="type">What to count. Default events.</param>
    /// <param name="limit">The most events to list, 1 to 10,000. Default 100 (Mixpanel's default).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">The limit is out of range.</exception>
    public Task<TopEventsResult> TopEventsAsync(CountType type = CountType.General, int limit = 100, CancellationToken cancellationToken = default)
    {
        CheckLimit(limit, 10_000, nameof(limit));
        return _cache.GetAsync(Key("top", type.ToWire(), Number(limit)), ct => SendAsync(
            new ApiRequest(ApiFamily.Query, "events/top") { Query = [new("type", type.ToWire()), new("limit", Number(limit))] },
            root => new TopEventsResult(type, [.. ApiJson.Expect(root.GetProperty("events"), JsonValueKind.Array, "events").EnumerateArray()
                .Select(e => new TopEvent(ApiJson.String(e, "event") ?? string.Empty, ApiJson.Double(e, "amount") ?? 0, ApiJson.Double(e, "percent_change") ?? 0))
                .OrderByDescending(e => e.Amount)
                .ThenBy(e => e.Event, StringComparer.Ordinal)]),
            ct), cancellationToken);
    }

    /// <summary>The project's Lexicon schemas (the documented events and profile properties), optionally of one entity type.</summary>
    /// <param name="entityType">Only schemas of this type; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<LexiconSchema>> LexiconSchemasAsync(LexiconEntityType? entityType = null, CancellationToken cancellationToken = default)
    {
        var path = $"projects/{Number(_workspace.ProjectId)}/schemas" + (entityType is { } e ? "/" + ToWire(e) : string.Empty);
        return _cache.GetAsync(Key("schemas", entityType is { } t ? ToWire(t) : "*"), ct => SendAsync(
            new ApiRequest(ApiFamily.App, path) { ProjectScoped = false },
            root => (IReadOnlyList<LexiconSchema>)[.. ApiJson.Expect(root.GetProperty("results"), JsonValueKind.Array, "results").EnumerateArray()
                .Select(entry => ReadSchema(ApiJson.String(entry, "entityType") ?? string.Empty, ApiJson.String(entry, "name") ?? string.Empty, ApiJson.Property(entry, "schemaJson")))
                .OrderBy(s => s.EntityType, StringComparer.Ordinal)
                .ThenBy(s => s.Name, StringComparer.Ordinal)],
            ct), cancellationToken);
    }

    /// <summary>The Lexicon schema of one event or profile.</summary>
    /// <param name="entityType">Event or profile.</param>
    /// <param name="name">The event name (or profile entity name).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">Lexicon has no schema of that name.</exception>
    public Task<LexiconSchema> LexiconSchemaAsync(LexiconEntityType entityType, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var wire = ToWire(entityType);
        return _cache.GetAsync(Key("schema", wire, name), ct => SendAsync(
            new ApiRequest(ApiFamily.App, $"projects/{Number(_workspace.ProjectId)}/schemas/{wire}/{Uri.EscapeDataString(name)}") { ProjectScoped = false },
            root => ReadSchema(wire, name, root.ValueKind == JsonValueKind.Object && ApiJson.Property(root, "results") is { ValueKind: JsonValueKind.Object } wrapped ? wrapped : root),
            ct), cancellationToken);
    }

    /// <summary>Forgets every kept answer, so the next call of each kind asks Mixpanel again.</summary>
    public void ClearCache() => _cache.Clear();

    /// <summary>The event names and whether the list may be incomplete (Mixpanel's 5,000 cap reached).</summary>
    internal Task<EventNameList> EventNamesAsync(CancellationToken cancellationToken) =>
        _cache.GetAsync(Key("events"), LoadEventNamesAsync, cancellationToken);

    /// <summary>The event names if they are kept and fresh; never makes a request.</summary>
    internal bool TryGetCachedEventNames(out EventNameList names) => _cache.TryPeek(Key("events"), out names);

    /// <summary>The saved funnels if they are kept and fresh; never makes a request.</summary>
    internal bool TryGetCachedFunnels(out IReadOnlyList<FunnelSummary> funnels) => _cache.TryPeek(Key("funnels"), out funnels);

    private async Task<EventNameList> LoadEventNamesAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(_workspace.Options.TimeProvider.GetUtcNow().UtcDateTime);
        try
        {
            return await EventNamesSinceAsync(EarliestDate, today, cancellationToken).ConfigureAwait(false);
        }
        catch (PermissionDeniedException ex) when (HistoryDays(ex.MixpanelError) is { } days)
        {
            // "Date range exceeds N days into the past": ask again within the project's history window.
            return await EventNamesSinceAsync(today.AddDays(-days), today, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<EventNameList> EventNamesSinceAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken) => SendAsync(
        new ApiRequest(ApiFamily.Query, "events/names")
        {
            Query = [new("type", "general"), new("limit", Number(EventNamesCap)), new("from_date", Day(from)), new("to_date", Day(to))],
        },
        root =>
        {
            var names = ApiJson.Expect(root, JsonValueKind.Array, "the event names").EnumerateArray().Select(ApiJson.Text).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            return new EventNameList([.. names.Order(StringComparer.OrdinalIgnoreCase).ThenBy(n => n, StringComparer.Ordinal)], names.Count >= EventNamesCap);
        },
        cancellationToken);

    private static int? HistoryDays(string? error)
    {
        var match = error is null ? null : HistoryWindow().Match(error);
        return match is { Success: true } && int.TryParse(match.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) && days > 0 ? days : null;
    }

    private static IReadOnlyList<EventProperty> ReadProperties(JsonElement root) =>
        [.. ApiJson.Expect(root, JsonValueKind.Object, "the properties").EnumerateObject()
            .Select(p => new EventProperty(p.Name, ApiJson.Long(p.Value, "count")))
            .OrderByDescending(p => p.Count ?? -1)
            .ThenBy(p => p.Name, StringComparer.Ordinal)];

    private static CohortSummary ReadCohort(JsonElement c) => new(ApiJson.Long(c, "id") ?? throw new FormatException("a cohort has no id"), ApiJson.String(c, "name") ?? string.Empty)
    {
        Description = ApiJson.String(c, "description"),
        Count = ApiJson.Long(c, "count"),
        IsVisible = ApiJson.Bool(c, "is_visible") ?? true,
        Created = ApiJson.String(c, "created") is { } created && DateTime.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var when) ? when : null,
        ProjectId = ApiJson.Long(c, "project_id"),
        Extra = ApiJson.Extra(c, "id", "name", "description", "count", "is_visible", "created", "project_id"),
    };

    private static IReadOnlyList<Bookmark> ReadBookmarks(JsonElement root)
    {
        var results = root.ValueKind == JsonValueKind.Array ? root : ApiJson.Expect(root.GetProperty("results"), JsonValueKind.Array, "results");
        return [.. results.EnumerateArray().Select(b => new Bookmark(
            ApiJson.Long(b, "id") ?? throw new FormatException("a bookmark has no id"),
            ApiJson.String(b, "name") ?? string.Empty,
            ApiJson.String(b, "type") ?? string.Empty)
        {
            Description = ApiJson.String(b, "description"),
            ProjectId = ApiJson.Long(b, "project_id"),
            WorkspaceId = ApiJson.Long(b, "workspace_id"),
            DashboardId = ApiJson.Long(b, "dashboard_id"),
            Created = ApiJson.Time(b, "created"),
            Modified = ApiJson.Time(b, "modified"),
            CreatorName = ApiJson.String(b, "creator_name"),
            CreatorEmail = ApiJson.String(b, "creator_email"),
            Params = ApiJson.Property(b, "params")?.Clone(),
            Extra = ApiJson.Extra(b, "id", "name", "type", "description", "project_id", "workspace_id", "dashboard_id", "created", "modified", "creator_name", "creator_email", "params"),
        })];
    }

    private static LexiconSchema ReadSchema(string entityType, string name, JsonElement? schemaJson)
    {
        var schema = schemaJson ?? default;
        var mixpanel = ApiJson.Property(schema, "metadata") is { } metadata ? ApiJson.Property(metadata, "com.mixpanel") : null;
        var properties = ApiJson.Property(schema, "properties") is { ValueKind: JsonValueKind.Object } props
            ? props.EnumerateObject().Select(p =>
            {
                var meta = ApiJson.Property(p.Value, "metadata") is { } m ? ApiJson.Property(m, "com.mixpanel") : null;
                return new LexiconProperty(p.Name, TypeName(ApiJson.Property(p.Value, "type")), ApiJson.String(p.Value, "description"))
                {
                    DisplayName = meta is { } pm ? ApiJson.String(pm, "displayName") : null,
                    Hidden = meta is { } ph && (ApiJson.Bool(ph, "hidden") ?? false),
                    Dropped = meta is { } pd && (ApiJson.Bool(pd, "dropped") ?? false),
                };
            }).OrderBy(p => p.Name, StringComparer.Ordinal).ToList()
            : [];
        return new LexiconSchema(entityType, name, ApiJson.String(schema, "description"), properties)
        {
            DisplayName = mixpanel is { } d ? ApiJson.String(d, "displayName") : null,
            Hidden = mixpanel is { } h && (ApiJson.Bool(h, "hidden") ?? false),
            Dropped = mixpanel is { } x && (ApiJson.Bool(x, "dropped") ?? false),
            Tags = mixpanel is { } t && ApiJson.Property(t, "tags") is { ValueKind: JsonValueKind.Array } tags ? [.. tags.EnumerateArray().Select(ApiJson.Text)] : [],
            Raw = schema.ValueKind == JsonValueKind.Undefined ? default : schema.Clone(),
        };
    }

    // JSON Schema allows a list of types ("type": ["string", "null"]); name them all.
    private static string? TypeName(JsonElement? type) => type switch
    {
        { ValueKind: JsonValueKind.Array } list => string.Join("|", list.EnumerateArray().Select(ApiJson.Text)),
        { } single => ApiJson.Text(single),
        null => null,
    };

    internal static string ToWire(BookmarkType type) => type switch
    {
        BookmarkType.Insights => "insights",
        BookmarkType.Funnels => "funnels",
        BookmarkType.Retention => "retention",
        BookmarkType.Flows => "flows",
        BookmarkType.LaunchAnalysis => "launch-analysis",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown bookmark type."),
    };

    internal static string ToWire(LexiconEntityType type) => type switch
    {
        LexiconEntityType.Event => "event",
        LexiconEntityType.Profile => "profile",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown entity type."),
    };

    private string Key(string operation, params string[] arguments) =>
        string.Join('\u001f', [_workspace.Account.Name, Number(_workspace.ProjectId), _workspace.Account.WorkspaceId is { } w ? Number(w) : string.Empty, operation, .. arguments]);

    private static void CheckLimit(int value, int max, string name)
    {
        if (value < 1 || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 1 and {max:N0}.");
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"exceeds\s+(\d+)\s+days", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HistoryWindow();

    private async Task<T> SendAsync<T>(ApiRequest request, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var connection = await _workspace.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(response.Body);
            return read(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or OverflowException)
        {
            throw new InvalidResponseException(
                $"Mixpanel's answer at {response.Path} is not the JSON expected: {ex.Message}",
                response.Status,
                response.Path,
                ErrorMapper.Excerpt(System.Text.Encoding.UTF8.GetString(response.Body), connection.Options.Credentials.Secret),
                ex);
        }
    }
}

/// <summary>The project's event names, and whether Mixpanel's cap may have cut the list short.</summary>
internal sealed record EventNameList(IReadOnlyList<string> Names, bool MayBeIncomplete);
