namespace MixpanelData.Storage.Native;

/// <summary>Turns DuckDB's error categories into <see cref="LocalStoreException"/>s.</summary>
internal static class DuckDbErrors
{
    // duckdb_error_type, by value (duckdb.h: DUCKDB_ERROR_INVALID = 0 … DUCKDB_ERROR_INVALID_CONFIGURATION = 42).
    private static readonly string[] Names =
    [
        "Invalid", "OutOfRange", "Conversion", "UnknownType", "Decimal", "MismatchType", "DivideByZero",
        "ObjectSize", "InvalidType", "Serialization", "Transaction", "NotImplemented", "Expression", "Catalog",
        "Parser", "Planner", "Scheduler", "Executor", "Constraint", "Index", "Stat", "Connection", "Syntax",
        "Settings", "Binder", "Network", "Optimizer", "NullPointer", "IO", "Interrupt", "Fatal", "Internal",
        "InvalidInput", "OutOfMemory", "Permission", "ParameterNotResolved", "ParameterNotAllowed", "Dependency",
        "HTTP", "MissingExtension", "Autoload", "Sequence", "InvalidConfiguration",
    ];

    /// <summary>The error type name used in <see cref="LocalStoreException.ErrorType"/>.</summary>
    public const string Interrupt = "Interrupt";

    /// <summary>The name for a <c>duckdb_error_type</c> value.</summary>
    public static string NameOf(int errorType) =>
        errorType >= 0 && errorType < Names.Length ? Names[errorType] : "Unknown";

    /// <summary>
    /// For APIs that report only a message (prepare, extract, appender): DuckDB prefixes messages with
    /// "&lt;Type&gt; Error: ", e.g. "Parser Error: syntax error at or near …"; map that prefix back to a name.
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
        foreach (var name in Names)
        {
            if (string.Equals(name, candidate, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }
        return candidate;
    }

    public static LocalStoreException Create(string? message, string? errorType) =>
        new(message ?? "DuckDB reported an error without a message.", errorType ?? NameFromMessage(message));
}
