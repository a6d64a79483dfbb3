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

    /// <summary>Whether <paramref name="message"/> contains any of <paramref name="secrets"/>.</summary>
    public static bool Reveals(string message, params IEnumerable<string?> secrets) =>
        secrets.Any(s => s is { Length: >= MinimumRedactedLength } && message.Contains(s, StringComparison.Ordinal));

    /// <summary><paramref name="message"/> with every occurrence of each of <paramref name="secrets"/> replaced by <see cref="Credentials.Redacted"/>.</summary>
    public static string Redact(string message, params IEnumerable<string?> secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret is { Length: >= MinimumRedactedLength })
            {
                message = message.Replace(secret, Credentials.Redacted, StringComparison.Ordinal);
            }
        }

        return message;
    }

    /// <summary>
    /// Parses a URL written with a scheme (<c>https://…</c>). A bare path such as <c>/api/query</c> is
    /// rejected here rather than being read as a <c>file://</c> URL, which Unix runtimes would do.
    /// </summary>
    public static bool TryParseAbsoluteUrl(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? url)
    {
        url = null;
        var trimmed = text.Trim();
        return trimmed.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(trimmed, UriKind.Absolute, out url);
    }
}
