namespace MixpanelData.Configuration;

/// <summary>Helpers that keep configuration error messages readable and free of secrets.</summary>
internal static class ConfigMessages
{
    /// <summary>Secrets shorter than this are not searched for: replacing them would mangle ordinary words.</summary>
    private const int MinimumRedactedLength = 4;

    /// <summary>An <see cref="ArgumentException"/>'s message without the "(Parameter 'x')" suffix the runtime appends.</summary>
    public static string WithoutParameterName(ArgumentException ex)
    {
        var message = ex.Message;
        var suffix = $" (Parameter '{ex.ParamName}')";
        return ex.ParamName is not null && message.EndsWith(suffix, StringComparison.Ordinal)
            ? message[..^suffix.Length]
            : message;
    }

    /// <summary>Whether <paramref name="message"/> contains <paramref name="secret"/>.</summary>
    public static bool Reveals(string message, string? secret) =>
        secret is { Length: >= MinimumRedactedLength } && message.Contains(secret, StringComparison.Ordinal);

    /// <summary><paramref name="message"/> with every occurrence of <paramref name="secret"/> replaced by <see cref="Credentials.Redacted"/>.</summary>
    public static string Redact(string message, string? secret) =>
        Reveals(message, secret) ? message.Replace(secret!, Credentials.Redacted, StringComparison.Ordinal) : message;
}
