using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace MixpanelData.Api;

/// <summary>Mixpanel's Engage endpoint (<c>/api/query/engage</c>): user profiles, a page at a time.</summary>
internal interface IEngageApi
{
    /// <summary><c>POST /engage</c>: one page of profiles. Pages after the first carry the first page's <c>session_id</c> (and are not counted).</summary>
    [Post("/engage")]
    Task<EngagePageAnswer> QueryAsync([Body(BodySerializationMethod.UrlEncoded)] EngageForm form, CancellationToken cancellationToken);
}

/// <summary>The form of one Engage page (null fields are not sent); list fields are sent as JSON arrays, as Mixpanel wants them.</summary>
internal sealed record EngageForm
{
    [AliasAs("where")]
    public string? Where { get; init; }

    [AliasAs("filter_by_cohort")]
    public string? FilterByCohort { get; init; }

    [AliasAs("output_properties")]
    public JsonStringArray? OutputProperties { get; init; }

    [AliasAs("distinct_ids")]
    public JsonStringArray? DistinctIds { get; init; }

    [AliasAs("page")]
    public required int Page { get; init; }

    [AliasAs("session_id")]
    public string? SessionId { get; init; }

    /// <summary>The <c>filter_by_cohort</c> value for a cohort id.</summary>
    public static string Cohort(long id) => "{\"id\":" + id.ToString(CultureInfo.InvariantCulture) + "}";
}

/// <summary>One profile of an Engage page.</summary>
internal sealed record EngageProfile(string DistinctId, DateTimeOffset? LastSeen, JsonElement Properties);

/// <summary>
/// One Engage page: its counts and paging fields, and the page itself (<see cref="Raw"/>, whose <c>results</c> is an
/// array) for the store, which ingests pages as they are.
/// </summary>
[JsonConverter(typeof(Converter))]
internal sealed record EngagePageAnswer(JsonElement Raw, int Count, int PageSize, long? Total, string? SessionId)
{
    /// <summary>The page's profiles, read as they are enumerated.</summary>
    /// <exception cref="InvalidResponseException">A profile has no <c>$distinct_id</c>.</exception>
    public IEnumerable<EngageProfile> Profiles()
    {
        foreach (var profile in Raw.GetProperty("results").EnumerateArray())
        {
            if (profile.ValueKind != JsonValueKind.Object || !profile.TryGetProperty("$distinct_id", out var id) || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                throw new InvalidResponseException("An Engage profile has no $distinct_id.", null, "engage", profile.GetRawText() is { Length: > 200 } raw ? raw[..200] : profile.GetRawText());
            }

            var properties = profile.TryGetProperty("$properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : EmptyObject;
            DateTimeOffset? lastSeen = properties.TryGetProperty("$last_seen", out var seen) && seen.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(seen.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : null;
            yield return new EngageProfile(id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText(), lastSeen, properties);
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    internal sealed class Converter : AnswerConverter<EngagePageAnswer>
    {
        protected override EngagePageAnswer Parse(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("Engage's answer has no \"results\" array.");
            }

            return new EngagePageAnswer(
                root.Clone(),
                results.GetArrayLength(),
                root.TryGetProperty("page_size", out var size) && size.TryGetInt32(out var s) && s > 0 ? s : 1000,
                root.TryGetProperty("total", out var t) && t.TryGetInt64(out var n) ? n : null,
                root.TryGetProperty("session_id", out var session) && session.ValueKind == JsonValueKind.String ? session.GetString() : null);
        }
    }
}
