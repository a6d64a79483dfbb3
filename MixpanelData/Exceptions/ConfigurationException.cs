namespace MixpanelData;

/// <summary>
/// Credentials or settings are missing or invalid. The message names what to change (which
/// variable, which file and line) and <see cref="SourcesTried"/> lists every place that was looked at.
/// </summary>
public sealed class ConfigurationException : MixpanelException
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationException(string message, IReadOnlyList<string>? sourcesTried = null, Exception? innerException = null)
        : base(message, innerException)
    {
        SourcesTried = sourcesTried ?? [];
    }

    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.Configuration;

    /// <summary>Every credential source that was consulted, in order, each described in a few words.</summary>
    public IReadOnlyList<string> SourcesTried { get; }
}
