namespace MixpanelData.Emulation.Demo;

/// <summary>
/// Turns the population into the events of one day. Each user-day draws from its own random stream, so a
/// day can be generated alone, in any order, and always comes out the same.
/// </summary>
internal sealed class DemoDayGenerator
{
    private const long SecondsPerDay = 86_400;

    private static readonly WeightedTable<int> LocalHours = BuildHours();

    private static readonly WeightedTable<DemoEventKind> Actions = new(
        (DemoEventKind.PageView, 52), (DemoEventKind.RunReport, 14), (DemoEventKind.Search, 12), (DemoEventKind.CreateProject, 7),
        (DemoEventKind.ExportReport, 4));

    private readonly DemoDatasetOptions _options;
    private readonly IReadOnlyList<DemoUser> _users;
    private readonly DemoReleases _releases;
    private readonly long _firstDayEpoch;
    private readonly ulong _projectSeed;

    public DemoDayGenerator(DemoDatasetOptions options, IReadOnlyList<DemoUser> users, DemoReleases releases)
    {
        _options = options;
        _users = users;
        _releases = releases;
        _firstDayEpoch = (options.FirstDay.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) * SecondsPerDay;
        _projectSeed = DemoRandom.Mix((ulong)(uint)options.Seed ^ 0x7F4A7C159E3779B9UL);
    }

    /// <summary>Unix time (seconds) of midnight UTC at the start of day index <paramref name="day"/>.</summary>
    public long DayStart(int day) => _firstDayEpoch + (day * SecondsPerDay);

    /// <summary>Replaces the content of <paramref name="output"/> with day <paramref name="day"/>'s events in time order.</summary>
    public void GenerateDay(int day, List<DemoEventRecord> output)
    {
        output.Clear();
        for (var i = 0; i < _users.Count; i++)
        {
            AddUserDay(_users[i], day, output);
        }

        output.Sort(DemoEventRecordComparer.Instance);
    }

    /// <summary>Appends one user's events of one day (unsorted) to <paramref name="output"/>.</summary>
    public void AddUserDay(DemoUser user, int day, List<DemoEventRecord> output)
    {
        var attempt = day == user.BlockedAttemptDay;
        var renewal = user.HasRenewal(day);
        var active = user.IsActive(day);
        if (!attempt && !renewal && !active)
        {
            return;
        }

        var r = DemoRandom.Create(_options.Seed, DemoStream.Session, user.Index, day);
        var sequence = 0;
        var dayStart = DayStart(day);
        var plan = user.PlanAtStartOf(day);
        if (renewal)
        {
            var e = Template(user, day, plan, 0);
            e.Kind = DemoEventKind.Purchase;
            e.Server = true;
            e.Period = user.PeriodOn(day);
            e.Variant = 1;
            e.Time = dayStart + (3 * 3600) + r.Next(7200);
            e.Sequence = sequence++;
            e.ProcessingDelayMs = r.Next(50, 900);
            output.Add(e);
        }

        if (!attempt && !active)
        {
            return;
        }

        var version = (byte)_releases.VersionOn(user.Platform, day, user.VersionLag);
        var session = new Session(output, output.Count, sequence);
        if (attempt)
        {
            AttemptSession(ref session, ref r, user, day, version);
        }
        else if (!user.PreExisting && day == user.SignupDay)
        {
            SignupSession(ref session, ref r, user, day, version);
        }
        else
        {
            RegularSession(ref session, ref r, user, day, plan, version);
        }

        // Place the session in the day: a local working hour, moved to UTC, kept inside the UTC day.
        var localHour = LocalHours.Draw(ref r);
        var start = (((localHour - user.City.UtcOffsetHours) * 3600L) + r.Next(3600)) % SecondsPerDay;
        if (start < 0)
        {
            start += SecondsPerDay;
        }

        start = Math.Min(start, SecondsPerDay - 1 - session.Elapsed);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(output)[session.First..];
        for (var i = 0; i < span.Length; i++)
        {
            span[i].Time += dayStart + start;
        }
    }

    private void AttemptSession(ref Session s, ref DemoRandom r, DemoUser user, int day, byte version)
    {
        var e = Template(user, day, DemoPlan.Free, version);
        s.Push(ref r, PageView(e, DemoPage.Home, acquisition: true));
        s.Push(ref r, PageView(e, DemoPage.Signup));
        if (r.Chance(0.7))
        {
            s.Push(ref r, PageView(e, DemoPage.Signup));
        }
    }

    private void SignupSession(ref Session s, ref DemoRandom r, DemoUser user, int day, byte version)
    {
        var e = Template(user, day, DemoPlan.Free, version);
        s.Push(ref r, PageView(e, DemoPage.Home, acquisition: true));
        if (r.Chance(0.35))
        {
            s.Push(ref r, PageView(e, DemoPage.Pricing));
        }

        s.Push(ref r, PageView(e, DemoPage.Signup));
        var signUp = e;
        signUp.Kind = DemoEventKind.SignUp;
        signUp.Acquisition = true;
        signUp.Variant = (byte)user.SignupMethod;
        s.Push(ref r, signUp);
        s.Push(ref r, PageView(e, DemoPage.Onboarding));
        if (r.Chance(DemoStories.ActivationRate[(int)user.Channel]))
        {
            CreateProject(ref s, ref r, user, e);
        }

        var browsing = r.Next(4);
        for (var i = 0; i < browsing; i++)
        {
            s.Push(ref r, PageView(e, BrowsingPage(ref r)));
        }
    }

    private void RegularSession(ref Session s, ref DemoRandom r, DemoUser user, int day, DemoPlan plan, byte version)
    {
        var e = Template(user, day, plan, version);
        if (r.Chance(user.Platform == DemoPlatform.Web ? 0.75 : 0.55))
        {
            var login = e;
            login.Kind = DemoEventKind.Login;
            login.Variant = (byte)user.SignupMethod;
            s.Push(ref r, login);
        }

        var actions = 1 + r.Next(5);
        for (var i = 0; i < actions; i++)
        {
            var kind = Actions.Draw(ref r);
            switch (kind)
            {
                case DemoEventKind.PageView:
                    s.Push(ref r, PageView(e, BrowsingPage(ref r)));
                    break;
                case DemoEventKind.CreateProject:
                    CreateProject(ref s, ref r, user, e);
                    break;
                case DemoEventKind.RunReport:
                    s.Push(ref r, PageView(e, DemoPage.Reports));
                    var report = e;
                    report.Kind = DemoEventKind.RunReport;
                    report.Variant = (byte)r.Next(DemoVocabulary.ReportTypes.Length);
                    s.Push(ref r, report);
                    break;
                case DemoEventKind.Search:
                    var search = e;
                    search.Kind = DemoEventKind.Search;
                    search.Number = r.Next(40);
                    s.Push(ref r, search);
                    break;
                default:
                    var export = e;
                    export.Kind = DemoEventKind.ExportReport;
                    export.Variant = (byte)r.Next(DemoVocabulary.ExportFormats.Length);
                    s.Push(ref r, export);
                    break;
            }
        }

        if (day == user.UpgradeDay)
        {
            e = Upgrade(ref s, ref r, user, e);
        }

        if (day == user.CancelDay)
        {
            s.Push(ref r, PageView(e, DemoPage.Billing));
            var cancel = e;
            cancel.Kind = DemoEventKind.CancelSubscription;
            cancel.Variant = (byte)r.Next(DemoVocabulary.CancelReasons.Length);
            s.Push(ref r, cancel);
            e.Plan = DemoPlan.Free;
            s.Push(ref r, PageView(e, DemoPage.Dashboard));
        }

        if (user.Platform == DemoPlatform.Web && r.Chance(0.25))
        {
            var logout = e;
            logout.Kind = DemoEventKind.Logout;
            s.Push(ref r, logout);
        }
    }

    /// <summary>The pricing → billing → Upgrade Plan → (Payment Failed) → Purchase flow; returns the template with the new plan.</summary>
    private static DemoEventRecord Upgrade(ref Session s, ref DemoRandom r, DemoUser user, DemoEventRecord e)
    {
        s.Push(ref r, PageView(e, DemoPage.Pricing));
        s.Push(ref r, PageView(e, DemoPage.Billing));
        var upgrade = e;
        upgrade.Kind = DemoEventKind.UpgradePlan;
        upgrade.FromPlan = e.Plan;
        upgrade.Plan = user.UpgradePlan;
        upgrade.Period = user.UpgradePeriod;
        s.Push(ref r, upgrade);
        if (user.PaymentFails)
        {
            var failed = upgrade;
            failed.Kind = DemoEventKind.PaymentFailed;
            failed.Variant = (byte)r.Next(DemoVocabulary.PaymentFailureReasons.Length);
            s.Push(ref r, failed);
            if (user.PaymentAbandoned)
            {
                return e;
            }
        }

        var purchase = upgrade;
        purchase.Kind = DemoEventKind.Purchase;
        purchase.Variant = 0;
        s.Push(ref r, purchase);
        e.Plan = user.UpgradePlan;
        s.Push(ref r, PageView(e, DemoPage.Dashboard));
        return e;
    }

    private void CreateProject(ref Session s, ref DemoRandom r, DemoUser user, DemoEventRecord e)
    {
        var create = e;
        create.Kind = DemoEventKind.CreateProject;
        create.ProjectId = ProjectId(user.Index, e.Day, s.NextSequence);
        create.Variant = (byte)r.Next(DemoVocabulary.ProjectTemplates.Length);
        s.Push(ref r, create);

        // Story (b): the invite step is much weaker on Android.
        var chance = Math.Min(0.95, DemoStories.InviteAfterCreateRate[(int)user.Platform] * DemoStories.InviteCompanySizeFactor[(int)user.CompanySize]);
        if (r.Chance(chance))
        {
            var invites = 1 + (r.Chance(0.35) ? 1 : 0) + (r.Chance(0.15) ? 1 : 0);
            for (var i = 0; i < invites; i++)
            {
                var invite = e;
                invite.Kind = DemoEventKind.InviteTeammate;
                invite.ProjectId = create.ProjectId;
                invite.Variant = (byte)(r.Chance(0.6) ? 0 : r.Next(1, DemoVocabulary.InviteRoles.Length));
                s.Push(ref r, invite);
            }
        }

        var view = PageView(e, DemoPage.Project);
        view.ProjectId = create.ProjectId;
        s.Push(ref r, view);
    }

    /// <summary>A project id unique in the dataset: a keyed bijection of (user, day, position) onto 36 bits.</summary>
    private long ProjectId(int user, int day, int sequence)
    {
        const ulong mask = (1UL << 36) - 1;
        var x = (((ulong)user << 15) | ((ulong)day << 8) | (uint)(sequence & 0xFF)) & mask;
        x ^= _projectSeed & mask;
        x = (x * 0x9E3779B97UL) & mask;
        x ^= x >> 18;
        x = (x * 0x5DEECE66DUL) & mask;
        x ^= x >> 17;
        return 1_000_000 + (long)x;
    }

    private static DemoEventRecord Template(DemoUser user, int day, DemoPlan plan, byte version) => new()
    {
        User = user.Index,
        Day = day,
        Plan = plan,
        Version = version,
    };

    private static DemoEventRecord PageView(DemoEventRecord template, DemoPage page, bool acquisition = false)
    {
        var e = template;
        e.Kind = DemoEventKind.PageView;
        e.Page = page;
        e.Acquisition = acquisition;
        return e;
    }

    private static DemoPage BrowsingPage(ref DemoRandom r) => DemoEventNames.BrowsingPages.Draw(ref r);

    private static WeightedTable<int> BuildHours()
    {
        var weights = DemoStories.HourWeights;
        var choices = new (int, double)[weights.Length];
        for (var h = 0; h < weights.Length; h++)
        {
            choices[h] = (h, weights[h]);
        }

        return new WeightedTable<int>(choices);
    }

    /// <summary>Collects one session's events with times relative to the session start.</summary>
    private struct Session(List<DemoEventRecord> output, int first, int sequence)
    {
        public readonly int First = first;

        public long Elapsed;

        private int _sequence = sequence;

        public readonly int NextSequence => _sequence;

        public void Push(ref DemoRandom r, DemoEventRecord e)
        {
            e.Time = Elapsed;
            e.Sequence = _sequence++;
            e.ProcessingDelayMs = r.Next(150, 4000);
            output.Add(e);
            Elapsed += e.Kind == DemoEventKind.PageView ? r.Next(5, 90) : r.Next(10, 240);
        }
    }
}
