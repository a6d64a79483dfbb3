using System.Collections.ObjectModel;
using System.Globalization;

namespace MixpanelData.Configuration;

/// <summary>
/// Turns the <c>accounts</c> part of a parsed <c>config.toml</c> into <see cref="MixpanelAccount"/>s,
/// validating each key. Errors say <c>path:line: [accounts.name] key …</c> and never contain the secret.
/// </summary>
/// <remarks>
/// Keys this library does not know are ignored, so that files written by newer versions of the
/// Python tools keep working here.
/// </remarks>
internal sealed class AccountTableReader
{
    private readonly ConfigTable _root;
    private readonly ConfigTable? _accounts;
    private readonly string[] _secrets;

    private AccountTableReader(string path, ConfigTable root)
    {
        Path = path;
        _root = root;
        _secrets = [];
        if (root.TryGetValue("accounts", out var accounts))
        {
            if (!root.TryGetTable("accounts", out var table))
            {
                throw Fail(accounts.Line, $"'accounts' must be a table of [accounts.<name>] tables, not {accounts.Described}");
            }

            // Collected first so that every later message, whichever account it is about, can be scrubbed of all of them.
            _secrets = table.Keys
                .Select(k => table.TryGetTable(k, out var t) && t.TryGetValue("secret", out var s) && s.Value is string str ? str : null)
                .OfType<string>()
                .ToArray();
            foreach (var name in table.Keys)
            {
                if (!table.TryGetTable(name, out _))
                {
                    table.TryGetValue(name, out var entry);
                    throw Fail(entry.Line, $"{Label(name)} must be a table of account settings, not {entry.Described}");
                }
            }

            _accounts = table;
        }

        Names = _accounts?.Keys ?? [];
    }

    /// <summary>The config file path.</summary>
    public string Path { get; }

    /// <summary>The account names in file order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Loads and checks <paramref name="path"/> (which exists).</summary>
    public static AccountTableReader Load(string path) => new(path, ConfigFile.Load(path));

    /// <summary>Checks <paramref name="text"/> as the contents of <paramref name="path"/> (used before writing it).</summary>
    public static AccountTableReader Parse(string text, string path) => new(path, ConfigDocument.Parse(text, path));

    /// <summary>The description used in "sources tried" lists.</summary>
    public static string Tried(string path) => $"config file {path}";

    /// <summary>How an account table is written in messages: <c>[accounts.production]</c>, <c>[accounts."my team"]</c>.</summary>
    public static string Label(string name) => $"[accounts.{ConfigDocument.FormatKey(name)}]";

    /// <summary>
    /// The account the file chooses by itself: the one named by top-level <c>default</c>, or the
    /// first one. <see langword="null"/> when the file has no accounts and no <c>default</c>.
    /// </summary>
    public string? DefaultName()
    {
        if (!_root.TryGetValue("default", out var value))
        {
            return Names.Count > 0 ? Names[0] : null;
        }

        if (value.Value is not string name)
        {
            throw Fail(value.Line, $"'default' must be a string naming an account (default = \"production\"), not {value.Described}");
        }

        if (!Names.Contains(name, StringComparer.Ordinal))
        {
            throw Fail(value.Line, $"default = \"{name}\" names no account in this file; {DescribeNames()}. Fix 'default' or add an {Label(name)} table");
        }

        return name;
    }

    /// <summary>"configured accounts: a, b" or "there are no [accounts.&lt;name&gt;] tables".</summary>
    public string DescribeNames() => Names.Count == 0
        ? "there are no [accounts.<name>] tables"
        : "configured accounts: " + string.Join(", ", Names.Select(ConfigDocument.FormatKey));

    /// <summary>Builds the account <paramref name="name"/>, which must be one of <see cref="Names"/>.</summary>
    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public MixpanelAccount Read(string name)
    {
        if (_accounts is null || !_accounts.TryGetTable(name, out var table))
        {
            throw Fail(null, $"no account {Label(name)}; {DescribeNames()}");
        }

        var label = Label(name);
        var username = RequiredString(table, label, "username");
        var secret = RequiredString(table, label, "secret");
        var projectId = PositiveId(table, label, "project_id")
            ?? throw Fail(table.Line, $"{label} is missing 'project_id' (the numeric Mixpanel project id, e.g. project_id = 123456)");
        var region = Region(table, label);
        return new MixpanelAccount(name, new Credentials(username, secret, projectId, region), $"{Path} {label}")
        {
            WorkspaceId = PositiveId(table, label, "workspace_id"),
            Headers = Headers(table, label),
            QueryUrl = Url(table, label, "query_url"),
            ExportUrl = Url(table, label, "export_url"),
            AppUrl = Url(table, label, "app_url"),
        };
    }

    private string RequiredString(ConfigTable table, string label, string key)
    {
        if (!table.TryGetValue(key, out var value))
        {
            throw Fail(table.Line, $"{label} is missing '{key}'");
        }

        if (value.Value is not string text)
        {
            throw Fail(value.Line, $"{label} {key} must be a quoted string, not {value.Described}");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw Fail(value.Line, $"{label} {key} is empty");
        }

        return text;
    }

    private long? PositiveId(ConfigTable table, string label, string key)
    {
        if (!table.TryGetValue(key, out var value))
        {
            return null;
        }

        var id = value.Value switch
        {
            long integer and > 0 => integer,
            string text when long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 => parsed,
            _ => (long?)null,
        };
        return id ?? throw Fail(value.Line, $"{label} {key} must be a positive whole number, written as {key} = 123456 or {key} = \"123456\"");
    }

    private MixpanelRegion? Region(ConfigTable table, string label)
    {
        if (!table.TryGetValue("region", out var value))
        {
            return null;
        }

        if (value.Value is string text && MixpanelRegions.TryParse(text, out var region))
        {
            return region;
        }

        var shown = value.Value is string s ? $"\"{s}\"" : value.Described;
        throw Fail(value.Line, $"{label} region is {shown}; it must be \"us\", \"eu\" or \"in\" (or leave it out to detect the region)");
    }

    private IReadOnlyDictionary<string, string> Headers(ConfigTable table, string label)
    {
        if (!table.TryGetValue("headers", out var value))
        {
            return ReadOnlyDictionary<string, string>.Empty;
        }

        if (!table.TryGetTable("headers", out var headers))
        {
            throw Fail(value.Line, $"{label} headers must be a table, e.g. headers = {{ \"X-Source\" = \"copilot\" }}, not {value.Described}");
        }

        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var headerName in headers.Keys)
        {
            headers.TryGetValue(headerName, out var header);
            var shownName = ConfigDocument.FormatKey(headerName);
            if (!HttpHeaderRules.IsValidName(headerName))
            {
                throw Fail(header.Line, $"{label} headers: {shownName} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            }

            if (HttpHeaderRules.IsReserved(headerName))
            {
                throw Fail(header.Line, $"{label} headers: {shownName} cannot be set here; it is derived from the account's credentials");
            }

            if (header.Value is not string headerValue)
            {
                throw Fail(header.Line, $"{label} headers: the value of {shownName} must be a quoted string, not {header.Described}");
            }

            if (!HttpHeaderRules.IsValidValue(headerValue))
            {
                throw Fail(header.Line, $"{label} headers: the value of {shownName} contains a line break or control character");
            }

            if (!result.TryAdd(headerName, headerValue))
            {
                var other = result.Keys.First(k => string.Equals(k, headerName, StringComparison.OrdinalIgnoreCase));
                throw Fail(header.Line, $"{label} headers: {shownName} repeats {ConfigDocument.FormatKey(other)} (header names ignore case)");
            }
        }

        return new ReadOnlyDictionary<string, string>(result);
    }

    private Uri? Url(ConfigTable table, string label, string key)
    {
        if (!table.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value.Value is not string text)
        {
            throw Fail(value.Line, $"{label} {key} must be a quoted URL string, not {value.Described}");
        }

        if (!ConfigMessages.TryParseAbsoluteUrl(text, out var url))
        {
            throw Fail(value.Line, $"{label} {key} is not an absolute URL; write it as https://host/path");
        }

        try
        {
            return MixpanelEndpoints.Validate(url, key);
        }
        catch (ArgumentException ex)
        {
            throw Fail(value.Line, $"{label} {key} is not usable: {ConfigMessages.WithoutParameterName(ex).TrimEnd('.')}", ex);
        }
    }

    /// <summary>
    /// Builds the error for <c>path:line: message.</c>. Values echoed into messages (a region, a URL,
    /// a header name) are scrubbed of every secret in the file, in case one was pasted in the wrong place.
    /// </summary>
    private ConfigurationException Fail(int? line, string message, Exception? inner = null)
    {
        var text = ConfigMessages.Redact($"{Path}{(line is { } l ? $":{l}" : string.Empty)}: {message}.", _secrets);
        var safeInner = inner is not null && ConfigMessages.Reveals(inner.Message, _secrets) ? null : inner;
        return new ConfigurationException(text, [Tried(Path)], safeInner);
    }
}
