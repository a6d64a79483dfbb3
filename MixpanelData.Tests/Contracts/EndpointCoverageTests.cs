using System.Reflection;
using System.Text.RegularExpressions;
using MixpanelData.Api;
using MixpanelData.Tests.Packaging;
using Refit;

namespace MixpanelData.Tests.Contracts;

/// <summary>
/// Every method of the Api interfaces has a contract test here: some test of this folder answers its HTTP method and
/// path on the WireMock server (<see cref="MixpanelWire.Answer"/>). A new endpoint without a contract test fails this.
/// </summary>
public sealed partial class EndpointCoverageTests
{
    [GeneratedRegex("""Answer(?:Bytes)?\("(?<method>GET|POST)", "(?<path>/api/[^"?]*)""")]
    private static partial Regex Answered();

    /// <summary>Where each family's base URL points in <see cref="MixpanelWire.Workspace"/>.</summary>
    private static readonly Dictionary<Type, string> Roots = new()
    {
        [typeof(IQueryApi)] = "/api/query",
        [typeof(IEngageApi)] = "/api/query",
        [typeof(IExportApi)] = "/api/2.0",
        [typeof(IAppApi)] = "/api/app",
    };

    private static IEnumerable<TestCaseData> Endpoints() =>
        from api in Roots.Keys
        from method in api.GetMethods()
        let http = method.GetCustomAttribute<HttpMethodAttribute>()!
        select new TestCaseData(http.Method.Method, Roots[api] + http.Path).SetArgDisplayNames($"{api.Name}.{method.Name}");

    [TestCaseSource(nameof(Endpoints))]
    public void ApiMethod_HasAContractTest(string method, string pathTemplate)
    {
        var pattern = new Regex("^" + Regex.Replace(Regex.Escape(pathTemplate), @"\\\{\w+}", "[^/]+") + "$");
        var answered = Directory.GetFiles(Path.Combine(DotnetCli.RepositoryRoot, "MixpanelData.Tests", "Contracts"), "*.cs")
            .SelectMany(file => Answered().Matches(File.ReadAllText(file)))
            .Where(m => m.Groups["method"].Value == method)
            .Select(m => m.Groups["path"].Value);

        Assert.That(answered.Any(pattern.IsMatch), Is.True, $"no contract test answers {method} {pathTemplate}");
    }

    [Test]
    public void Endpoints_AreEveryMethodOfTheFourInterfaces()
    {
        // 18 Query API methods, Export, Engage, and 5 App API methods (reference/mixpanel-api.md).
        Assert.That(Endpoints().Count(), Is.EqualTo(25));
        Assert.That(typeof(IQueryApi).Assembly.GetTypes().Where(t => t.IsInterface && t.Namespace == "MixpanelData.Api" && t.Name.EndsWith("Api", StringComparison.Ordinal)),
            Is.EquivalentTo(Roots.Keys), "an Api interface the coverage check does not know");
    }
}
