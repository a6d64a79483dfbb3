using System.Net;
using MixpanelData.Queries;

namespace MixpanelData.Emulation;

/// <summary>Routes Query API requests (both <c>/api/query</c> and <c>/api/2.0</c>) to their endpoint.</summary>
internal sealed class QueryEndpoints(EmulatorContext context)
{
    private readonly SegmentationEndpoints _segmentation = new(context);
    private readonly EventEndpoints _events = new(context);
    private readonly FunnelEndpoints _funnels = new(context);
    private readonly RetentionEndpoints _retention = new(context);
    private readonly EngageEndpoint _engage = new(context);
    private readonly ReportEndpoints _reports = new(context);

    public Task<HttpResponseMessage> AnswerAsync(EmulatorRequest request, CancellationToken cancellationToken) => request.Route switch
    {
        "segmentation" => _segmentation.SegmentationAsync(request, cancellationToken),
        "segmentation/numeric" => _segmentation.NumericAsync(request, cancellationToken),
        "segmentation/sum" => _segmentation.SumAsync(request, average: false, cancellationToken),
        "segmentation/average" => _segmentation.SumAsync(request, average: true, cancellationToken),
        "events" => _events.CountsAsync(request, cancellationToken),
        "events/top" => _events.TopAsync(request, cancellationToken),
        "events/names" => _events.NamesAsync(request, cancellationToken),
        "events/properties" => _events.PropertyCountsAsync(request, cancellationToken),
        "events/properties/top" => _events.TopPropertiesAsync(request, cancellationToken),
        "events/properties/values" => _events.PropertyValuesAsync(request, cancellationToken),
        "funnels" => _funnels.FunnelAsync(request, cancellationToken),
        "funnels/list" => Task.FromResult(_funnels.List()),
        "retention" => _retention.RetentionAsync(request, cancellationToken),
        "retention/addiction" => _retention.FrequencyAsync(request, cancellationToken),
        "engage" => _engage.AnswerAsync(request, cancellationToken),
        "cohorts/list" => _engage.CohortsAsync(cancellationToken),
        "stream/query" => _reports.StreamAsync(request, cancellationToken),
        "insights" => _reports.InsightsAsync(request, cancellationToken),
        "jql" => Task.FromResult(ReportEndpoints.Jql(request)),
        _ => throw new EmulatorError(HttpStatusCode.NotFound, $"Unknown endpoint: {request.Route}"),
    };

    public static CountType Type(EmulatorRequest request, bool required = false)
    {
        var text = required ? request.Required("type") : request.Optional("type");
        if (text is null)
        {
            return CountType.General;
        }

        return QueryNames.TryParseCountType(text, out var type)
            ? type
            : throw new EmulatorError(HttpStatusCode.BadRequest, $"type must be one of general, unique, average (got '{text}')");
    }

    public static TimeUnit Unit(EmulatorRequest request, TimeUnit fallback, bool required = false, params TimeUnit[] allowed)
    {
        var text = required ? request.Required("unit") : request.Optional("unit");
        return Unit(text, "unit", fallback, allowed);
    }

    public static TimeUnit Unit(string? text, string name, TimeUnit fallback, params TimeUnit[] allowed)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!QueryNames.TryParseTimeUnit(text, out var unit) || (allowed.Length > 0 && !allowed.Contains(unit)))
        {
            var names = allowed.Length > 0 ? allowed : Enum.GetValues<TimeUnit>();
            throw new EmulatorError(HttpStatusCode.BadRequest, $"{name} must be one of {string.Join(", ", names.Select(u => u.ToWire()))} (got '{text}')");
        }

        return unit;
    }
}
