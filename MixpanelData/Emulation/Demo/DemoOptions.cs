namespace MixpanelData.Emulation.Demo;

/// <summary>How the built-in demo project is made and served.</summary>
public sealed record DemoOptions
{
    /// <summary>The clock: the demo covers the 90 days that end yesterday (UTC) by it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the generated database is cached. Default <c>~/.mp/demo</c>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Users in the synthetic product. Default 30,000 (about 1M events); smaller is faster for tests.</summary>
    public int UserCount { get; init; } = 30_000;

    /// <summary>The generator's seed. Default <see cref="DemoDatasetOptions.DefaultSeed"/>.</summary>
    public int Seed { get; init; } = DemoDatasetOptions.DefaultSeed;

    /// <summary>
    /// The emulator's behaviour. Default: Mixpanel's real limits except a roomier Query API budget
    /// (600 an hour) so that exploring the demo is not throttled.
    /// </summary>
    public EmulatorOptions? Emulator { get; init; }

    /// <summary>The demo's service account: username and secret are both <c>demo</c>, project 1.</summary>
    public const string Username = "demo";

    /// <summary>The demo's secret.</summary>
    public const string Secret = "demo";

    /// <summary>The demo project's id.</summary>
    public const long ProjectId = 1;

    internal string ResolveCacheDirectory() =>
        CacheDirectory ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mp", "demo");
}
