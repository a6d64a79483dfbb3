using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>
/// Everything decided about one user before any event is written: who they are, when they sign up, which
/// days they are active, and when their plan changes. Events for any day are derived from this alone.
/// </summary>
internal sealed class DemoUser
{
    public required int Index { get; init; }

    public required string DistinctId { get; init; }

    public required JsonEncodedText DistinctIdJson { get; init; }

    /// <summary>Signed up before the window (no Sign Up event in it).</summary>
    public required bool PreExisting { get; init; }

    /// <summary>Day index of the sign-up, from the first day of the window; negative for pre-existing users.</summary>
    public required int SignupDay { get; init; }

    /// <summary>Day index of a failed Safari sign-up attempt (story a), or -1.</summary>
    public required int BlockedAttemptDay { get; init; }

    public required DemoChannel Channel { get; init; }

    public required int Campaign { get; init; }

    public required DemoPlatform Platform { get; init; }

    public required DemoBrowser Browser { get; init; }

    public required int BrowserVersion { get; init; }

    public required string Os { get; init; }

    public required string? Device { get; init; }

    public required string? Model { get; init; }

    public required DemoCountry Country { get; init; }

    public required DemoCity City { get; init; }

    public required string Company { get; init; }

    public required DemoCompanySize CompanySize { get; init; }

    public required string FirstName { get; init; }

    public required string LastName { get; init; }

    public required string Email { get; init; }

    public required int Role { get; init; }

    public required int SignupMethod { get; init; }

    /// <summary>Days a mobile user waits before installing a new app release.</summary>
    public required int VersionLag { get; init; }

    /// <summary>First day index with no activity any more (exclusive end of life).</summary>
    public required int ChurnDay { get; init; }

    /// <summary>Bit i set: a session on day index i (including the sign-up day).</summary>
    public required UInt128 ActiveDays { get; init; }

    /// <summary>Bit i set: a subscription renewal is charged on day index i.</summary>
    public required UInt128 RenewalDays { get; init; }

    public required DemoPlan InitialPlan { get; init; }

    public required DemoBillingPeriod InitialPeriod { get; init; }

    /// <summary>Day index of the Upgrade Plan session, or -1.</summary>
    public required int UpgradeDay { get; init; }

    public required DemoPlan UpgradePlan { get; init; }

    public required DemoBillingPeriod UpgradePeriod { get; init; }

    public required bool PaymentFails { get; init; }

    /// <summary>The failed payment is not retried, so the plan stays as it was.</summary>
    public required bool PaymentAbandoned { get; init; }

    /// <summary>Day index of the Cancel Subscription session, or -1.</summary>
    public required int CancelDay { get; init; }

    public bool IsActive(int day) => day >= 0 && day < 128 && ((ActiveDays >> day) & UInt128.One) != UInt128.Zero;

    public bool HasRenewal(int day) => day >= 0 && day < 128 && ((RenewalDays >> day) & UInt128.One) != UInt128.Zero;

    /// <summary>The last active day index, or -1 when the user has no session in the window.</summary>
    public int LastActiveDay => ActiveDays == UInt128.Zero ? -1 : 127 - (int)UInt128.LeadingZeroCount(ActiveDays);

    public bool Upgrades => UpgradeDay >= 0 && !PaymentAbandoned;

    /// <summary>The plan at the start of a day (before that day's upgrade or cancellation).</summary>
    public DemoPlan PlanAtStartOf(int day)
    {
        if (CancelDay >= 0 && day > CancelDay)
        {
            return DemoPlan.Free;
        }

        return Upgrades && day > UpgradeDay ? UpgradePlan : InitialPlan;
    }

    /// <summary>The billing period of the paid plan held on a day.</summary>
    public DemoBillingPeriod PeriodOn(int day) => Upgrades && day >= UpgradeDay ? UpgradePeriod : InitialPeriod;

    /// <summary>The plan at the end of the window.</summary>
    public DemoPlan FinalPlan(int days) => PlanAtStartOf(days);
}
