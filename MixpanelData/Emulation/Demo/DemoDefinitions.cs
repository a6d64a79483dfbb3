using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>One step of a saved funnel: an event, optionally narrowed by a Mixpanel expression.</summary>
/// <param name="Event">The event name.</param>
/// <param name="Where">A filter on the step's events, e.g. <c>properties["page"] == "/pricing"</c>, or null.</param>
/// <param name="Label">The label shown for the step, or null for the event name.</param>
internal sealed record DemoFunnelStep(string Event, string? Where = null, string? Label = null);

/// <summary>A saved funnel as <c>/funnels/list</c> names it, with what <c>/funnels</c> needs to compute it.</summary>
/// <param name="Id">The <c>funnel_id</c>; also the id of its funnels bookmark.</param>
/// <param name="Name">The funnel's name.</param>
/// <param name="Steps">The ordered steps.</param>
/// <param name="Length">The conversion window length.</param>
/// <param name="LengthUnit">The window unit: <c>day</c>, <c>hour</c>, <c>minute</c> or <c>second</c>.</param>
/// <param name="Created">When it was saved (UTC).</param>
internal sealed record DemoFunnel(long Id, string Name, ImmutableArray<DemoFunnelStep> Steps, int Length, string LengthUnit, DateTime Created);

/// <summary>A saved cohort as <c>/cohorts/list</c> returns it, with its members.</summary>
/// <param name="Id">The cohort id.</param>
/// <param name="Name">The cohort name.</param>
/// <param name="Description">What the cohort is, in words.</param>
/// <param name="Definition">Membership as a Mixpanel expression over profile properties (<c>user["…"]</c>).</param>
/// <param name="Count">The number of members on the last day of the window.</param>
/// <param name="IsVisible">Shown in the cohort list (<c>is_visible</c> 1).</param>
/// <param name="Created">When it was saved (UTC).</param>
/// <param name="Members">The members' distinct ids, in profile order.</param>
internal sealed record DemoCohort(
    long Id, string Name, string Description, string Definition, int Count, bool IsVisible, DateTime Created, ImmutableArray<string> Members);

/// <summary>A saved report as the App API bookmarks list returns it.</summary>
/// <param name="Id">The bookmark id (for funnels, the funnel id).</param>
/// <param name="Name">The report name.</param>
/// <param name="Type"><c>insights</c>, <c>funnels</c> or <c>retention</c>.</param>
/// <param name="Description">What the report shows.</param>
/// <param name="ParamsJson">The report's <c>params</c> object as JSON.</param>
/// <param name="Created">When it was saved (UTC).</param>
/// <param name="Modified">When it was last changed (UTC).</param>
internal sealed record DemoBookmark(long Id, string Name, string Type, string Description, string ParamsJson, DateTime Created, DateTime Modified)
{
    public const long CreatorId = 4242;

    public const string CreatorName = "Dana Analyst";

    public const string CreatorEmail = "dana.analyst@flowboard.example";
}

/// <summary>The saved funnels, cohorts and reports of the demo project.</summary>
internal sealed record DemoDefinitions(ImmutableArray<DemoFunnel> Funnels, ImmutableArray<DemoCohort> Cohorts, ImmutableArray<DemoBookmark> Bookmarks)
{
    public const long ActivationFunnelId = 7011;
    public const long MonetisationFunnelId = 7012;
    public const long CheckoutFunnelId = 7013;
    public const long SignupFormFunnelId = 7014;

    public static DemoDefinitions Build(DemoDatasetOptions options, IReadOnlyList<DemoProfile> profiles)
    {
        var saved = options.LastDay.AddDays(-options.Days + 5).ToDateTime(new TimeOnly(10, 15), DateTimeKind.Utc);

        ImmutableArray<DemoFunnel> funnels =
        [
            new(ActivationFunnelId, "Activation: Sign Up → Create Project → Invite Teammate",
                [new("Sign Up"), new("Create Project"), new("Invite Teammate")], 7, "day", saved),
            new(MonetisationFunnelId, "Monetisation: Sign Up → Upgrade Plan → Purchase",
                [new("Sign Up"), new("Upgrade Plan"), new("Purchase", "properties[\"billing_reason\"] == \"new\"", "First purchase")], 30, "day", saved.AddHours(1)),
            new(CheckoutFunnelId, "Checkout: Pricing page → Upgrade Plan → Purchase",
                [new("Page View", "properties[\"page\"] == \"/pricing\"", "Viewed pricing"), new("Upgrade Plan"), new("Purchase", "properties[\"billing_reason\"] == \"new\"", "First purchase")],
                1, "day", saved.AddDays(2)),
            new(SignupFormFunnelId, "Sign-up form: Sign-up page → Sign Up",
                [new("Page View", "properties[\"page\"] == \"/signup\"", "Viewed sign-up page"), new("Sign Up")], 1, "hour", saved.AddDays(3)),
        ];

        var dormantSince = options.LastDay.AddDays(-29).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var dormantLiteral = dormantSince.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        ImmutableArray<DemoCohort> cohorts =
        [
            Cohort(9101, "Paying customers", "Users on the Pro or Business plan at the end of the window.",
                "user[\"plan\"] in [\"pro\", \"business\"]", p => p.Plan is "pro" or "business", saved.AddDays(1), profiles),
            Cohort(9102, "Referral sign-ups", "Users acquired through a teammate's referral link.",
                "user[\"utm_source\"] == \"referral\"", p => p.UtmSource == "referral", saved.AddDays(1), profiles),
            Cohort(9103, "Paid social sign-ups", "Users acquired through paid social campaigns.",
                "user[\"utm_source\"] == \"paid_social\"", p => p.UtmSource == "paid_social", saved.AddDays(1), profiles),
            Cohort(9104, "Android users", "Users of the Android app.",
                "user[\"platform\"] == \"Android\"", p => p.Platform == "Android", saved.AddDays(4), profiles),
            Cohort(9105, "Large free accounts", "Free users at companies of more than 200 people: sales-assist leads.",
                "user[\"company_size\"] in [\"201-1000\", \"1000+\"] and user[\"plan\"] == \"free\"",
                p => p.CompanySize is "201-1000" or "1000+" && p.Plan == "free", saved.AddDays(6), profiles),
            Cohort(9106, "Dormant for 30 days", $"Users not seen since before {dormantLiteral[..10]} (no session in the last 30 days).",
                $"user[\"$last_seen\"] < datetime(\"{dormantLiteral}\")", p => p.LastSeen < dormantSince, saved.AddDays(6), profiles),
        ];

        ImmutableArray<DemoBookmark> bookmarks =
        [
            Insights(8001, "Daily sign-ups by browser", "Sign Up, total per day, broken down by $browser, last 30 days.",
                "Sign Up", "total", "$browser", "day", 30, "line", saved.AddDays(1)),
            Insights(8002, "Daily active users", "Unique users doing any event per day, last 90 days.",
                "$any_event", "unique", null, "day", 90, "line", saved.AddDays(1)),
            Insights(8003, "Revenue by plan", "Sum of Purchase revenue per week, broken down by plan.",
                "Purchase", "sum:revenue", "plan", "week", 90, "bar", saved.AddDays(2)),
            Insights(8004, "Top pages", "Page View, total, broken down by page, last 30 days.",
                "Page View", "total", "page", "day", 30, "table", saved.AddDays(2)),
            Insights(8005, "Sign-ups by platform", "Sign Up per day broken down by platform, last 30 days.",
                "Sign Up", "total", "platform", "day", 30, "line", saved.AddDays(3)),
            Retention(8101, "Retention by acquisition channel", "Born on Sign Up, returning with any event, daily, by utm_source.",
                "utm_source", saved.AddDays(3)),
            Retention(8102, "Weekly retention, all sign-ups", "Born on Sign Up, returning with any event, weekly.", null, saved.AddDays(4)),
            .. funnels.Select(FunnelBookmark),
        ];

        return new DemoDefinitions(funnels, cohorts, bookmarks);
    }

    private static DemoCohort Cohort(
        long id, string name, string description, string definition, Func<DemoProfile, bool> member, DateTime created, IReadOnlyList<DemoProfile> profiles)
    {
        var members = ImmutableArray.CreateBuilder<string>();
        foreach (var profile in profiles)
        {
            if (member(profile))
            {
                members.Add(profile.DistinctId);
            }
        }

        return new DemoCohort(id, name, description, definition, members.Count, true, created, members.ToImmutable());
    }

    private static DemoBookmark Insights(
        long id, string name, string description, string @event, string math, string? breakdown, string unit, int lastDays, string chart, DateTime created) =>
        new(id, name, "insights", description, Json(w =>
        {
            w.WriteStartObject("sections");
            w.WriteStartArray("show");
            w.WriteStartObject();
            w.WriteStartObject("behavior");
            w.WriteString("type", "event");
            w.WriteString("name", @event);
            w.WriteEndObject();
            w.WriteStartObject("measurement");
            var colon = math.IndexOf(':', StringComparison.Ordinal);
            w.WriteString("math", colon < 0 ? math : math[..colon]);
            if (colon >= 0)
            {
                w.WriteString("property", math[(colon + 1)..]);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("group");
            if (breakdown is not null)
            {
                w.WriteStartObject();
                w.WriteString("value", breakdown);
                w.WriteString("propertyType", "string");
                w.WriteString("resourceType", "events");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("filter");
            w.WriteEndArray();
            TimeSection(w, unit, lastDays);
            w.WriteEndObject();
            w.WriteStartObject("displayOptions");
            w.WriteString("chartType", chart);
            w.WriteEndObject();
        }), created, created.AddDays(7));

    private static DemoBookmark Retention(long id, string name, string description, string? breakdown, DateTime created) =>
        new(id, name, "retention", description, Json(w =>
        {
            w.WriteStartObject("sections");
            w.WriteStartArray("show");
            w.WriteStartObject();
            w.WriteStartObject("behavior");
            w.WriteString("type", "retention");
            w.WriteString("retentionType", "birth");
            w.WriteStartArray("behaviors");
            w.WriteStartObject();
            w.WriteString("type", "event");
            w.WriteString("name", "Sign Up");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "event");
            w.WriteString("name", "$any_event");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("retentionUnit", breakdown is null ? "week" : "day");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("group");
            if (breakdown is not null)
            {
                w.WriteStartObject();
                w.WriteString("value", breakdown);
                w.WriteString("propertyType", "string");
                w.WriteString("resourceType", "events");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("filter");
            w.WriteEndArray();
            TimeSection(w, "day", 60);
            w.WriteEndObject();
            w.WriteStartObject("displayOptions");
            w.WriteString("chartType", "retention-curve");
            w.WriteEndObject();
        }), created, created.AddDays(3));

    private static DemoBookmark FunnelBookmark(DemoFunnel funnel) =>
        new(funnel.Id, funnel.Name, "funnels", $"Saved funnel {funnel.Id}: {funnel.Steps.Length} steps, converting within {funnel.Length} {funnel.LengthUnit}(s).",
            Json(w =>
            {
                w.WriteStartObject("sections");
                w.WriteStartArray("show");
                w.WriteStartObject();
                w.WriteStartObject("behavior");
                w.WriteString("type", "funnel");
                w.WriteStartArray("behaviors");
                foreach (var step in funnel.Steps)
                {
                    w.WriteStartObject();
                    w.WriteString("type", "event");
                    w.WriteString("name", step.Event);
                    if (step.Where is not null)
                    {
                        w.WriteString("filter", step.Where);
                    }

                    if (step.Label is not null)
                    {
                        w.WriteString("label", step.Label);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartObject("conversionWindowDuration");
                w.WriteNumber("value", funnel.Length);
                w.WriteString("unit", funnel.LengthUnit);
                w.WriteEndObject();
                w.WriteString("funnelOrder", "loose");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteStartArray("group");
                w.WriteEndArray();
                w.WriteStartArray("filter");
                w.WriteEndArray();
                TimeSection(w, "day", 30);
                w.WriteEndObject();
                w.WriteStartObject("displayOptions");
                w.WriteString("chartType", "funnel-steps");
                w.WriteEndObject();
            }), funnel.Created, funnel.Created.AddDays(1));

    private static void TimeSection(Utf8JsonWriter w, string unit, int lastDays)
    {
        w.WriteStartArray("time");
        w.WriteStartObject();
        w.WriteString("dateRangeType", "in the last");
        w.WriteString("unit", unit);
        w.WriteStartObject("window");
        w.WriteString("unit", "day");
        w.WriteNumber("value", lastDays);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static string Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = DemoEventWriter.WriterOptions.Encoder }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
