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

    /// <summary>
    /// True when no credentials are configured anywhere (as opposed to configured wrongly): the one case
    /// in which a program may fall back to the demo project.
    /// </summary>
    public bool NothingConfigured { get; init; }
}
