using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace MixpanelData.Mcp.Hosting.Conformance;

/// <summary>
/// The fixtures of the official conformance suite (<c>@modelcontextprotocol/conformance</c>), registered beside the
/// real tools through the same SDK registration, filters and endpoint, so the suite's tool, resource, prompt and
/// completion scenarios run against this server. Only <c>mp_mcp --demo --conformance-fixtures</c> adds them (a hidden
/// option, refused without <c>--demo</c>); docs/http-deployment.md describes the run.
/// </summary>
internal static class ConformanceFixtures
{
    // Argument values the completion fixture offers, filtered by what the client has typed.
    private static readonly string[] Suggestions = ["test", "testing", "test-value", "hello", "world"];

    public static IMcpServerBuilder AddConformanceFixtures(this IMcpServerBuilder builder) => builder
        .WithDeferredTools<ConformanceTools>()
        .WithDeferredResources<ConformanceResources>()
        .WithDeferredPrompts<ConformancePrompts>()
        .WithCompleteHandler((context, _) =>
        {
            var typed = context.Params?.Argument.Value ?? string.Empty;
            var values = Suggestions.Where(s => s.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToList();
            return ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = values, Total = values.Count, HasMore = false } });
        });
}
