using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MixpanelData.Api;
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

    private readonly IQueryApi _query;
    private readonly IAppApi _app;
    private readonly DiscoveryScope _scope;
    private readonly DiscoveryCache _cache;

    internal DiscoveryClient(IQueryApi query, IAppApi app, DiscoveryScope scope)
    {
        _query = query;
        _app = app;
        _scope = scope;
        _cache = new DiscoveryCache(scope.Time, scope.CacheDuration);
    }


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
        return _cache.GetAsync(
            Key("properties", eventName, Number(limit)),
            async ct => ReadProperties(await _query.TopPropertiesAsync(eventName, limit, ct).ConfigureAwait(false)),
            cancellationToken);
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
        return _cache.GetAsync(
            Key("values", eventName, property, Number(limit)),
            async ct => (await _query.PropertyValuesAsync(eventName, property, limit, ct).ConfigureAwait(false)).Items,
            cancellationToken);
    }

    /// <summary>The project's saved funnels, by name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<FunnelSummary>> FunnelsAsync(CancellationToken cancellationToken = default) =>
        _cache.GetAsync(
            Key("funnels"),
            async ct => (IReadOnlyList<FunnelSummary>)[.. (await _query.FunnelListAsync(ct).ConfigureAwait(false)).Funnels
                .Select(f => new FunnelSummary(f.FunnelId, f.Name) { Extra = f.Extra })
                .OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase)
                .ThenBy(f => f.FunnelId)],
            cancellationToken);

    /// <summary>The project's saved cohorts, by name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<CohortSummary>> CohortsAsync(CancellationToken cancellationToken = default) =>
        _cache.GetAsync(
            Key("cohorts"),
            async ct => (IReadOnlyList<CohortSummary>)[.. (await _query.CohortListAsync(QueryForms.None, ct).ConfigureAwait(false)).Cohorts
                .Select(ReadCohort)
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ThenBy(c => c.Id)],
            cancellationToken);

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
        var all = await _cache.GetAsync(
            Key("bookmarks", wire ?? "*"),
            async ct => ReadBookmarks(await _app.BookmarksAsync(_scope.ProjectId, 2, wire, ct).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
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
        return _cache.GetAsync(
            Key("top", type.ToWire(), Number(limit)),
            async ct => new TopEventsResult(type, [.. (await _query.TopEventsAsync(type.ToWire(), limit, ct).ConfigureAwait(false)).Events
                .Select(e => new TopEvent(e.Event, e.Amount, e.PercentChange))
                .OrderByDescending(e => e.Amount)
                .ThenBy(e => e.Event, StringComparer.Ordinal)]),
            cancellationToken);
    }

    /// <summary>The project's Lexicon schemas (the documented events and profile properties), optionally of one entity type.</summary>
    /// <param name="entityType">Only schemas of this type; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<LexiconSchema>> LexiconSchemasAsync(LexiconEntityType? entityType = null, CancellationToken cancellationToken = default)
    {
        return _cache.GetAsync(
            Key("schemas", entityType is { } t ? ToWire(t) : "*"),
            async ct =>
            {
                var answer = entityType is { } e
                    ? await _app.SchemasOfTypeAsync(_scope.ProjectId, ToWire(e), ct).ConfigureAwait(false)
                    : await _app.SchemasAsync(_scope.ProjectId, ct).ConfigureAwait(false);
                return (IReadOnlyList<LexiconSchema>)[.. answer.Schemas
                    .Select(schema => ReadSchema(schema.EntityType ?? string.Empty, schema.Name ?? string.Empty, schema))
                    .OrderBy(s => s.EntityType, StringComparer.Ordinal)
                    .ThenBy(s => s.Name, StringComparer.Ordinal)];
            },
            cancellationToken);
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
        return _cache.GetAsync(
            Key("schema", wire, name),
            async ct => ReadSchema(wire, name, await _app.SchemaAsync(_scope.ProjectId, wire, name, ct).ConfigureAwait(false)),
            cancellationToken);
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
        var today = DateOnly.FromDateTime(_scope.Time.GetUtcNow().UtcDateTime);
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

    private async Task<EventNameList> EventNamesSinceAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var answer = await _query.EventNamesAsync("general", EventNamesCap, from, to, cancellationToken).ConfigureAwait(false);
        var names = answer.Items.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return new EventNameList([.. names.Order(StringComparer.OrdinalIgnoreCase).ThenBy(n => n, StringComparer.Ordinal)], names.Count >= EventNamesCap);
    }

    private static int? HistoryDays(string? error)
    {
        var match = error is null ? null : HistoryWindow().Match(error);
        return match is { Success: true } && int.TryParse(match.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) && days > 0 ? days : null;
    }

    private static IReadOnlyList<EventProperty> ReadProperties(PropertyCountsAnswer answer) =>
        [.. answer.Properties
            .Select(p => new EventProperty(p.Key, p.Value))
            .OrderByDescending(p => p.Count ?? -1)
            .ThenBy(p => p.Name, StringComparer.Ordinal)];

    private static CohortSummary ReadCohort(CohortListItem c) => new(c.Id, c.Name)
    {
        Description = c.Description,
        Count = c.Count,
        IsVisible = c.IsVisible ?? true,
        Created = c.Created is { } created && DateTime.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var when) ? when : null,
        ProjectId = c.ProjectId,
        Extra = c.Extra,
    };

    private static IReadOnlyList<Bookmark> ReadBookmarks(BookmarkListAnswer answer) =>
        [.. answer.Bookmarks.Select(b => new Bookmark(b.Id, b.Name, b.Type)
        {
            Description = b.Description,
            ProjectId = b.ProjectId,
            WorkspaceId = b.WorkspaceId,
            DashboardId = b.DashboardId,
            Created = b.Created,
            Modified = b.Modified,
            CreatorName = b.CreatorName,
            CreatorEmail = b.CreatorEmail,
            Params = b.Params,
            Extra = b.Extra,
        })];

    private static LexiconSchema ReadSchema(string entityType, string name, SchemaAnswer schema) =>
        new(entityType, name, schema.Description, [.. schema.Properties
            .Select(p => new LexiconProperty(p.Name, p.Type, p.Description) { DisplayName = p.DisplayName, Hidden = p.Hidden, Dropped = p.Dropped })
            .OrderBy(p => p.Name, StringComparer.Ordinal)])
        {
            DisplayName = schema.DisplayName,
            Hidden = schema.Hidden,
            Dropped = schema.Dropped,
            Tags = schema.Tags,
            Raw = schema.Raw,
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
        string.Join('\u001f', [_scope.AccountName, Number(_scope.ProjectId), _scope.WorkspaceId is { } w ? Number(w) : string.Empty, operation, .. arguments]);

    private static void CheckLimit(int value, int max, string name)
    {
        if (value < 1 || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 1 and {max:N0}.");
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"exceeds\s+(\d+)\s+days", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HistoryWindow();
}

/// <summary>Whose discovery answers these are (the cache key) and how long they are kept.</summary>
/// <param name="AccountName">The account's name.</param>
/// <param name="ProjectId">The project.</param>
/// <param name="WorkspaceId">The data view, if any.</param>
/// <param name="Time">The clock of the cache and of "today".</param>
/// <param name="CacheDuration">How long an answer is reused.</param>
internal sealed record DiscoveryScope(string AccountName, long ProjectId, long? WorkspaceId, TimeProvider Time, TimeSpan CacheDuration);

/// <summary>The project's event names, and whether Mixpanel's cap may have cut the list short.</summary>
internal sealed record EventNameList(IReadOnlyList<string> Names, bool MayBeIncomplete);
