using MixpanelData.Configuration;

namespace MixpanelData.Tests;

public sealed class CredentialsTests
{
    [Test]
    public void ToString_AnyCredentials_NeverContainsSecret()
    {
        var credentials = new Credentials("svc.mp-service-account", "s3cr3t-value", 42, MixpanelRegion.Eu);
        var text = credentials.ToString();
        Assert.That(text, Does.Not.Contain("s3cr3t-value"));
        Assert.That(text, Does.Contain("svc.mp-service-account").And.Contain("42").And.Contain("eu"));
    }
}
