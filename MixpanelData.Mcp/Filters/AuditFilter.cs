using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// One JSON line per tool call (time, session, tool, arguments with secrets redacted, duration, outcome, result size, Mixpanel requests sent)
/// and per resource read (the same, with the URI and whether the answer came from the cache) to stderr or a file.
/// Argument values under names that look like secrets are never written.
/// </summary>
internal sealed class AuditFilter(TextWriter sink, TimeProvider time)
{
    private static readonly string[] SecretNames = ["secret", "password", "token", "authorization", "api_key", "apikey", "credential"];
    private readonly Lock _write = new();

    public McpRequestFilter<CallToolRequestParams, CallToolResult> Create() => next => async (context, cancellationToken) =>
    {
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        using var spent = ApiCallMeter.Begin();
        CallToolResult? result = null;
        string outcome = "error";
        try
        {
            result = await next(context, cancellationToken).ConfigureAwait(false);
            outcome = result.IsError == true ? "tool_error" : "ok";
            return result;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        catch (InputRequiredException)
        {
            // A round of a multi-round call (MRTR): the client answers and calls again.
            outcome = "input_required";
            throw;
        }
        finally
        {
            Write(started, "tool_call", context.Server.SessionId, json => WriteTool(json, context.Params?.Name, context.Params?.Arguments), clock.Elapsed, outcome, Size(result), spent, CacheFilter.WasHit(context));
        }
    };

    public McpRequestFilter<ReadResourceRequestParams, ReadResourceResult> CreateForResources() => next => async (context, cancellationToken) =>
    {
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        using var spent = ApiCallMeter.Begin();
        ReadResourceResult? result = null;
        string outcome = "error";
        try
        {
            result = await next(context, cancellationToken).ConfigureAwait(false);
            outcome = "ok";
            return result;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            var bytes = result?.Contents.OfType<TextResourceContents>().Sum(t => (long)Encoding.UTF8.GetByteCount(t.Text)) ?? 0;
            Write(started, "resource_read", context.Server.SessionId, json => json.WriteString("uri", context.Params?.Uri), clock.Elapsed, outcome, bytes, spent, CacheFilter.WasHit(context));
        }
    };

    private static void WriteTool(Utf8JsonWriter json, string? tool, IDictionary<string, JsonElement>? arguments)
    {
        json.WriteString("tool", tool);
        json.WriteStartObject("arguments");
        foreach (var (name, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            if (SecretNames.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase)))
            {
                json.WriteString(name, "***");
            }
            else
            {
                json.WritePropertyName(name);
                value.WriteTo(json);
            }
        }

        json.WriteEndObject();
    }

    private void Write(DateTimeOffset at, string type, string? session, Action<Utf8JsonWriter> subject, TimeSpan duration, string outcome, long resultBytes, ApiCallMeter.Scope spent, bool cached)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("type", type);
            json.WriteString("session", session);
            subject(json);
            json.WriteNumber("duration_ms", Math.Round(duration.TotalMilliseconds, 1));
            json.WriteString("outcome", outcome);
            json.WriteNumber("result_bytes", resultBytes);
            if (cached)
            {
                json.WriteBoolean("cached", true);
            }

            json.WriteStartObject("mixpanel_calls");
            json.WriteNumber("query", spent.Query);
            json.WriteNumber("query_uncounted", spent.QueryUncounted);
            json.WriteNumber("export", spent.Export);
            json.WriteNumber("app", spent.App);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_write)
        {
            sink.WriteLine(line);
            sink.Flush();
        }
    }

    private static long Size(CallToolResult? result) =>
        result?.Content.OfType<TextContentBlock>().Sum(t => (long)Encoding.UTF8.GetByteCount(t.Text)) ?? 0;
}
