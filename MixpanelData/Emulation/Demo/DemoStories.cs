namespace MixpanelData.Emulation.Demo;

/// <summary>
/// The tunable facts of the demo product, including the planted stories. docs/demo.md repeats every number
/// here; change both together.
/// </summary>
internal static class DemoStories
{
    // ---- Population -------------------------------------------------------------------------------

    /// <summary>Share of users who signed up before the window (no Sign Up event in it).</summary>
    public const double PreExistingShare = 0.20;

    /// <summary>Pre-existing users signed up 1..180 days before the first day.</summary>
    public const int PreExistingSignupSpreadDays = 180;

    /// <summary>Sign-up rate on the last day relative to the first day (linear growth).</summary>
    public const double SignupGrowth = 1.0;

    // ---- Story (a): Safari sign-up form broken by web release 4.12.0 ----------------------------------

    /// <summary>The drop ends this many days before the last day…</summary>
    public const int SafariDropEndsDaysBeforeLastDay = 10;

    /// <summary>…and lasts this many days (LastDay-12, LastDay-11, LastDay-10).</summary>
    public const int SafariDropDays = 3;

    /// <summary>Share of Safari sign-up attempts on the drop days that fail.</summary>
    public const double SafariBlockedShare = 0.60;

    /// <summary>Blocked users come back and sign up within this many days after the hotfix.</summary>
    public const int SafariRetryWithinDays = 7;

    // ---- Story (b): weak Create Project -> Invite Teammate step on Android -----------------------------

    /// <summary>Chance that a created project is followed by at least one invite in the same session, by platform (web, iOS, Android).</summary>
    public static ReadOnlySpan<double> InviteAfterCreateRate => [0.45, 0.42, 0.20];

    /// <summary>Multiplier of the invite chance by company size (1-10 … 1000+).</summary>
    public static ReadOnlySpan<double> InviteCompanySizeFactor => [0.8, 1.0, 1.15, 1.25, 1.3];

    // ---- Story (c): acquisition channels retain differently -------------------------------------------
    // Indexed by DemoChannel: direct, google, paid_social, referral, newsletter.

    /// <summary>Share of new users who never come back after the sign-up day.</summary>
    public static ReadOnlySpan<double> ImmediateChurn => [0.30, 0.35, 0.55, 0.15, 0.25];

    /// <summary>Mean lifetime in days (exponential) of users who do come back.</summary>
    public static ReadOnlySpan<double> MeanLifetimeDays => [40, 30, 10, 75, 45];

    /// <summary>Chance of creating a project in the sign-up session.</summary>
    public static ReadOnlySpan<double> ActivationRate => [0.58, 0.55, 0.42, 0.70, 0.60];

    /// <summary>Multiplier of the chance to upgrade to a paid plan.</summary>
    public static ReadOnlySpan<double> UpgradeChannelFactor => [1.0, 0.9, 0.6, 1.4, 1.1];

    // ---- Seasonality and activity -------------------------------------------------------------------

    /// <summary>Relative sign-up and activity level by day of week (Sunday first).</summary>
    public static ReadOnlySpan<double> WeekdayFactor => [0.50, 1.0, 1.05, 1.05, 1.0, 0.9, 0.45];

    /// <summary>Chance of upgrading (over a lifetime) by company size.</summary>
    public static ReadOnlySpan<double> UpgradeRate => [0.07, 0.12, 0.16, 0.20, 0.22];

    /// <summary>Chance that an upgrade is to Business rather than Pro, by company size.</summary>
    public static ReadOnlySpan<double> BusinessShare => [0.10, 0.20, 0.30, 0.40, 0.50];

    public const double AnnualBillingShare = 0.25;

    /// <summary>Mean lifetime in days (exponential) of a paying user from the start of the window or the upgrade.</summary>
    public const double PaidMeanLifetimeDays = 300;

    public const double PaymentFailureRate = 0.10;

    /// <summary>Share of failed payments that are abandoned (the upgrade does not happen).</summary>
    public const double PaymentAbandonRate = 0.40;

    /// <summary>First day of the window the Safari drop covers, as an index from the first day.</summary>
    public static int SafariDropStartIndex(int days) => days - 1 - SafariDropEndsDaysBeforeLastDay - (SafariDropDays - 1);

    /// <summary>Local hour-of-day weights for session starts.</summary>
    public static ReadOnlySpan<double> HourWeights =>
        [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2.5, 5, 7, 8, 8, 6, 7, 8, 7.5, 6.5, 5, 3.5, 3, 2.8, 2.5, 2, 1.5];
}
