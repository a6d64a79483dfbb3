using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MixpanelData.Tests.Support;

/// <summary>WireMock answers the HTTP tests share: a JSON status with an optional Retry-After, and a slow answer counted on arrival.</summary>
internal static class WireResponses
{
    public static IResponseBuilder Json(int status, string json, string? retryAfter = null)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(json);
        return retryAfter is null ? response : response.WithHeader("Retry-After", retryAfter);
    }

    /// <summary>Answers every request after <paramref name="delay"/> (real time, holding no thread), calling <paramref name="arrived"/> as each arrives (WireMock's log only has answered ones).</summary>
    public static void AnswerSlowly(WireMockServer server, TimeSpan delay, Action arrived) =>
        server.Given(Request.Create().WithPath("/*")).RespondWith(Response.Create().WithCallback(async _ =>
        {
            arrived();
            await Task.Delay(delay);
            return (WireMock.IResponseMessage)new WireMock.ResponseMessage { StatusCode = 200, BodyData = new WireMock.Util.BodyData { BodyAsString = "{}", DetectedBodyType = WireMock.Types.BodyType.String } };
        }));
}
