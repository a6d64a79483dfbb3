namespace MixpanelData.Emulation.Demo;

/// <summary>One demo event: its name, time and ids, and the full <c>properties</c> object as export JSON.</summary>
/// <param name="Name">The event name, e.g. <c>Sign Up</c>.</param>
/// <param name="Time">Unix time in seconds (UTC), as <c>properties.time</c>.</param>
/// <param name="DistinctId">The user's <c>distinct_id</c>.</param>
/// <param name="InsertId">The event's <c>$insert_id</c>, unique in the dataset.</param>
/// <param name="PropertiesJson">The <c>properties</c> object exactly as the export line carries it.</param>
internal sealed record DemoEvent(string Name, long Time, string DistinctId, string InsertId, string PropertiesJson);
