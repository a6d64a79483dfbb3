using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>
/// The product's release train. The web app ships a minor release every 14 days; the one that lands on the
/// first Safari drop day (4.12.0) broke the sign-up form on Safari and was fixed by 4.12.1 three days later.
/// The mobile apps ship the same minor versions five days after the web, and each user updates after a lag.
/// </summary>
internal sealed class DemoReleases
{
    public const int CurrentMinor = 12;

    private readonly ImmutableArray<(int Day, int Version)> _web;
    private readonly ImmutableArray<(int Day, int Version)> _mobile;

    public DemoReleases(int days)
    {
        var dropStart = DemoStories.SafariDropStartIndex(days);
        var older = dropStart / 14;
        var names = ImmutableArray.CreateBuilder<string>();
        var web = ImmutableArray.CreateBuilder<(int, int)>();
        var mobile = ImmutableArray.CreateBuilder<(int, int)>();

        names.Add(Version(CurrentMinor - older - 1, 3));
        web.Add((int.MinValue, 0));
        mobile.Add((int.MinValue, 0));
        for (var k = older; k >= 0; k--)
        {
            names.Add(Version(CurrentMinor - k, 0));
            var version = names.Count - 1;
            web.Add((dropStart - (14 * k), version));
            mobile.Add((dropStart - (14 * k) + 5, version));
        }

        names.Add(Version(CurrentMinor, 1));
        web.Add((dropStart + DemoStories.SafariDropDays, names.Count - 1));

        Names = names.ToImmutable();
        Encoded = [.. Names.Select(n => JsonEncodedText.Encode(n))];
        _web = web.ToImmutable();
        _mobile = mobile.ToImmutable();
        BrokenWebVersion = Version(CurrentMinor, 0);
        HotfixWebVersion = Version(CurrentMinor, 1);
    }

    public ImmutableArray<string> Names { get; }

    public ImmutableArray<JsonEncodedText> Encoded { get; }

    public string BrokenWebVersion { get; }

    public string HotfixWebVersion { get; }

    /// <summary>Index into <see cref="Names"/> of the version a user runs on a day.</summary>
    public int VersionOn(DemoPlatform platform, int day, int lag)
    {
        var releases = platform == DemoPlatform.Web ? _web : _mobile;
        var effective = day - lag;
        var version = 0;
        foreach (var (releaseDay, index) in releases)
        {
            if (releaseDay <= effective)
            {
                version = index;
            }
        }

        return version;
    }

    private static string Version(int minor, int patch) => string.Create(CultureInfo.InvariantCulture, $"4.{minor}.{patch}");
}
