namespace MixpanelData.Emulation.Demo;

/// <summary>
/// What to generate for the demo project: a seed, how many users and which window of days.
/// The same options always give byte-identical data.
/// </summary>
public sealed record DemoDatasetOptions
{
    /// <summary>The seed used when none is given.</summary>
    public const int DefaultSeed = 20260101;

    /// <summary>The smallest supported window; the planted stories need a few weeks of history.</summary>
    public const int MinDays = 30;

    /// <summary>The largest supported window.</summary>
    public const int MaxDays = 120;

    /// <summary>Seed of every random choice. Default <see cref="DefaultSeed"/>.</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>How many users (profiles) the product has; about a fifth signed up before the window. Default 30,000.</summary>
    public int UserCount { get; init; } = 30_000;

    /// <summary>Length of the event window in days, ending with <see cref="LastDay"/>. Default 90.</summary>
    public int Days { get; init; } = 90;

    /// <summary>The last (UTC) day that has events, normally the day before today.</summary>
    public required DateOnly LastDay { get; init; }

    /// <summary>The first (UTC) day that has events.</summary>
    public DateOnly FirstDay => LastDay.AddDays(1 - Days);

    /// <summary>Options for a window that ends yesterday (UTC) according to <paramref name="timeProvider"/>.</summary>
    public static DemoDatasetOptions EndingYesterday(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        return new DemoDatasetOptions { LastDay = today.AddDays(-1) };
    }

    /// <summary>Checks that the values make sense.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message says which.</exception>
    public void Validate()
    {
        if (UserCount is < 100 or > 2_000_000)
        {
            throw new ArgumentException($"UserCount must be between 100 and 2,000,000 (was {UserCount}).");
        }

        if (Days is < MinDays or > MaxDays)
        {
            throw new ArgumentException($"Days must be between {MinDays} and {MaxDays} (was {Days}).");
        }

        // Users who signed up before the window reach back another 180 days; Mixpanel rejects dates before 2000.
        if (FirstDay.AddDays(-DemoStories.PreExistingSignupSpreadDays).Year < 2000 || LastDay.Year > 9000)
        {
            throw new ArgumentException($"LastDay {LastDay:yyyy-MM-dd} is out of range.");
        }
    }
}
