namespace MixpanelData.Configuration;

/// <summary>The data-residency cluster a Mixpanel project lives in.</summary>
public enum MixpanelRegion
{
    /// <summary>United States: <c>mixpanel.com</c>, <c>data.mixpanel.com</c>.</summary>
    Us,

    /// <summary>European Union: <c>eu.mixpanel.com</c>, <c>data-eu.mixpanel.com</c>.</summary>
    Eu,

    /// <summary>India: <c>in.mixpanel.com</c>, <c>data-in.mixpanel.com</c>.</summary>
    In,
}

/// <summary>Parsing and formatting of <see cref="MixpanelRegion"/> as users write it (<c>us</c>, <c>eu</c>, <c>in</c>).</summary>
public static class MixpanelRegions
{
    /// <summary>The regions in the order a credential's region is probed: us, eu, in.</summary>
    public static IReadOnlyList<MixpanelRegion> ProbeOrder { get; } = [MixpanelRegion.Us, MixpanelRegion.Eu, MixpanelRegion.In];

    /// <summary>Parses <c>us</c>, <c>eu</c> or <c>in</c> (case-insensitive, surrounding spaces ignored).</summary>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a region.</returns>
    public static bool TryParse(string? text, out MixpanelRegion region)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "us": region = MixpanelRegion.Us; return true;
            case "eu": region = MixpanelRegion.Eu; return true;
            case "in": region = MixpanelRegion.In; return true;
            default: region = default; return false;
        }
    }

    /// <summary>The lower-case name used in configuration files and environment variables.</summary>
    public static string ToConfigString(this MixpanelRegion region) => region switch
    {
        MixpanelRegion.Us => "us",
        MixpanelRegion.Eu => "eu",
        MixpanelRegion.In => "in",
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, "Unknown region."),
    };
}
