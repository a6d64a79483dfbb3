using System.Buffers;
using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>
/// Writes events in the shape of Mixpanel's raw export: one <c>{"event": …, "properties": {…}}</c> object per
/// line. Every name and fixed value is encoded once up front; the hot path only copies bytes and numbers.
/// </summary>
internal sealed class DemoEventWriter
{
    /// <summary>Unescaped UTF-8 (e.g. <c>São Paulo</c>), like Mixpanel's export.</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonEncodedText Event = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText Properties = JsonEncodedText.Encode("properties");
    private static readonly JsonEncodedText TimeName = JsonEncodedText.Encode("time");
    private static readonly JsonEncodedText DistinctId = JsonEncodedText.Encode("distinct_id");
    private static readonly JsonEncodedText InsertId = JsonEncodedText.Encode("$insert_id");
    private static readonly JsonEncodedText Browser = JsonEncodedText.Encode("$browser");
    private static readonly JsonEncodedText BrowserVersion = JsonEncodedText.Encode("$browser_version");
    private static readonly JsonEncodedText CurrentUrl = JsonEncodedText.Encode("$current_url");
    private static readonly JsonEncodedText Os = JsonEncodedText.Encode("$os");
    private static readonly JsonEncodedText Device = JsonEncodedText.Encode("$device");
    private static readonly JsonEncodedText Model = JsonEncodedText.Encode("$model");
    private static readonly JsonEncodedText City = JsonEncodedText.Encode("$city");
    private static readonly JsonEncodedText Region = JsonEncodedText.Encode("$region");
    private static readonly JsonEncodedText CountryCode = JsonEncodedText.Encode("mp_country_code");
    private static readonly JsonEncodedText Platform = JsonEncodedText.Encode("platform");
    private static readonly JsonEncodedText AppVersion = JsonEncodedText.Encode("app_version");
    private static readonly JsonEncodedText Lib = JsonEncodedText.Encode("mp_lib");
    private static readonly JsonEncodedText Plan = JsonEncodedText.Encode("plan");
    private static readonly JsonEncodedText FromPlan = JsonEncodedText.Encode("from_plan");
    private static readonly JsonEncodedText UtmSource = JsonEncodedText.Encode("utm_source");
    private static readonly JsonEncodedText UtmMedium = JsonEncodedText.Encode("utm_medium");
    private static readonly JsonEncodedText UtmCampaign = JsonEncodedText.Encode("utm_campaign");
    private static readonly JsonEncodedText Page = JsonEncodedText.Encode("page");
    private static readonly JsonEncodedText ProjectId = JsonEncodedText.Encode("project_id");
    private static readonly JsonEncodedText Template = JsonEncodedText.Encode("template");
    private static readonly JsonEncodedText InviteeRole = JsonEncodedText.Encode("invitee_role");
    private static readonly JsonEncodedText SignupMethod = JsonEncodedText.Encode("signup_method");
    private static readonly JsonEncodedText LoginMethod = JsonEncodedText.Encode("login_method");
    private static readonly JsonEncodedText Amount = JsonEncodedText.Encode("amount");
    private static readonly JsonEncodedText Revenue = JsonEncodedText.Encode("revenue");
    private static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
    private static readonly JsonEncodedText Usd = JsonEncodedText.Encode("USD");
    private static readonly JsonEncodedText BillingPeriod = JsonEncodedText.Encode("billing_period");
    private static readonly JsonEncodedText BillingReason = JsonEncodedText.Encode("billing_reason");
    private static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText ReportType = JsonEncodedText.Encode("report_type");
    private static readonly JsonEncodedText ResultsCount = JsonEncodedText.Encode("results_count");
    private static readonly JsonEncodedText Format = JsonEncodedText.Encode("format");
    private static readonly JsonEncodedText ProcessingTime = JsonEncodedText.Encode("mp_processing_time_ms");
    private static readonly ImmutableArray<JsonEncodedText> Libs = Encode(["web", "swift", "android"]);
    private static readonly JsonEncodedText ServerLib = JsonEncodedText.Encode("node");
    private static readonly ImmutableArray<JsonEncodedText> BillingReasons = Encode(["new", "renewal"]);
    private static readonly ImmutableArray<JsonEncodedText> Platforms = Encode(DemoVocabulary.PlatformNames);
    private static readonly ImmutableArray<JsonEncodedText> Browsers = Encode(DemoVocabulary.BrowserNames);
    private static readonly ImmutableArray<JsonEncodedText> Plans = Encode(DemoVocabulary.PlanNames);
    private static readonly ImmutableArray<JsonEncodedText> Periods = Encode(DemoVocabulary.BillingPeriodNames);
    private static readonly ImmutableArray<JsonEncodedText> Channels = Encode(DemoVocabulary.ChannelNames);
    private static readonly ImmutableArray<JsonEncodedText> Templates = Encode(DemoVocabulary.ProjectTemplates);
    private static readonly ImmutableArray<JsonEncodedText> InviteRoles = Encode(DemoVocabulary.InviteRoles);
    private static readonly ImmutableArray<JsonEncodedText> SignupMethods = Encode(DemoVocabulary.SignupMethods);
    private static readonly ImmutableArray<JsonEncodedText> ReportTypes = Encode(DemoVocabulary.ReportTypes);
    private static readonly ImmutableArray<JsonEncodedText> ExportFormats = Encode(DemoVocabulary.ExportFormats);
    private static readonly ImmutableArray<JsonEncodedText> CancelReasons = Encode(DemoVocabulary.CancelReasons);
    private static readonly ImmutableArray<JsonEncodedText> FailureReasons = Encode(DemoVocabulary.PaymentFailureReasons);

    private readonly IReadOnlyList<DemoUser> _users;
    private readonly DemoReleases _releases;
    private readonly ulong _insertSeed;

    public DemoEventWriter(DemoDatasetOptions options, IReadOnlyList<DemoUser> users, DemoReleases releases)
    {
        _users = users;
        _releases = releases;
        _insertSeed = DemoRandom.Mix((ulong)(uint)options.Seed ^ 0x94D049BB133111EBUL);
    }

    /// <summary>Writes <c>{"event":…,"properties":{…}}</c> without a trailing newline.</summary>
    public void WriteLine(Utf8JsonWriter writer, in DemoEventRecord e)
    {
        writer.WriteStartObject();
        writer.WriteString(Event, DemoEventNames.Encoded[(int)e.Kind]);
        writer.WritePropertyName(Properties);
        WriteProperties(writer, e);
        writer.WriteEndObject();
    }

    /// <summary>Writes the <c>properties</c> object of an event.</summary>
    public void WriteProperties(Utf8JsonWriter writer, in DemoEventRecord e)
    {
        var user = _users[e.User];
        writer.WriteStartObject();
        writer.WriteNumber(TimeName, e.Time);
        writer.WriteString(DistinctId, user.DistinctIdJson);
        Span<byte> insertId = stackalloc byte[32];
        FormatInsertId(e, insertId);
        writer.WriteString(InsertId, insertId);

        if (e.Server)
        {
            writer.WriteString(CountryCode, user.Country.Code);
            writer.WriteString(Lib, ServerLib);
        }
        else
        {
            if (user.Platform == DemoPlatform.Web)
            {
                writer.WriteString(Browser, Browsers[(int)user.Browser]);
                writer.WriteNumber(BrowserVersion, user.BrowserVersion);
                if (e.Kind == DemoEventKind.PageView)
                {
                    writer.WriteString(CurrentUrl, DemoEventNames.EncodedPageUrls[(int)e.Page]);
                }

                writer.WriteString(Os, user.Os);
            }
            else
            {
                writer.WriteString(Os, user.Os);
                writer.WriteString(Device, user.Device);
                if (user.Model is not null)
                {
                    writer.WriteString(Model, user.Model);
                }
            }

            writer.WriteString(City, user.City.Name);
            writer.WriteString(Region, user.City.Region);
            writer.WriteString(CountryCode, user.Country.Code);
            writer.WriteString(Platform, Platforms[(int)user.Platform]);
            writer.WriteString(AppVersion, _releases.Encoded[e.Version]);
            writer.WriteString(Lib, Libs[(int)user.Platform]);
        }

        writer.WriteString(Plan, Plans[(int)e.Plan]);
        if (e.Acquisition)
        {
            writer.WriteString(UtmSource, Channels[(int)user.Channel]);
            var medium = DemoVocabulary.ChannelMediums[(int)user.Channel];
            if (medium is not null)
            {
                writer.WriteString(UtmMedium, medium);
            }

            if (user.Campaign >= 0)
            {
                writer.WriteString(UtmCampaign, DemoVocabulary.ChannelCampaigns[(int)user.Channel][user.Campaign]);
            }
        }

        WriteEventSpecific(writer, e);
        writer.WriteNumber(ProcessingTime, (e.Time * 1000) + e.ProcessingDelayMs);
        writer.WriteEndObject();
    }

    /// <summary>The event's <c>$insert_id</c> as a string.</summary>
    public string InsertIdOf(in DemoEventRecord e)
    {
        Span<byte> bytes = stackalloc byte[32];
        FormatInsertId(e, bytes);
        return System.Text.Encoding.ASCII.GetString(bytes);
    }

    private static void WriteEventSpecific(Utf8JsonWriter writer, in DemoEventRecord e)
    {
        switch (e.Kind)
        {
            case DemoEventKind.PageView:
                writer.WriteString(Page, DemoEventNames.EncodedPagePaths[(int)e.Page]);
                if (e.ProjectId != 0)
                {
                    writer.WriteNumber(ProjectId, e.ProjectId);
                }

                break;
            case DemoEventKind.SignUp:
                writer.WriteString(SignupMethod, SignupMethods[e.Variant]);
                break;
            case DemoEventKind.Login:
                writer.WriteString(LoginMethod, SignupMethods[e.Variant]);
                break;
            case DemoEventKind.CreateProject:
                writer.WriteNumber(ProjectId, e.ProjectId);
                writer.WriteString(Template, Templates[e.Variant]);
                break;
            case DemoEventKind.InviteTeammate:
                writer.WriteNumber(ProjectId, e.ProjectId);
                writer.WriteString(InviteeRole, InviteRoles[e.Variant]);
                break;
            case DemoEventKind.UpgradePlan:
                writer.WriteString(FromPlan, Plans[(int)e.FromPlan]);
                writer.WriteNumber(Amount, Price(e.Plan, e.Period));
                writer.WriteString(BillingPeriod, Periods[(int)e.Period]);
                break;
            case DemoEventKind.Purchase:
                writer.WriteNumber(Revenue, Price(e.Plan, e.Period));
                writer.WriteString(Currency, Usd);
                writer.WriteString(BillingPeriod, Periods[(int)e.Period]);
                writer.WriteString(BillingReason, BillingReasons[e.Variant]);
                break;
            case DemoEventKind.PaymentFailed:
                writer.WriteNumber(Amount, Price(e.Plan, e.Period));
                writer.WriteString(Reason, FailureReasons[e.Variant]);
                break;
            case DemoEventKind.RunReport:
                writer.WriteString(ReportType, ReportTypes[e.Variant]);
                break;
            case DemoEventKind.Search:
                writer.WriteNumber(ResultsCount, e.Number);
                break;
            case DemoEventKind.ExportReport:
                writer.WriteString(Format, ExportFormats[e.Variant]);
                break;
            case DemoEventKind.CancelSubscription:
                writer.WriteString(Reason, CancelReasons[e.Variant]);
                break;
        }
    }

    private static int Price(DemoPlan plan, DemoBillingPeriod period) =>
        period == DemoBillingPeriod.Annual ? DemoVocabulary.AnnualPrice[(int)plan] : DemoVocabulary.MonthlyPrice[(int)plan];

    /// <summary>
    /// 32 lowercase hex digits. The first 16 are a bijection of (day, user, position) keyed by the seed, so
    /// ids never collide within a dataset; the rest only make the id look like Mixpanel's random ones.
    /// </summary>
    private void FormatInsertId(in DemoEventRecord e, Span<byte> destination)
    {
        var key = ((ulong)(uint)e.Day << 56) | ((ulong)(uint)e.User << 16) | (uint)(e.Sequence & 0xFFFF);
        var high = DemoRandom.Mix(key ^ _insertSeed);
        var low = DemoRandom.Mix(high ^ 0xD6E8FEB86659FD93UL);
        Hex(high, destination[..16]);
        Hex(low, destination[16..]);
    }

    private static void Hex(ulong value, Span<byte> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            var nibble = (int)(value & 0xF);
            destination[i] = (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            value >>= 4;
        }
    }

    private static ImmutableArray<JsonEncodedText> Encode(IEnumerable<string> values) => [.. values.Select(v => JsonEncodedText.Encode(v))];

    /// <summary>A reusable line buffer: one writer, reset per line.</summary>
    public sealed class LineBuffer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
        private readonly Utf8JsonWriter _writer;

        public LineBuffer() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

        public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

        public int Count => _buffer.WrittenCount;

        public void Clear() => _buffer.ResetWrittenCount();

        public void AppendLine(DemoEventWriter events, in DemoEventRecord e)
        {
            _writer.Reset(_buffer);
            events.WriteLine(_writer, e);
            _writer.Flush();
            _buffer.Write("\n"u8);
        }

        public void AppendProperties(DemoEventWriter events, in DemoEventRecord e)
        {
            _writer.Reset(_buffer);
            events.WriteProperties(_writer, e);
            _writer.Flush();
        }
    }
}
