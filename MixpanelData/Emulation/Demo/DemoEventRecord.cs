namespace MixpanelData.Emulation.Demo;

/// <summary>
/// One generated event before serialisation: a compact value (no strings) so a whole day fits in one reused
/// buffer. The user's fixed properties are looked up from <see cref="DemoUser"/> when writing.
/// </summary>
internal struct DemoEventRecord
{
    /// <summary>Unix time in seconds (UTC).</summary>
    public long Time;

    public int User;

    /// <summary>Position within the user's day; with the user and the day it keys <c>$insert_id</c>.</summary>
    public int Sequence;

    public int Day;

    public long ProjectId;

    public int ProcessingDelayMs;

    public int Number;

    public DemoEventKind Kind;

    public DemoPage Page;

    public DemoPlan Plan;

    public DemoPlan FromPlan;

    public DemoBillingPeriod Period;

    /// <summary>An event-specific choice: template, report type, export format, reason, invitee role…</summary>
    public byte Variant;

    public byte Version;

    /// <summary>Carries the <c>utm_*</c> properties (landing page view and Sign Up).</summary>
    public bool Acquisition;

    /// <summary>Sent by the billing server: no browser, device or city.</summary>
    public bool Server;
}

/// <summary>Orders a day's events by time, then user, then position, which is a total order.</summary>
internal sealed class DemoEventRecordComparer : IComparer<DemoEventRecord>
{
    public static readonly DemoEventRecordComparer Instance = new();

    public int Compare(DemoEventRecord x, DemoEventRecord y)
    {
        var c = x.Time.CompareTo(y.Time);
        if (c != 0)
        {
            return c;
        }

        c = x.User.CompareTo(y.User);
        return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
    }
}
