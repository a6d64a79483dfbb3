using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MixpanelData.Analytics;
using MixpanelData.Analytics.Expressions;

namespace MixpanelData.Emulation;

/// <summary><c>/engage</c> (profiles, paged with <c>session_id</c>) and <c>/cohorts/list</c>.</summary>
internal sealed class EngageEndpoint(EmulatorContext context)
{
    public const int PageSize = 1000;

    public async Task<HttpResponseMessage> AnswerAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        if (request.Optional("behaviors") is not null)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "behaviors are not supported by the MixpanelData emulator; filter with where or filter_by_cohort");
        }

        if (request.Optional("data_group_id") is not null)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "The demo project has no group analytics (data_group_id)");
        }

        var page = request.Integer("page", 0, 0, int.MaxValue);
        var session = SessionOf(request);
        var given = request.Optional("session_id");
        if (page > 0 && given is null)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "page > 0 requires the session_id of the first page");
        }

        if (given is not null && given != session)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "request for page in uncached query for params");
        }

        var matches = await MatchesAsync(request, session, cancellationToken).ConfigureAwait(false);
        var total = matches.Count;
        var rows = matches.Skip((int)Math.Min((long)page * PageSize, matches.Count)).Take(PageSize);
        var wanted = request.StringArray("output_properties")?.ToHashSet(StringComparer.Ordinal);

        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("page", page);
            w.WriteNumber("page_size", PageSize);
            w.WriteString("session_id", session);
            w.WriteString("status", "ok");
            w.WriteNumber("total", total);
            w.WriteStartArray("results");
            foreach (var (id, properties) in rows)
            {
                w.WriteStartObject();
                w.WriteString("$distinct_id", id);
                w.WritePropertyName("$properties");
                WriteProperties(w, properties, wanted);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public async Task<HttpResponseMessage> CohortsAsync(CancellationToken cancellationToken)
    {
        var table = Table();
        var counts = new List<long>();
        foreach (var cohort in context.Project.Cohorts)
        {
            var parameters = new SqlParameters();
            var where = MixpanelExpression.Parse(cohort.ProfileWhere).ToFilterSql(ExpressionColumns.Profiles(), parameters);
            counts.Add(EngineTable.Long((await table.QueryAsync($"SELECT count(*) FROM {table.Sql} WHERE {where}", parameters, cancellationToken).ConfigureAwait(false))[0][0]));
        }

        return EmulatorJson.Json(w =>
        {
            w.WriteStartArray();
            for (var i = 0; i < context.Project.Cohorts.Count; i++)
            {
                var cohort = context.Project.Cohorts[i];
                w.WriteStartObject();
                w.WriteNumber("count", counts[i]);
                w.WriteNumber("is_visible", cohort.IsVisible ? 1 : 0);
                w.WriteString("description", cohort.Description);
                w.WriteString("created", cohort.Created.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                w.WriteNumber("project_id", context.Project.ProjectId);
                w.WriteNumber("id", cohort.Id);
                w.WriteString("name", cohort.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>
    /// Every profile the query matches, in page order, computed on the query's first request and kept for its session,
    /// as Mixpanel keeps a query's result for its <c>session_id</c>: later pages are slices, not new scans of every
    /// profile (the demo's profiles do not change while the emulator runs). The last few sessions are kept.
    /// </summary>
    private async Task<IReadOnlyList<(string Id, string? Properties)>> MatchesAsync(EmulatorRequest request, string session, CancellationToken cancellationToken)
    {
        var parameters = new SqlParameters();
        var filter = Filter(request, parameters); // validates the request before any cached answer is served
        var pending = _sessions.GetOrAdd(session, _ => new Lazy<Task<IReadOnlyList<(string, string?)>>>(async () =>
        {
            var table = Table();
            var rows = await table.QueryAsync(
                $"SELECT distinct_id, CAST(properties AS VARCHAR) FROM {table.Sql} WHERE {filter} ORDER BY distinct_id", parameters, CancellationToken.None).ConfigureAwait(false);
            return [.. rows.Select(r => ((string)r[0]!, (string?)r[1]))];
        }));
        if (!_order.Contains(session))
        {
            _order.Enqueue(session);
            while (_order.Count > KeptSessions && _order.TryDequeue(out var oldest))
            {
                _sessions.TryRemove(oldest, out _);
            }
        }

        try
        {
            return await pending.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _sessions.TryRemove(session, out _); // a failed scan is not kept
            throw;
        }
    }

    private const int KeptSessions = 8;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<(string, string?)>>>> _sessions = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _order = new();

    private string Filter(EmulatorRequest request, SqlParameters parameters)
    {
        var columns = ExpressionColumns.Profiles();
        var parts = new List<string>();
        if (request.Optional("where") is { } where)
        {
            parts.Add(MixpanelExpression.Parse(where).ToFilterSql(columns, parameters));
        }

        if (request.Optional("distinct_id") is { } one)
        {
            parts.Add($"distinct_id = {parameters.Add(one)}");
        }

        if (request.StringArray("distinct_ids") is { } many)
        {
            parts.Add(many.Count == 0 ? "false" : $"distinct_id IN ({string.Join(", ", many.Select(parameters.Add))})");
        }

        if (request.JsonValue("filter_by_cohort") is { } cohortFilter)
        {
            if (cohortFilter.ValueKind != JsonValueKind.Object || !cohortFilter.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id))
            {
                throw new EmulatorError(HttpStatusCode.BadRequest, "filter_by_cohort must look like {\"id\": <cohort id>}");
            }

            var cohort = context.Project.Cohorts.FirstOrDefault(c => c.Id == id)
                ?? throw new EmulatorError(HttpStatusCode.BadRequest, $"Unknown cohort id {id}");
            parts.Add(MixpanelExpression.Parse(cohort.ProfileWhere).ToFilterSql(columns, parameters));
        }

        return parts.Count == 0 ? "true" : string.Join(" AND ", parts);
    }

    // Stateless paging: the session id is a digest of the query, so any page of the same query can be asked for.
    private static string SessionOf(EmulatorRequest request)
    {
        var keys = request.Parameters.Where(p => p.Key is not ("page" or "session_id" or "project_id")).OrderBy(p => p.Key, StringComparer.Ordinal);
        var text = string.Join("&", keys.Select(p => p.Key + "=" + p.Value));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexString(hash, 0, 8).ToLowerInvariant();
    }

    private static void WriteProperties(Utf8JsonWriter w, string? json, HashSet<string>? wanted)
    {
        if (wanted is null)
        {
            EmulatorJson.WriteRaw(w, json);
            return;
        }

        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        w.WriteStartObject();
        foreach (var property in document.RootElement.EnumerateObject().Where(p => wanted.Contains(p.Name)))
        {
            property.WriteTo(w);
        }

        w.WriteEndObject();
    }

    private EngineTable Table() => new(context.Project.Store, context.Project.ProfilesTable);
}
