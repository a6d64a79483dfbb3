using System.Globalization;
using MixpanelData.Configuration;

namespace MixpanelData.Discovery;

/// <summary>
/// Links to saved reports in Mixpanel's web app: <c>https://{host}/project/{project}[/view/{data view}]/app/{page}#report/{id}</c>,
/// the host following the project's region (<c>mixpanel.com</c>, <c>eu.mixpanel.com</c>, <c>in.mixpanel.com</c>). The form
/// is known from Mixpanel's own client libraries, not from a published specification ([C] in the API reference), so
/// only the four report pages that form is known for get a link: insights, funnels, retention and flows. Reports built
/// from ad-hoc queries have no link: their web state is encoded in the URL in a form Mixpanel does not document.
/// </summary>
public static class ReportLinks
{
    /// <summary>The web link to a saved report, or null when its type has no known page (e.g. <c>launch-analysis</c>).</summary>
    /// <param name="region">The project's data residency.</param>
    /// <param name="projectId">The project id.</param>
    /// <param name="bookmarkId">The saved report's (bookmark's) id.</param>
    /// <param name="type">The report type as Mixpanel names it (<c>insights</c>, <c>funnels</c>, …; singular forms too); null means insights.</param>
    /// <param name="workspaceId">The data view the report belongs to, if any.</param>
    public static Uri? SavedReport(MixpanelRegion region, long projectId, long bookmarkId, string? type = null, long? workspaceId = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(projectId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bookmarkId);
        if (Page(type) is not { } page)
        {
            return null;
        }

        var host = region switch
        {
            MixpanelRegion.Eu => "eu.mixpanel.com",
            MixpanelRegion.In => "in.mixpanel.com",
            _ => "mixpanel.com",
        };
        var view = workspaceId is > 0 ? "/view/" + workspaceId.Value.ToString(CultureInfo.InvariantCulture) : string.Empty;
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"https://{host}/project/{projectId}{view}/app/{page}#report/{bookmarkId}"));
    }

    /// <summary>The link to <paramref name="bookmark"/> in a project of <paramref name="region"/> (its own project and data view, else <paramref name="projectId"/>).</summary>
    public static Uri? SavedReport(MixpanelRegion region, long projectId, Bookmark bookmark)
    {
        ArgumentNullException.ThrowIfNull(bookmark);
        return SavedReport(region, bookmark.ProjectId ?? projectId, bookmark.Id, bookmark.Type, bookmark.WorkspaceId);
    }

    private static string? Page(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        null or "" or "insights" or "insight" => "insights",
        "funnels" or "funnel" => "funnels",
        "retention" or "retentions" => "retention",
        "flows" or "flow" => "flows",
        _ => null,
    };
}
