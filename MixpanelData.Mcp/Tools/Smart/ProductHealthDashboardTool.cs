using System.ComponentModel;
using System.Globalization;
using MixpanelData.Insights;
using MixpanelData.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary><c>product_health_dashboard</c>: maps <see cref="InsightsClient.ProductHealthAsync"/>, and asks the client's model for a narrative when offered.</summary>
[McpServerToolType]
[Toolset("composed")]
internal sealed class ProductHealthDashboardTool(WorkspaceHolder workspaces, TimeProvider time)
{
    [McpServerTool(Name = "product_health_dashboard", ReadOnly = true, Idempotent = true, OpenWorld = true), Spends("query")]
    [Description("AARRR health over a period vs the previous equal period: acquisition (sign-up event), activation (event most new users do on sign-up day or the next), D1/D7/D30 retention born on sign-up, revenue (sum of a purchase amount), referral (invites), and a 0-100 health score with documented rules. Events chosen from the project's real events or given. Spends at most budget Query API calls. Narrative via client sampling when offered.")]
    public async Task<CallToolResult> Dashboard(
        McpServer server,
        [Description("First day, YYYY-MM-DD; default 30 days before to_date.")] string? from_date = null,
        [Description("Last day, YYYY-MM-DD; default yesterday (UTC).")] string? to_date = null,
        [Description("Sign-up event; default the sign-up-like event.")] string? acquisition_event = null,
        [Description("Activation event; default chosen by evidence.")] string? activation_event = null,
        [Description("Most Query API calls to spend (4-30).")] int budget = 12,
        CancellationToken cancellationToken = default)
    {
        Guard.Range(budget, 4, 30, "budget");
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var lastDay = today.AddDays(-1);
        var (from, to) = Guard.Range(from_date, to_date ?? lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today);
        var h = await workspaces.Current.Insights.ProductHealthAsync(new ProductHealthRequest(from, to) { AcquisitionEvent = acquisition_event, ActivationEvent = activation_event, Budget = budget }, cancellationToken).ConfigureAwait(false);
        var narrative = await SmartOutput.NarrateAsync(server, h.Findings, cancellationToken).ConfigureAwait(false);
        var value = new
        {
            period = new { from = Day(h.From), to = Day(h.To), previous_from = Day(h.PreviousFrom), previous_to = Day(h.PreviousTo) },
            events = new
            {
                acquisition = h.Acquisition,
                activation = h.Activation,
                activation_evidence = h.ActivationEvidence.Select(e => new { e.Event, share_of_new_users = SmartOutput.Round(e.ShareOfNewUsers, 4), e.Error }),
                revenue = h.RevenueSource,
                referral = h.Referral,
            },
            health_score = h.Score.Score,
            h.Score.Label,
            h.Score.Flags,
            pillars = h.Pillars.Select(p => new
            {
                p.Pillar,
                p.Score,
                p.Note,
                metrics = p.Metrics.Select(m => new { m.Name, current = SmartOutput.Round(m.Current, 4), previous = SmartOutput.Round(m.Previous, 4), change = SmartOutput.Round(m.Change, 4), m.Detail }),
            }),
            rules = ProductHealthReport.Rules,
            budget = h.Spend,
            narrative = SmartOutput.Shape(narrative),
        };
        return ToolJson.Result(value, SmartOutput.Summary(h.Findings, narrative));
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
