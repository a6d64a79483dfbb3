namespace MixpanelData.Mcp.Cli;

/// <summary>The transports mp_mcp can serve.</summary>
internal enum TransportKind
{
    Stdio,
    Http,
}

/// <summary>Everything the command line says about how to run the server, validated.</summary>
internal sealed record ServerSettings
{
    public static readonly IReadOnlyList<string> AllToolsets =
        ["discovery", "live", "fetch", "local", "analytics", "intelligent", "composed", "interactive", "accounts"];

    public string? Account { get; init; }

    public TransportKind Transport { get; init; } = TransportKind.Stdio;

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 8000;

    public bool Demo { get; init; }

    public IReadOnlyList<string> Toolsets { get; init; } = AllToolsets;

    public bool ReadOnly { get; init; }

    /// <summary>List only the core toolsets at first; the <c>toolsets</c> tool enables the others (SPEC §4.9).</summary>
    public bool Progressive { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public string? DatabasePath { get; init; }

    public string LogLevel { get; init; } = "information";

    public string? AuditLog { get; init; }

    /// <summary>The most a tool result may hold, in bytes of JSON (≈ 10k tokens); larger results are cut by whole rows.</summary>
    public int ResponseBudgetBytes { get; init; } = 40_000;

    /// <summary>Also serve the official conformance suite's fixtures (hidden <c>--conformance-fixtures</c>, demo only).</summary>
    public bool ConformanceFixtures { get; init; }
}
