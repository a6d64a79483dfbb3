using System.Text.RegularExpressions;

namespace MixpanelData.Storage;

/// <summary>
/// Table and column names are validated against a strict pattern and then double-quoted; they are
/// never spliced into SQL as given. Names starting with <c>_mp_</c> are the store's own.
/// </summary>
internal static partial class StoreIdentifiers
{
    public const string ReservedPrefix = "_mp_";
    public const string MetadataTable = "_mp_tables";
    public const int MaxLength = 63;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Throws unless <paramref name="name"/> is a plain identifier a user may create or drop.</summary>
    public static string ValidateTable(string? name, string what = "table name")
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new LocalStoreException($"The {what} is empty.", "InvalidInput");
        }
        if (name.Length > MaxLength)
        {
            throw new LocalStoreException($"The {what} is {name.Length} characters long; at most {MaxLength} are allowed.", "InvalidInput");
        }
        if (!Pattern().IsMatch(name))
        {
            throw new LocalStoreException($"The {what} \"{Excerpt(name)}\" is not allowed: use letters, digits and underscores, not starting with a digit.", "InvalidInput");
        }
        if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new LocalStoreException($"Names starting with {ReservedPrefix} are reserved for the store.", "InvalidInput");
        }
        return name;
    }

    /// <summary>Double-quotes an identifier (doubling embedded quotes), for names that were validated or come from the catalog.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Excerpt(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
