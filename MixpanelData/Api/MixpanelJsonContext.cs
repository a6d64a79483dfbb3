using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixpanelData.Api;

/// <summary>Source-generated System.Text.Json metadata of every answer record the Api interfaces return.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(SeriesAnswer))]
[JsonSerializable(typeof(AggregateAnswer))]
[JsonSerializable(typeof(FunnelAnswer))]
[JsonSerializable(typeof(RetentionAnswer))]
[JsonSerializable(typeof(FrequencyAnswer))]
[JsonSerializable(typeof(ActivityAnswer))]
[JsonSerializable(typeof(InsightsAnswer))]
[JsonSerializable(typeof(JqlAnswer))]
[JsonSerializable(typeof(JqlForm))]
[JsonSerializable(typeof(TextListAnswer))]
[JsonSerializable(typeof(PropertyCountsAnswer))]
[JsonSerializable(typeof(FunnelListAnswer))]
[JsonSerializable(typeof(CohortListAnswer))]
[JsonSerializable(typeof(TopEventsAnswer))]
[JsonSerializable(typeof(BookmarkListAnswer))]
[JsonSerializable(typeof(SchemaListAnswer))]
[JsonSerializable(typeof(SchemaAnswer))]
[JsonSerializable(typeof(MeAnswer))]
[JsonSerializable(typeof(EngagePageAnswer))]
[JsonSerializable(typeof(EngageForm))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class MixpanelJsonContext : JsonSerializerContext;
