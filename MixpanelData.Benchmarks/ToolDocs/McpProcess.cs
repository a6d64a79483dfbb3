using ModelContextProtocol.Client;

namespace MixpanelData.ToolDocs;

/// <summary>Starts the built <c>mp_mcp</c> (next to this program) as a child process and connects the SDK's client to it over stdio.</summary>
internal static class McpProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "mp_mcp.dll");

    public static Task<McpClient> ConnectAsync(IReadOnlyList<string> arguments, string? configPath, string? home = null, Action<string>? stderr = null, string? protocolVersion = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["MP_USERNAME"] = null,
            ["MP_SECRET"] = null,
            ["MP_PROJECT_ID"] = null,
            ["MP_REGION"] = null,
            ["MP_QUERY_URL"] = null,
            ["MP_EXPORT_URL"] = null,
            ["MP_APP_URL"] = null,
            ["MP_WORKSPACE_ID"] = null,
            ["MP_CONFIG_PATH"] = configPath ?? Path.Combine(Path.GetTempPath(), "mp-no-config-" + Guid.NewGuid().ToString("N") + ".toml"),
        };
        if (home is not null)
        {
            environment["HOME"] = home;
        }

        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [Dll, .. arguments],
            EnvironmentVariables = environment,
            StandardErrorLines = stderr ?? (_ => { }),
            Name = "mp_mcp",
        });
        return McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion });
    }
}
