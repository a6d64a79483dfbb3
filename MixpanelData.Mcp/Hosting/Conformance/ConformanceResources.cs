using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Hosting.Conformance;

/// <summary>The resources and the resource template the conformance suite reads and subscribes to (fixtures only).</summary>
[McpServerResourceType]
internal sealed class ConformanceResources
{
    [McpServerResource(UriTemplate = "test://static-text", Name = "test_static_text", MimeType = "text/plain")]
    [Description("Conformance fixture: a static text resource.")]
    public static ResourceContents StaticText() =>
        new TextResourceContents { Uri = "test://static-text", MimeType = "text/plain", Text = "This is the content of the static text resource." };

    [McpServerResource(UriTemplate = "test://static-binary", Name = "test_static_binary", MimeType = "image/png")]
    [Description("Conformance fixture: a static binary resource (a 1x1 PNG).")]
    public static ResourceContents StaticBinary() => BlobResourceContents.FromBytes(FixtureMedia.Png, "test://static-binary", "image/png");

    [McpServerResource(UriTemplate = "test://watched-resource", Name = "test_watched_resource", MimeType = "text/plain")]
    [Description("Conformance fixture: the resource the subscription scenarios subscribe to.")]
    public static ResourceContents Watched() =>
        new TextResourceContents { Uri = "test://watched-resource", MimeType = "text/plain", Text = "Watched resource content." };

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "test_template", MimeType = "application/json")]
    [Description("Conformance fixture: a resource template whose content names its id.")]
    public static ResourceContents Template([Description("Any id.")] string id) => new TextResourceContents
    {
        Uri = $"test://template/{id}/data",
        MimeType = "application/json",
        Text = new JsonObject { ["id"] = id, ["templateTest"] = true, ["data"] = $"Data for ID: {id}" }.ToJsonString(),
    };
}
