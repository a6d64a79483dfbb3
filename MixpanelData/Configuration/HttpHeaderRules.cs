namespace MixpanelData.Configuration;

/// <summary>What a configured extra header may look like (RFC 9110 field names and values).</summary>
internal static class HttpHeaderRules
{
    private const string TokenSymbols = "!#$%&'*+-.^_`|~";

    /// <summary>A header name is a non-empty token: ASCII letters, digits and a few symbols.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || TokenSymbols.Contains(c, StringComparison.Ordinal));

    /// <summary>A header value may not contain line breaks or other control characters (tab is allowed).</summary>
    public static bool IsValidValue(string value) => !value.Any(c => (c < 0x20 && c != '\t') || c == 0x7F);

    /// <summary>
    /// Headers the client derives itself: letting configuration set them would silently replace
    /// the account's credentials.
    /// </summary>
    public static bool IsReserved(string name) =>
        string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase);
}
