using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

// The suite's scenarios exercise logging, sampling and the legacy enumNames schema, which the SDK marks deprecated for
// 2026-07-28 (MCP9005) and 2025-11-25 (MCP9001).
#pragma warning disable MCP9001, MCP9005

namespace MixpanelData.Mcp.Hosting.Conformance;

/// <summary>
/// The tools the official conformance suite (<c>@modelcontextprotocol/conformance</c> 0.1.16) calls, each returning
/// what its scenario describes. Served only with <c>--conformance-fixtures</c> (see <see cref="ConformanceFixtures"/>).
/// </summary>
[McpServerToolType]
internal sealed class ConformanceTools
{
    [McpServerTool(Name = "test_simple_text", ReadOnly = true), Description("Conformance fixture: returns one text block.")]
    public static string SimpleText() => "This is a simple text response for testing.";

    [McpServerTool(Name = "test_image_content", ReadOnly = true), Description("Conformance fixture: returns a 1x1 PNG image.")]
    public static ContentBlock ImageContent() => ImageContentBlock.FromBytes(FixtureMedia.Png, "image/png");

    [McpServerTool(Name = "test_audio_content", ReadOnly = true), Description("Conformance fixture: returns a short WAV clip.")]
    public static ContentBlock AudioContent() => AudioContentBlock.FromBytes(FixtureMedia.Wav, "audio/wav");

    [McpServerTool(Name = "test_embedded_resource", ReadOnly = true), Description("Conformance fixture: returns an embedded text resource.")]
    public static ContentBlock EmbeddedResource() => new EmbeddedResourceBlock
    {
        Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." },
    };

    [McpServerTool(Name = "test_multiple_content_types", ReadOnly = true), Description("Conformance fixture: returns text, an image and an embedded resource.")]
    public static IEnumerable<ContentBlock> MultipleContentTypes() =>
    [
        new TextContentBlock { Text = "Multiple content types test:" },
        ImageContentBlock.FromBytes(FixtureMedia.Png, "image/png"),
        new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" },
        },
    ];

    [McpServerTool(Name = "test_tool_with_logging", ReadOnly = true), Description("Conformance fixture: sends three info log notifications, 50 ms apart.")]
    public static async Task<string> WithLogging(McpServer server, CancellationToken cancellationToken)
    {
        string[] messages = ["Tool execution started", "Tool processing data", "Tool execution completed"];
        for (var i = 0; i < messages.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            if (server.LoggingLevel is not { } level || level <= LoggingLevel.Info)
            {
                var message = new LoggingMessageNotificationParams { Level = LoggingLevel.Info, Logger = "conformance", Data = JsonSerializer.SerializeToElement(messages[i], McpJsonUtilities.DefaultOptions) };
                await server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification, message, McpJsonUtilities.DefaultOptions, cancellationToken).ConfigureAwait(false);
            }
        }

        return "Logging tool finished: sent 3 log messages.";
    }

    [McpServerTool(Name = "test_error_handling", ReadOnly = true), Description("Conformance fixture: always fails.")]
    public static string ErrorHandling() => throw new McpException("This tool intentionally returns an error for testing");

    [McpServerTool(Name = "test_tool_with_progress", ReadOnly = true), Description("Conformance fixture: reports progress 0, 50 and 100 of 100, 50 ms apart.")]
    public static async Task<string> WithProgress(IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        foreach (var step in new[] { 0, 50, 100 })
        {
            if (step > 0)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            progress.Report(new ProgressNotificationValue { Progress = step, Total = 100 });
        }

        return "Progress tool finished: reported 0, 50 and 100 of 100.";
    }

    [McpServerTool(Name = "test_sampling", ReadOnly = true), Description("Conformance fixture: asks the client's model through sampling/createMessage.")]
    public static async Task<string> Sampling(McpServer server, [Description("The prompt to send to the LLM.")] string prompt, CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Sampling is null)
        {
            throw new McpException("The client offers no sampling capability.");
        }

        var answer = await server.SampleAsync(
            new CreateMessageRequestParams { Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }], MaxTokens = 100 },
            cancellationToken).ConfigureAwait(false);
        return "LLM response: " + string.Join("\n", answer.Content.OfType<TextContentBlock>().Select(t => t.Text));
    }

    [McpServerTool(Name = "test_elicitation", ReadOnly = true), Description("Conformance fixture: asks the user for a username and an email through elicitation/create.")]
    public static async Task<string> Elicitation(McpServer server, [Description("The message to show the user.")] string message, CancellationToken cancellationToken)
    {
        var schema = new RequestSchema
        {
            Properties = new Dictionary<string, PrimitiveSchemaDefinition>
            {
                ["username"] = new StringSchema { Description = "User's response" },
                ["email"] = new StringSchema { Description = "User's email address" },
            },
            Required = ["username", "email"],
        };
        var result = await ElicitAsync(server, message, schema, cancellationToken).ConfigureAwait(false);
        return $"User response: action={result.Action}, content={Json(result)}";
    }

    [McpServerTool(Name = "test_elicitation_sep1034_defaults", ReadOnly = true), Description("Conformance fixture: an elicitation form with a default for every primitive type (SEP-1034).")]
    public static async Task<string> ElicitationDefaults(McpServer server, CancellationToken cancellationToken)
    {
        var schema = new RequestSchema
        {
            Properties = new Dictionary<string, PrimitiveSchemaDefinition>
            {
                ["name"] = new StringSchema { Description = "Name", Default = "John Doe" },
                ["age"] = new NumberSchema { Type = "integer", Description = "Age", Default = 30 },
                ["score"] = new NumberSchema { Type = "number", Description = "Score", Default = 95.5 },
                ["status"] = new UntitledSingleSelectEnumSchema { Description = "Status", Enum = ["active", "inactive", "pending"], Default = "active" },
                ["verified"] = new BooleanSchema { Description = "Verified", Default = true },
            },
        };
        var result = await ElicitAsync(server, "Please review the defaults and adjust them if needed.", schema, cancellationToken).ConfigureAwait(false);
        return $"Elicitation completed: action={result.Action}, content={Json(result)}";
    }

    [McpServerTool(Name = "test_elicitation_sep1330_enums", ReadOnly = true), Description("Conformance fixture: an elicitation form with the five enum shapes of SEP-1330.")]
    public static async Task<string> ElicitationEnums(McpServer server, CancellationToken cancellationToken)
    {
        var schema = new RequestSchema
        {
            Properties = new Dictionary<string, PrimitiveSchemaDefinition>
            {
                ["untitledSingle"] = new UntitledSingleSelectEnumSchema { Description = "Untitled single choice", Enum = ["option1", "option2", "option3"] },
                ["titledSingle"] = new TitledSingleSelectEnumSchema { Description = "Titled single choice", OneOf = Options("Option") },
                ["legacyEnum"] = new LegacyTitledEnumSchema { Description = "Legacy titled choice", Enum = ["opt1", "opt2", "opt3"], EnumNames = ["Option One", "Option Two", "Option Three"] },
                ["untitledMulti"] = new UntitledMultiSelectEnumSchema { Description = "Untitled multiple choice", Items = new UntitledEnumItemsSchema { Enum = ["option1", "option2", "option3"] } },
                ["titledMulti"] = new TitledMultiSelectEnumSchema { Description = "Titled multiple choice", Items = new TitledEnumItemsSchema { AnyOf = Options("Choice") } },
            },
        };
        var result = await ElicitAsync(server, "Please choose from each list.", schema, cancellationToken).ConfigureAwait(false);
        return $"Elicitation completed: action={result.Action}, content={Json(result)}";
    }

    private static List<EnumSchemaOption> Options(string noun) =>
    [
        new() { Const = "value1", Title = $"First {noun}" },
        new() { Const = "value2", Title = $"Second {noun}" },
        new() { Const = "value3", Title = $"Third {noun}" },
    ];

    private static async Task<ElicitResult> ElicitAsync(McpServer server, string message, RequestSchema schema, CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Elicitation is null)
        {
            throw new McpException("The client offers no elicitation capability.");
        }

        return await server.ElicitAsync(new ElicitRequestParams { Message = message, RequestedSchema = schema }, cancellationToken).ConfigureAwait(false);
    }

    private static string Json(ElicitResult result) =>
        result.Content is null ? "null" : JsonSerializer.Serialize(result.Content, McpJsonUtilities.DefaultOptions);
}
