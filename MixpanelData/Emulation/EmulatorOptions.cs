namespace MixpanelData.Emulation;

/// <summary>How the emulator behaves: its clock and the rate limits it enforces like Mixpanel.</summary>
public sealed record EmulatorOptions
{
    /// <summary>The clock: "today" for date checks, and rate-limit windows.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Whether the emulator answers 429 like Mixpanel when a project's budget is spent. Default on.</summary>
    public bool EnforceRateLimits { get; init; } = true;

    /// <summary>Counted Query API requests per rolling hour per project. Default 60.</summary>
    public int QueryPerHour { get; init; } = 60;

    /// <summary>Concurrent Query API requests per project. Default 5.</summary>
    public int QueryConcurrency { get; init; } = 5;

    /// <summary>Export requests per rolling hour. Default 60.</summary>
    public int ExportPerHour { get; init; } = 60;

    /// <summary>Export requests per second. Default 3.</summary>
    public int ExportPerSecond { get; init; } = 3;

    /// <summary>Concurrent export requests. Default 100.</summary>
    public int ExportConcurrency { get; init; } = 100;

    /// <summary>How far back queries may reach (403 beyond); <see langword="null"/> for no limit.</summary>
    public int? MaxHistoryDays { get; init; }
}
