using System.Collections.Immutable;
using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>The events of the demo product; <see cref="DemoEventNames"/> holds their Mixpanel names.</summary>
internal enum DemoEventKind : byte
{
    PageView,
    SignUp,
    Login,
    CreateProject,
    InviteTeammate,
    UpgradePlan,
    Purchase,
    PaymentFailed,
    RunReport,
    Search,
    ExportReport,
    CancelSubscription,
    Logout,
}

/// <summary>Pages (web) and screens (mobile) of the product, tracked as <c>page</c> on Page View.</summary>
internal enum DemoPage : byte
{
    None,
    Home,
    Pricing,
    Signup,
    Onboarding,
    Dashboard,
    Projects,
    Project,
    Reports,
    Settings,
    Billing,
    Team,
    Integrations,
    Docs,
}

internal static class DemoEventNames
{
    public static readonly ImmutableArray<string> Names =
    [
        "Page View", "Sign Up", "Login", "Create Project", "Invite Teammate", "Upgrade Plan", "Purchase", "Payment Failed",
        "Run Report", "Search", "Export Report", "Cancel Subscription", "Logout",
    ];

    public static readonly ImmutableArray<JsonEncodedText> Encoded = [.. Names.Select(n => JsonEncodedText.Encode(n))];

    public static readonly ImmutableArray<string> PagePaths =
    [
        "", "/", "/pricing", "/signup", "/onboarding", "/dashboard", "/projects", "/project", "/reports", "/settings", "/billing",
        "/team", "/integrations", "/docs",
    ];

    public static readonly ImmutableArray<JsonEncodedText> EncodedPagePaths = [.. PagePaths.Select(p => JsonEncodedText.Encode(p))];

    public static readonly ImmutableArray<JsonEncodedText> EncodedPageUrls = [.. PagePaths.Select(p => JsonEncodedText.Encode(DemoVocabulary.AppUrl + p))];

    /// <summary>Pages visited while working, with relative weights.</summary>
    public static readonly WeightedTable<DemoPage> BrowsingPages = new(
        (DemoPage.Dashboard, 30), (DemoPage.Projects, 18), (DemoPage.Project, 25), (DemoPage.Reports, 10), (DemoPage.Settings, 4),
        (DemoPage.Team, 5), (DemoPage.Integrations, 3), (DemoPage.Docs, 3), (DemoPage.Pricing, 2));
}
