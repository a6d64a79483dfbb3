using System.Globalization;

namespace MixpanelData.Http;

/// <summary>
/// Reads the IETF-draft <c>RateLimit-Policy</c> header Mixpanel sends, e.g.
/// <c>"project";q=60;w=3600, "project-concurrency";q=5;qu="concurrent-requests"</c>.
/// </summary>
internal static class RateLimitPolicy
{
    /// <summary>One policy item: a quota, and either a window or a unit.</summary>
    public readonly record struct Item(string Name, int Quota, int? WindowSeconds, string? QuotaUnit);

    public static IReadOnlyList<Item> Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return [];
        }

        var items = new List<Item>();
        foreach (var rawItem in header.Split(','))
        {
            var parts = rawItem.Split(';');
            var name = parts[0].Trim().Trim('"');
            int? quota = null;
            int? window = null;
            string? unit = null;
            foreach (var parameter in parts.Skip(1))
            {
                var eq = parameter.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }

                var key = parameter[..eq].Trim();
                var value = parameter[(eq + 1)..].Trim().Trim('"');
                switch (key)
                {
                    case "q" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var q):
                        quota = q;
                        break;
                    case "w" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var w):
                        window = w;
                        break;
                    case "qu":
                        unit = value;
                        break;
                }
            }

            if (name.Length > 0 && quota is > 0)
            {
                items.Add(new Item(name, quota.Value, window, unit));
            }
        }

        return items;
    }

    /// <summary>The hourly request quota the policy states, if it states one.</summary>
    public static int? HourlyQuota(string? header) =>
        Parse(header).FirstOrDefault(i => i.WindowSeconds == 3600 && i.QuotaUnit is null or "requests").Quota switch
        {
            > 0 and var q => q,
            _ => null,
        };
}
