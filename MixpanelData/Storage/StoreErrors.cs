using DuckDB.NET.Data;

namespace MixpanelData.Storage;

/// <summary>Turns DuckDB's errors into <see cref="LocalStoreException"/>s whose <see cref="LocalStoreException.ErrorType"/> names DuckDB's category.</summary>
internal static class StoreErrors
{
    /// <summary>The error type of an interrupted statement.</summary>
    public const string Interrupt = "Interrupt";

    /// <summary>
    /// DuckDB prefixes messages with "&lt;Type&gt; Error: ", e.g. "Parser Error: syntax error at or near …" or
    /// "Permission Error: Cannot access file …"; that prefix is the most precise category (DuckDB.NET reports
    /// errors raised while preparing as <c>Invalid</c>).
    /// </summary>
    public static string? NameFromMessage(string? message)
    {
        if (message is null)
        {
            return null;
        }
        var end = message.IndexOf(" Error:", StringComparison.Ordinal);
        if (end <= 0 || end > 40)
        {
            return null;
        }
        var candidate = message[..end].Replace(" ", "", StringComparison.Ordinal);
        return candidate.Equals("TransactionContext", StringComparison.Ordinal) ? "Transaction" : candidate;
    }

    public static LocalStoreException From(DuckDBException error)
    {
        var message = string.IsNullOrEmpty(error.Message) ? "DuckDB reported an error without a message." : error.Message;
        var type = NameFromMessage(message) ?? error.ErrorType switch
        {
            DuckDB.NET.Native.DuckDBErrorType.Invalid => null,
            DuckDB.NET.Native.DuckDBErrorType.Io => "IO",
            DuckDB.NET.Native.DuckDBErrorType.Http => "HTTP",
            var other => other.ToString(),
        };
        return new LocalStoreException(message, type, error);
    }
}
