using System.CommandLine;
using MixpanelData.Configuration;

namespace MixpanelData.Mcp.Cli;

/// <summary>The <c>mp_mcp</c> command line: options, validation, and what each command does.</summary>
internal static class CommandLine
{
    private static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    public static RootCommand Build(TextWriter error, Func<string, string?> environment)
    {
        var account = new Option<string?>("--account") { Description = "Account name from ~/.mp/config.toml; beats MP_* environment variables." };
        var transport = new Option<string>("--transport") { Description = "stdio (Claude Desktop) or http (Streamable HTTP at /mcp).", DefaultValueFactory = _ => "stdio" };
        var host = new Option<string>("--host") { Description = "Address to bind in http mode.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port in http mode.", DefaultValueFactory = _ => 8000 };
        var demo = new Option<bool>("--demo") { Description = "Serve the built-in demo project instead of a real one." };
        var toolsets = new Option<string?>("--toolsets") { Description = $"Comma-separated toolsets to expose (default all): {string.Join(",", ServerSettings.AllToolsets)}." };
        var progressive = new Option<bool>("--progressive") { Description = "List only the discovery and live toolsets at first; the toolsets tool enables the others (for clients that follow tools/list_changed)." };
        var readOnly = new Option<bool>("--read-only") { Description = "Hide destructive tools and refuse SQL writes." };
        var headers = new Option<string[]>("--header") { Description = "Extra HTTP header sent to Mixpanel, as \"Name: value\" (repeatable)." };
        var db = new Option<string?>("--db") { Description = "Path of the local DuckDB database (default ~/.mp/data/<project_id>.duckdb)." };
        var logLevel = new Option<string>("--log-level") { Description = "trace, debug, information, warning, error, critical or none. Logs go to stderr.", DefaultValueFactory = _ => "information" };
        var auditLog = new Option<string?>("--audit-log") { Description = "Write the audit trail (one JSON line per tool call) to this file instead of stderr." };
        // Hidden: serves the conformance suite's test_* fixtures beside the real tools (docs/http-deployment.md).
        var conformanceFixtures = new Option<bool>("--conformance-fixtures") { Description = "Also serve the official MCP conformance suite's fixtures (demo only).", Hidden = true };

        var root = new RootCommand("mp_mcp: a Model Context Protocol server for Mixpanel product analytics.")
        {
            account, transport, host, port, demo, toolsets, progressive, readOnly, headers, db, logLevel, auditLog, conformanceFixtures,
        };

        root.Subcommands.Add(EmulatorCommand.Build(error));
        root.SetAction((result, cancellationToken) =>
        {
            ServerSettings settings;
            try
            {
                settings = new ServerSettings
                {
                    Account = result.GetValue(account),
                    Transport = ParseTransport(result.GetValue(transport)),
                    Host = RequireText(result.GetValue(host), "--host"),
                    Port = ParsePort(result.GetValue(port)),
                    Demo = result.GetValue(demo),
                    Toolsets = ParseToolsets(result.GetValue(toolsets)),
                    Progressive = result.GetValue(progressive),
                    ReadOnly = result.GetValue(readOnly),
                    Headers = ParseHeaders(result.GetValue(headers) ?? []),
                    DatabasePath = result.GetValue(db),
                    LogLevel = ParseLogLevel(result.GetValue(logLevel)),
                    AuditLog = result.GetValue(auditLog),
                    ConformanceFixtures = result.GetValue(conformanceFixtures),
                };
                if (settings.ConformanceFixtures && !settings.Demo)
                {
                    throw new ArgumentException("--conformance-fixtures serves test fixtures for the MCP conformance suite and runs only with --demo, never with real credentials.");
                }
            }
            catch (ArgumentException ex)
            {
                error.WriteLine($"mp_mcp: {ex.Message}");
                return Task.FromResult(2);
            }

            return ServeCommand.RunAsync(settings, error, environment, cancellationToken);
        });
        return root;
    }

    internal static TransportKind ParseTransport(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "stdio" => TransportKind.Stdio,
        "http" or "streamable-http" => TransportKind.Http,
        _ => throw new ArgumentException($"--transport must be stdio or http, not '{text}'."),
    };

    internal static int ParsePort(int port) =>
        port is >= 1 and <= 65535 ? port : throw new ArgumentException($"--port must be between 1 and 65535, not {port}.");

    internal static IReadOnlyList<string> ParseToolsets(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return ServerSettings.AllToolsets;
        }

        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).Distinct().ToList();
        var unknown = names.Where(n => !ServerSettings.AllToolsets.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown toolset(s) {string.Join(", ", unknown)}; choose from {string.Join(",", ServerSettings.AllToolsets)}.");
        }

        return names.Count == 0 ? ServerSettings.AllToolsets : names;
    }

    internal static IReadOnlyDictionary<string, string> ParseHeaders(IEnumerable<string> values)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? value[..colon].Trim() : string.Empty;
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c)))
            {
                throw new ArgumentException($"--header must look like \"Name: value\", not '{value}'.");
            }

            var headerValue = value[(colon + 1)..].Trim();
            if (headerValue.Contains('\r') || headerValue.Contains('\n'))
            {
                throw new ArgumentException($"--header {name} must not contain line breaks.");
            }

            if (string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException("--header Authorization is not allowed: authentication comes from the account's credentials.");
            }

            headers[name] = headerValue;
        }

        return headers;
    }

    internal static string ParseLogLevel(string? text)
    {
        var level = text?.Trim().ToLowerInvariant() ?? "information";
        level = level switch { "info" => "information", "warn" => "warning", _ => level };
        return LogLevels.Contains(level) ? level : throw new ArgumentException($"--log-level must be one of {string.Join(", ", LogLevels)}, not '{text}'.");
    }

    private static string RequireText(string? text, string option) =>
        string.IsNullOrWhiteSpace(text) ? throw new ArgumentException($"{option} must not be empty.") : text.Trim();
}
