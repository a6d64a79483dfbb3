using System.Collections.Immutable;

namespace MixpanelData.Emulation.Demo;

internal enum DemoChannel : byte
{
    Direct,
    Google,
    PaidSocial,
    Referral,
    Newsletter,
}

internal enum DemoPlatform : byte
{
    Web,
    IOS,
    Android,
}

internal enum DemoBrowser : byte
{
    None,
    Chrome,
    Safari,
    Edge,
    Firefox,
    Opera,
}

internal enum DemoPlan : byte
{
    Free,
    Pro,
    Business,
}

internal enum DemoCompanySize : byte
{
    Solo,
    Small,
    Medium,
    Large,
    Enterprise,
}

internal enum DemoBillingPeriod : byte
{
    Monthly,
    Annual,
}

internal sealed record DemoCity(string Name, string Region, int UtcOffsetHours);

internal sealed record DemoCountry(string Code, ImmutableArray<DemoCity> Cities);

/// <summary>
/// The fixed vocabulary of the demo product: names of channels, platforms, places, people and companies.
/// Everything here is immutable; the dataset only indexes into it.
/// </summary>
internal static class DemoVocabulary
{
    public const string ProductName = "Flowboard";

    public const string AppUrl = "https://app.flowboard.example";

    public static readonly ImmutableArray<string> ChannelNames = ["direct", "google", "paid_social", "referral", "newsletter"];

    public static readonly ImmutableArray<string?> ChannelMediums = [null, "cpc", "social", "referral", "email"];

    public static readonly ImmutableArray<ImmutableArray<string>> ChannelCampaigns =
    [
        [],
        ["brand", "competitor", "generic_pm_tools"],
        ["spring_launch", "retargeting", "lookalike_teams"],
        ["invite_credit"],
        ["weekly_digest", "product_update"],
    ];

    public static readonly WeightedTable<DemoChannel> Channels = new(
        (DemoChannel.Direct, 26), (DemoChannel.Google, 24), (DemoChannel.PaidSocial, 22), (DemoChannel.Referral, 16), (DemoChannel.Newsletter, 12));

    public static readonly ImmutableArray<string> PlatformNames = ["web", "iOS", "Android"];

    public static readonly WeightedTable<DemoPlatform> Platforms = new(
        (DemoPlatform.Web, 60), (DemoPlatform.IOS, 23), (DemoPlatform.Android, 17));

    public static readonly ImmutableArray<string> BrowserNames = ["", "Chrome", "Safari", "Microsoft Edge", "Firefox", "Opera"];

    public static readonly WeightedTable<DemoBrowser> Browsers = new(
        (DemoBrowser.Chrome, 56), (DemoBrowser.Safari, 21), (DemoBrowser.Edge, 12), (DemoBrowser.Firefox, 9), (DemoBrowser.Opera, 2));

    /// <summary>Major versions per browser; a user keeps one for the whole window.</summary>
    public static readonly ImmutableArray<ImmutableArray<int>> BrowserVersions =
    [
        [],
        [137, 138, 139, 140],
        [17, 18],
        [137, 138, 139],
        [139, 140, 141],
        [119, 120],
    ];

    public static readonly WeightedTable<string> ChromeOperatingSystems = new(("Windows", 55), ("Mac OS X", 30), ("Linux", 7), ("Chrome OS", 8));

    public static readonly WeightedTable<string> FirefoxOperatingSystems = new(("Windows", 60), ("Mac OS X", 20), ("Linux", 20));

    public static readonly WeightedTable<string> IosDevices = new(("iPhone", 85), ("iPad", 15));

    public static readonly WeightedTable<string> AndroidModels = new(
        ("Pixel 8", 18), ("Pixel 9", 12), ("SM-S921B", 20), ("SM-A546B", 22), ("CPH2449", 10), ("M2101K6G", 18));

    public static readonly ImmutableArray<string> PlanNames = ["free", "pro", "business"];

    /// <summary>Monthly list price in USD per plan.</summary>
    public static readonly ImmutableArray<int> MonthlyPrice = [0, 29, 99];

    /// <summary>Annual price in USD per plan (two months free).</summary>
    public static readonly ImmutableArray<int> AnnualPrice = [0, 290, 990];

    public static readonly ImmutableArray<string> BillingPeriodNames = ["monthly", "annual"];

    public static readonly ImmutableArray<string> CompanySizeNames = ["1-10", "11-50", "51-200", "201-1000", "1000+"];

    public static readonly WeightedTable<DemoCompanySize> CompanySizes = new(
        (DemoCompanySize.Solo, 35), (DemoCompanySize.Small, 30), (DemoCompanySize.Medium, 18), (DemoCompanySize.Large, 11), (DemoCompanySize.Enterprise, 6));

    public static readonly WeightedTable<DemoCountry> Countries = new(
        (new DemoCountry("US", [new("New York", "New York", -5), new("San Francisco", "California", -8), new("Austin", "Texas", -6), new("Chicago", "Illinois", -6), new("Seattle", "Washington", -8), new("Boston", "Massachusetts", -5), new("Los Angeles", "California", -8), new("Denver", "Colorado", -7)]), 38),
        (new DemoCountry("GB", [new("London", "England", 0), new("Manchester", "England", 0), new("Edinburgh", "Scotland", 0), new("Bristol", "England", 0)]), 9),
        (new DemoCountry("DE", [new("Berlin", "Berlin", 1), new("Munich", "Bavaria", 1), new("Hamburg", "Hamburg", 1)]), 8),
        (new DemoCountry("IN", [new("Bengaluru", "Karnataka", 5), new("Mumbai", "Maharashtra", 5), new("Delhi", "Delhi", 5), new("Pune", "Maharashtra", 5)]), 9),
        (new DemoCountry("CA", [new("Toronto", "Ontario", -5), new("Vancouver", "British Columbia", -8), new("Montréal", "Quebec", -5)]), 5),
        (new DemoCountry("FR", [new("Paris", "Île-de-France", 1), new("Lyon", "Auvergne-Rhône-Alpes", 1)]), 5),
        (new DemoCountry("BR", [new("São Paulo", "São Paulo", -3), new("Rio de Janeiro", "Rio de Janeiro", -3)]), 5),
        (new DemoCountry("AU", [new("Sydney", "New South Wales", 10), new("Melbourne", "Victoria", 10)]), 5),
        (new DemoCountry("NL", [new("Amsterdam", "North Holland", 1), new("Rotterdam", "South Holland", 1)]), 3),
        (new DemoCountry("ES", [new("Madrid", "Madrid", 1), new("Barcelona", "Catalonia", 1)]), 3),
        (new DemoCountry("JP", [new("Tokyo", "Tokyo", 9), new("Osaka", "Osaka", 9)]), 3),
        (new DemoCountry("SG", [new("Singapore", "Singapore", 8)]), 2),
        (new DemoCountry("SE", [new("Stockholm", "Stockholm", 1)]), 2),
        (new DemoCountry("MX", [new("Mexico City", "Mexico City", -6), new("Guadalajara", "Jalisco", -6)]), 3));

    public static readonly ImmutableArray<string> FirstNames =
    [
        "Ava", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Sofia", "Lucas", "Mia", "Ethan", "Amara", "Kenji", "Priya", "Arjun",
        "Chloe", "Leo", "Zara", "Omar", "Hannah", "Diego", "Yuki", "Ingrid", "Felix", "Nora", "Samuel", "Isla", "Rafael", "Maya",
        "Jonas", "Aisha", "Elena", "Marcus", "Lena", "Tomás", "Grace", "Victor", "Anika", "Daniel", "Freya", "Hugo", "Rosa", "Kai",
        "Julia", "Ravi", "Clara", "Theo", "Nadia", "Oscar", "Ines", "Max",
    ];

    public static readonly ImmutableArray<string> LastNames =
    [
        "Smith", "Johnson", "Garcia", "Chen", "Patel", "Müller", "Rossi", "Kim", "Nguyen", "Silva", "Martin", "Brown", "Tanaka",
        "Kowalski", "Andersson", "Dubois", "Okafor", "Singh", "López", "Schmidt", "Cohen", "Walker", "Haddad", "Novak", "Fischer",
        "Costa", "Murphy", "Ivanova", "Sato", "Jensen", "Moreau", "Khan", "Park", "Weber", "Ali", "Bianchi", "Reyes", "Evans",
        "Lindqvist", "Mensah",
    ];

    public static readonly ImmutableArray<string> CompanyWords1 =
    [
        "Blue", "North", "Bright", "Quiet", "Iron", "Silver", "Amber", "Cedar", "Harbor", "Summit", "Maple", "Copper", "Lumen",
        "Orbit", "Pixel", "Signal", "Granite", "Vector", "Willow", "Atlas", "Nimbus", "Coral", "Echo", "Falcon", "Juniper",
    ];

    public static readonly ImmutableArray<string> CompanyWords2 =
    [
        "Labs", "Works", "Studio", "Systems", "Health", "Logistics", "Analytics", "Foods", "Robotics", "Media", "Capital",
        "Software", "Energy", "Design", "Cloud", "Bio", "Partners", "Retail", "Games", "Mobility",
    ];

    public static readonly ImmutableArray<string> Roles = ["engineer", "product manager", "designer", "marketing", "founder", "operations"];

    public static readonly WeightedTable<int> RoleWeights = new((0, 35), (1, 20), (2, 10), (3, 12), (4, 10), (5, 13));

    public static readonly ImmutableArray<string> SignupMethods = ["email", "google", "github"];

    public static readonly WeightedTable<int> SignupMethodWeights = new((0, 55), (1, 35), (2, 10));

    public static readonly ImmutableArray<string> ProjectTemplates = ["blank", "kanban", "roadmap", "sprint", "bug_tracker"];

    public static readonly ImmutableArray<string> ReportTypes = ["burndown", "velocity", "workload", "cycle_time", "status_overview"];

    public static readonly ImmutableArray<string> ExportFormats = ["csv", "pdf", "xlsx"];

    public static readonly ImmutableArray<string> InviteRoles = ["editor", "viewer", "admin"];

    public static readonly ImmutableArray<string> CancelReasons = ["too_expensive", "missing_features", "switched_tool", "project_ended"];

    public static readonly ImmutableArray<string> PaymentFailureReasons = ["card_declined", "insufficient_funds", "expired_card"];
}
