using MixpanelData.Configuration;

namespace MixpanelData.Tests.Configuration;

public sealed class MixpanelEndpointsTests
{
    [Test]
    public void Validate_PlainHttpWithUserInfo_MessageOmitsUserInfo()
    {
        var ex = Assert.Throws<ArgumentException>(() => MixpanelEndpoints.Validate(new Uri($"http://me:{ConfigSandbox.Secret}@proxy.example/api"), "query"))!;

        Assert.That(ex.Message, Does.Contain("http://proxy.example/api").And.Not.Contain(ConfigSandbox.Secret));
    }
}
