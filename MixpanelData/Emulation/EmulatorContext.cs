using System.Net;
using MixpanelData.Analytics;

namespace MixpanelData.Emulation;

/// <summary>What every endpoint of the emulator needs: the project, the options, the engine, and today's date.</summary>
internal sealed class EmulatorContext(EmulatorProject project, EmulatorOptions options)
{
    public EmulatorProject Project { get; } = project;

    public EmulatorOptions Options { get; } = options;

    public LocalAnalytics Analytics { get; } = new(project.Store) { ProfilesTable = project.ProfilesTable };

    public DateOnly Today => DateOnly.FromDateTime(Options.TimeProvider.GetUtcNow().UtcDateTime);

    /// <summary>Reads <c>from_date</c>/<c>to_date</c> and checks them as Mixpanel does.</summary>
    public (DateOnly From, DateOnly To) Range(EmulatorRequest request, bool export = false)
    {
        var from = request.Date("from_date");
        var to = request.Date("to_date");
        if (export && to > Today)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "to_date cannot be later than today");
        }

        if (to < from)
        {
            throw new EmulatorError(HttpStatusCode.BadRequest, "to_date cannot be earlier than from_date");
        }

        if (Options.MaxHistoryDays is { } days && from < Today.AddDays(-days))
        {
            throw new EmulatorError(HttpStatusCode.Forbidden, $"Date range exceeds {days} days into the past");
        }

        return (from, to);
    }
}
