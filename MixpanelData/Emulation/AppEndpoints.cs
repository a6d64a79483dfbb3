using System.Globalization;
using System.Net;
using System.Text.Json;
using MixpanelData.Analytics;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Configuration;

namespace MixpanelData.Emulation;

/// <summary>The App API: <c>/me</c>, saved reports (bookmarks), Lexicon schemas and data views.</summary>
internal sealed class AppEndpoints(EmulatorContext context)
{
    private const long OrganizationId = 100;
    private const long WorkspaceId = 1001;

    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private IReadOnlyList<(string Event, IReadOnlyList<(string Property, string Type)> Properties)>? _schemas;

    public async Task<HttpResponseMessage> AnswerAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        var parts = request.Route.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["me"])
        {
            return Me(request);
        }

        if (parts.Length >= 3 && parts[0] is "projects" or "workspaces")
        {
            if (!long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                || (parts[0] == "projects" ? id != context.Project.ProjectId : id != WorkspaceId))
            {
                throw new EmulatorError(HttpStatusCode.Forbidden, "Permission denied");
            }

            switch (parts[2..])
            {
                case ["bookmarks"]:
                    return Bookmarks(request, null);
                case ["bookmarks", var bookmark]:
                    return Bookmarks(request, bookmark);
                case ["workspaces", "public"] when parts[0] == "projects":
                    return Workspaces();
                case ["schemas", ..] when parts[0] == "projects":
                    if (request.Method != HttpMethod.Get)
                    {
                        throw new EmulatorError(HttpStatusCode.Forbidden, "Lexicon schemas of the demo project are read-only");
                    }

                    return await SchemasAsync(parts[3..], request, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new EmulatorError(HttpStatusCode.NotFound, $"Unknown App API path: /api/app/{request.Route}");
    }

    private HttpResponseMessage Me(EmulatorRequest request)
    {
        var user = request.Authorization is null ? "demo" : context.Project.Accounts.Keys.First();
        var domain = context.Project.Region switch { MixpanelRegion.Eu => "eu.mixpanel.com", MixpanelRegion.In => "in.mixpanel.com", _ => "mixpanel.com" };
        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            w.WriteStartObject("results");
            w.WriteNumber("user_id", 42);
            w.WriteString("user_email", $"{user}@service-account.example");
            w.WriteString("user_name", user);
            w.WriteStartObject("organizations");
            w.WriteStartObject(OrganizationId.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("id", OrganizationId);
            w.WriteString("name", "MixpanelData Demo Org");
            w.WriteString("role", "analyst");
            w.WriteStartArray("permissions");
            w.WriteStringValue("view_project");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("projects");
            w.WriteStartObject(context.Project.ProjectId.ToString(CultureInfo.InvariantCulture));
            w.WriteString("name", context.Project.Name);
            w.WriteNumber("organization_id", OrganizationId);
            w.WriteString("timezone", "UTC");
            w.WriteBoolean("has_workspaces", true);
            w.WriteString("domain", domain);
            w.WriteString("type", "PROJECT");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("workspaces");
            w.WritePropertyName(WorkspaceId.ToString(CultureInfo.InvariantCulture));
            WriteWorkspace(w);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private HttpResponseMessage Workspaces() => EmulatorJson.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("status", "ok");
        w.WriteStartArray("results");
        WriteWorkspace(w);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private void WriteWorkspace(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("id", WorkspaceId);
        w.WriteString("name", "All Project Data");
        w.WriteNumber("project_id", context.Project.ProjectId);
        w.WriteBoolean("is_default", true);
        w.WriteBoolean("is_global", true);
        w.WriteBoolean("is_restricted", false);
        w.WriteBoolean("is_visible", true);
        w.WriteString("created_iso", context.Project.CreatedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00");
        w.WriteString("creator_name", "MixpanelData");
        w.WriteEndObject();
    }

    private HttpResponseMessage Bookmarks(EmulatorRequest request, string? single)
    {
        IEnumerable<SavedReport> reports = context.Project.Reports;
        if (single is not null)
        {
            var report = long.TryParse(single, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? reports.FirstOrDefault(r => r.Id == id) : null;
            if (report is null)
            {
                throw new EmulatorError(HttpStatusCode.NotFound, $"Bookmark {single} not found");
            }

            return EmulatorJson.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("status", "ok");
                w.WritePropertyName("results");
                WriteReport(w, report);
                w.WriteEndObject();
            });
        }

        if (request.Optional("type") is { } type)
        {
            if (type is not ("insights" or "funnels" or "retention" or "flows" or "launch-analysis"))
            {
                throw new EmulatorError(HttpStatusCode.BadRequest, $"type must be one of insights, funnels, retention, flows, launch-analysis (got '{type}')");
            }

            reports = reports.Where(r => r.Type == type);
        }

        if (request.Optional("ids") is { } ids)
        {
            var wanted = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            reports = reports.Where(r => wanted.Contains(r.Id.ToString(CultureInfo.InvariantCulture)));
        }

        var list = reports.ToList();
        return EmulatorJson.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            w.WriteStartArray("results");
            foreach (var report in list)
            {
                WriteReport(w, report);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private void WriteReport(Utf8JsonWriter w, SavedReport report)
    {
        w.WriteStartObject();
        w.WriteNumber("id", report.Id);
        w.WriteString("name", report.Name);
        w.WriteString("type", report.Type);
        w.WriteNumber("project_id", context.Project.ProjectId);
        w.WriteNull("workspace_id");
        w.WriteNull("dashboard_id");
        w.WriteString("created", EmulatorJson.Iso(report.Created));
        w.WriteString("modified", EmulatorJson.Iso(report.Modified));
        w.WriteNumber("creator_id", 7);
        w.WriteString("creator_name", "Demo Analyst");
        w.WriteString("creator_email", "analyst@demo.example");
        w.WriteString("description", report.Description);
        if (report.ParamsJson is { } saved)
        {
            w.WritePropertyName("params");
            w.WriteRawValue(saved);
            WriteFlags(w);
            return;
        }

        w.WriteStartObject("params");
        switch (report.Type)
        {
            case "funnels":
                w.WriteNumber("funnel_id", report.FunnelId ?? 0);
                break;
            case "retention":
                w.WriteString("born_event", report.BornEvent);
                w.WriteString("event", report.ReturnEvent);
                w.WriteString("unit", Queries.QueryNames.ToWire(report.Unit));
                break;
            default:
                w.WriteStartObject("sections");
                w.WriteStartArray("show");
                foreach (var eventName in report.Events)
                {
                    w.WriteStartObject();
                    w.WriteString("event", eventName);
                    w.WriteString("math", Queries.QueryNames.ToWire(report.Math) == "unique" ? "unique" : "total");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("displayOptions");
                w.WriteString("chartType", "line");
                w.WriteEndObject();
                break;
        }

        w.WriteNumber("last_days", report.LastDays);
        w.WriteEndObject();
        WriteFlags(w);
    }

    private static void WriteFlags(Utf8JsonWriter w)
    {
        w.WriteBoolean("is_visibility_restricted", false);
        w.WriteBoolean("is_modification_restricted", false);
        w.WriteBoolean("can_view", true);
        w.WriteBoolean("can_share", true);
        w.WriteEndObject();
    }

    private async Task<HttpResponseMessage> SchemasAsync(string[] rest, EmulatorRequest request, CancellationToken cancellationToken)
    {
        var schemas = await SchemasOfDataAsync(cancellationToken).ConfigureAwait(false);
        switch (rest)
        {
            case [] or ["event"]:
                {
                    var name = request.Optional("entity_name");
                    var selected = schemas.Where(s => name is null || s.Event == name).ToList();
                    return EmulatorJson.Json(w =>
                    {
                        w.WriteStartObject();
                        w.WriteStartArray("results");
                        foreach (var schema in selected)
                        {
                            w.WriteStartObject();
                            w.WriteString("entityType", "event");
                            w.WriteString("name", schema.Event);
                            w.WritePropertyName("schemaJson");
                            WriteSchema(w, schema.Properties);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteString("status", "ok");
                        w.WriteEndObject();
                    });
                }

            case ["profile"]:
                return EmulatorJson.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("results");
                    w.WriteEndArray();
                    w.WriteString("status", "ok");
                    w.WriteEndObject();
                });
            case ["event", var eventName]:
                {
                    var schema = schemas.FirstOrDefault(s => s.Event == eventName);
                    if (schema.Event is null)
                    {
                        throw new EmulatorError(HttpStatusCode.NotFound, $"No schema for event '{eventName}'");
                    }

                    return EmulatorJson.Json(w => WriteSchema(w, schema.Properties));
                }

            default:
                throw new EmulatorError(HttpStatusCode.BadRequest, "entityType must be event or profile");
        }
    }

    private static void WriteSchema(Utf8JsonWriter w, IReadOnlyList<(string Property, string Type)> properties)
    {
        w.WriteStartObject();
        w.WriteString("description", string.Empty);
        w.WriteStartObject("properties");
        foreach (var (property, type) in properties)
        {
            w.WriteStartObject(property);
            w.WriteString("type", type);
            w.WriteString("description", string.Empty);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("metadata");
        w.WriteStartObject("com.mixpanel");
        w.WriteBoolean("hidden", false);
        w.WriteBoolean("dropped", false);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // The events seen in the last 30 days and the JSON type of each of their properties.
    private async Task<IReadOnlyList<(string Event, IReadOnlyList<(string Property, string Type)> Properties)>> SchemasOfDataAsync(CancellationToken cancellationToken)
    {
        if (_schemas is { } cached)
        {
            return cached;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemas is { } again)
            {
                return again;
            }

            var table = new EngineTable(context.Project.Store, context.Project.EventsTable);
            var parameters = new SqlParameters();
            var fromSql = parameters.Add(TimeBuckets.Midnight(context.Today.AddDays(-30)));
            var rows = await table.QueryAsync(
                $"""
                WITH recent AS (SELECT event_name, properties FROM {table.Sql} WHERE event_time >= CAST({fromSql} AS TIMESTAMP) USING SAMPLE 20000 ROWS),
                keys AS (SELECT event_name, unnest(json_keys(properties)) AS key, properties FROM recent)
                SELECT event_name, key, mode(json_type(json_extract(properties, '/' || replace(replace(key, '~', '~0'), '/', '~1')))) FROM keys
                WHERE key NOT IN ('time', 'distinct_id', '$insert_id', 'mp_processing_time_ms')
                GROUP BY ALL ORDER BY 1, 2
                """,
                parameters,
                cancellationToken).ConfigureAwait(false);
            _schemas = [.. rows.GroupBy(r => (string)r[0]!).Select(g => (g.Key, (IReadOnlyList<(string, string)>)[.. g.Select(r => ((string)r[1]!, JsonType(r[2] as string)))]))];
            return _schemas;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    private static string JsonType(string? duckType) => duckType switch
    {
        "BIGINT" or "UBIGINT" => "integer",
        "DOUBLE" => "number",
        "BOOLEAN" => "boolean",
        "ARRAY" => "array",
        "OBJECT" => "object",
        "NULL" => "null",
        _ => "string",
    };
}
