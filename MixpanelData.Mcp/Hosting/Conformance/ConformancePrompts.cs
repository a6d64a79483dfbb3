using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Hosting.Conformance;

/// <summary>The prompts the conformance suite gets (fixtures only).</summary>
[McpServerPromptType]
internal sealed class ConformancePrompts
{
    [McpServerPrompt(Name = "test_simple_prompt"), Description("Conformance fixture: a prompt without arguments.")]
    public static GetPromptResult SimplePrompt() => Messages(new TextContentBlock { Text = "This is a simple prompt for testing." });

    [McpServerPrompt(Name = "test_prompt_with_arguments"), Description("Conformance fixture: a prompt that repeats its two arguments.")]
    public static GetPromptResult WithArguments([Description("First test argument.")] string arg1, [Description("Second test argument.")] string arg2) =>
        Messages(new TextContentBlock { Text = $"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'" });

    [McpServerPrompt(Name = "test_prompt_with_embedded_resource"), Description("Conformance fixture: a prompt that embeds a resource.")]
    public static GetPromptResult WithEmbeddedResource([Description("URI of the resource to embed.")] string resourceUri) => Messages(
        new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = resourceUri, MimeType = "text/plain", Text = "Embedded resource content for testing." } },
        new TextContentBlock { Text = "Please process the embedded resource above." });

    [McpServerPrompt(Name = "test_prompt_with_image"), Description("Conformance fixture: a prompt that carries an image.")]
    public static GetPromptResult WithImage() => Messages(
        ImageContentBlock.FromBytes(FixtureMedia.Png, "image/png"),
        new TextContentBlock { Text = "Please analyze the image above." });

    private static GetPromptResult Messages(params ContentBlock[] contents) =>
        new() { Messages = [.. contents.Select(c => new PromptMessage { Role = Role.User, Content = c })] };
}
