namespace MixpanelData;

/// <summary>
/// The local DuckDB store refused or failed an operation: bad SQL, a sandbox refusal, a hostile
/// identifier, a timeout. <see cref="ErrorType"/> carries DuckDB's error category when DuckDB raised it.
/// </summary>
public sealed class LocalStoreException : MixpanelException
{
    /// <summary>Creates the exception.</summary>
    public LocalStoreException(string message, string? errorType = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorType = errorType;
    }

    /// <inheritdoc />
    public override string Code => MixpanelErrorCodes.LocalStore;

    /// <summary>DuckDB's error type (e.g. <c>Parser</c>, <c>Catalog</c>, <c>Permission</c>, <c>Interrupt</c>), when known; the store's own refusals use <c>InvalidInput</c>, <c>Conflict</c> and <c>TerminatedEarly</c>.</summary>
    public string? ErrorType { get; }
}
