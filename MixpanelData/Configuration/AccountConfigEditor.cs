using System.Text;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace MixpanelData.Configuration;

/// <summary>
/// Adds, updates and removes accounts in <c>config.toml</c> (the file <see cref="AccountResolver"/> reads), editing the
/// file's syntax tree so that everything else in it stays as written: comments, blank lines, other accounts, and keys
/// this library does not know (written by newer Python tools, say).
/// </summary>
/// <remarks>
/// Like the Python tools: the first account saved becomes the <c>default</c>, and removing the default account makes
/// the next remaining one the default. The new text is read back through the same reader as
/// <see cref="AccountResolver"/> before it replaces the file, and it replaces it atomically (a private temporary file,
/// mode 600 on Unix, renamed over the old one), so a failed save leaves the old file untouched. The file is refused,
/// as for reading, when it is a symbolic link or readable by others, and an invalid file is never rewritten.
/// No message names the secret.
/// </remarks>
public sealed class AccountConfigEditor
{
    private const string DefaultKey = "default";
    private const string AccountsKey = "accounts";
    private const string HeadersKey = "headers";

    /// <summary>The keys an account is made of; any other key in its table is kept as it is.</summary>
    private static readonly string[] AccountKeys = ["username", "secret", "project_id", "region", "workspace_id", HeadersKey, "query_url", "export_url", "app_url"];

    private readonly AccountResolverOptions _options;

    /// <summary>Creates an editor of the config file that <see cref="AccountResolver"/> with the same options reads.</summary>
    /// <param name="options">Where the file is; <see langword="null"/> uses <c>MP_CONFIG_PATH</c> or <c>~/.mp/config.toml</c>.</param>
    public AccountConfigEditor(AccountResolverOptions? options = null)
    {
        _options = options ?? new AccountResolverOptions();
    }

    /// <summary>The config file edited.</summary>
    /// <exception cref="ConfigurationException">No path is given and the home directory is unknown, or the path is invalid.</exception>
    public string ConfigPath => new AccountResolver(_options).ConfigPath
        ?? throw new ConfigurationException(
            $"There is no config file to write: the home directory is unknown and {AccountResolver.ConfigPathVariable} is not set. Set {AccountResolver.ConfigPathVariable} to the file to use.",
            ["config file: unknown"]);

    /// <summary>
    /// Writes <paramref name="account"/> as <c>[accounts.&lt;name&gt;]</c>: a new table, or the existing one with its
    /// account keys replaced (keys the account leaves unset are removed; other keys are kept).
    /// </summary>
    /// <param name="account">The account; its <see cref="MixpanelAccount.Source"/> is not written.</param>
    /// <param name="makeDefault">Also make it the file's <c>default</c>. The first account of a file becomes the default anyway.</param>
    /// <exception cref="ConfigurationException">The file is unsafe, invalid, or holds the account in a form this editor does not rewrite; or a value cannot be written.</exception>
    public void SaveAccount(MixpanelAccount account, bool makeDefault = false)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(account.Name);
        Edit((document, model) =>
        {
            var table = FindAccount(document, model, account.Name);
            if (table is null)
            {
                table = new TableSyntax(new KeySyntax(AccountsKey, account.Name));
                AppendTable(document, table);
            }

            WriteAccountKeys(table, account);
            if (makeDefault || DefaultEntry(document) is null)
            {
                SetDefaultEntry(document, account.Name);
            }
        });
    }

    /// <summary>Removes <c>[accounts.&lt;name&gt;]</c> (and its sub-tables); the next account becomes the default if it was.</summary>
    /// <param name="name">The account name.</param>
    /// <returns>Whether the account was there.</returns>
    /// <exception cref="ConfigurationException">The file is unsafe or invalid.</exception>
    public bool RemoveAccount(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!ConfigFile.Exists(ConfigPath))
        {
            return false;
        }

        var removed = false;
        Edit((document, _) =>
        {
            foreach (var table in document.Tables.OfType<TableSyntaxBase>().Where(t => IsAccountTable(t, name, orBelow: true)).ToArray())
            {
                document.Tables.RemoveChild(table);
                removed = true;
            }

            if (removed && DefaultEntry(document) is { Value: StringValueSyntax { Value: var chosen } } entry && chosen == name)
            {
                if (AccountNames(document).FirstOrDefault() is { } next)
                {
                    entry.Value = WithTrailingTriviaOf(new StringValueSyntax(next), entry.Value);
                }
                else
                {
                    document.KeyValues.RemoveChild(entry);
                }
            }
        });
        return removed;
    }

    /// <summary>Makes <paramref name="name"/> the file's <c>default</c> account.</summary>
    /// <param name="name">An account of the file.</param>
    /// <exception cref="ConfigurationException">There is no such account, or the file is unsafe or invalid.</exception>
    public void SetDefault(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Edit((document, model) =>
        {
            if (FindAccount(document, model, name) is null)
            {
                var names = AccountNames(document).Select(ConfigDocument.FormatKey).ToArray();
                throw new ConfigurationException(
                    $"{ConfigPath} has no account {AccountTableReader.Label(name)}; {(names.Length == 0 ? "there are no [accounts.<name>] tables" : "configured accounts: " + string.Join(", ", names))}.",
                    [AccountTableReader.Tried(ConfigPath)]);
            }

            SetDefaultEntry(document, name);
        });
    }

    /// <summary>Reads the file (or starts an empty one), applies <paramref name="change"/>, checks the result and replaces the file.</summary>
    private void Edit(Action<DocumentSyntax, ConfigTable> change)
    {
        var path = ConfigPath;
        var exists = ConfigFile.Exists(path);
        var text = exists ? ConfigFile.ReadChecked(path) : string.Empty;

        // An invalid file is reported exactly as reading it would be, and never rewritten.
        var model = ConfigDocument.Parse(text, path);
        var document = SyntaxParser.Parse(text, path, validate: true);
        change(document, model);
        var written = document.ToString();

        // What is written must read back: the resolver's own checks run on the new text before it replaces the file.
        var reader = AccountTableReader.Parse(written, path);
        reader.DefaultName();
        foreach (var name in reader.Names)
        {
            reader.Read(name);
        }

        Replace(path, written);
    }

    private static void Replace(string path, string text)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new ConfigurationException($"{path} could not be written: {ex.Message}", [AccountTableReader.Tried(path)], ex);
        }
    }

    private static void WriteAccountKeys(TableSyntaxBase table, MixpanelAccount account)
    {
        var credentials = account.Credentials;
        var values = new Dictionary<string, ValueSyntax?>(StringComparer.Ordinal)
        {
            ["username"] = new StringValueSyntax(credentials.Username),
            ["secret"] = new StringValueSyntax(credentials.Secret),
            ["project_id"] = new IntegerValueSyntax(credentials.ProjectId),
            ["region"] = credentials.Region is { } region ? new StringValueSyntax(region.ToConfigString()) : null,
            ["workspace_id"] = account.WorkspaceId is { } workspace ? new IntegerValueSyntax(workspace) : null,
            [HeadersKey] = account.Headers.Count == 0
                ? null
                : new InlineTableSyntax(account.Headers.Select(h => new KeyValueSyntax(new KeySyntax(h.Key), new StringValueSyntax(h.Value))).ToArray()),
            ["query_url"] = account.QueryUrl is { } query ? new StringValueSyntax(query.OriginalString) : null,
            ["export_url"] = account.ExportUrl is { } export ? new StringValueSyntax(export.OriginalString) : null,
            ["app_url"] = account.AppUrl is { } app ? new StringValueSyntax(app.OriginalString) : null,
        };

        // Existing keys are rewritten in place (keeping their comments); dotted forms such as headers.X-Source go.
        foreach (var item in table.Items.ToArray())
        {
            var path = KeyPath(item.Key!);
            if (!AccountKeys.Contains(path[0], StringComparer.Ordinal))
            {
                continue;
            }

            if (path.Count == 1 && values.TryGetValue(path[0], out var value) && value is not null)
            {
                item.Value = WithTrailingTriviaOf(value, item.Value);
                values.Remove(path[0]);
            }
            else
            {
                RemoveItem(table, item);
            }
        }

        foreach (var key in AccountKeys)
        {
            if (values.TryGetValue(key, out var value) && value is not null)
            {
                AppendItem(table, new KeyValueSyntax(key, value));
            }
        }
    }

    /// <summary>Adds an item at the end of a table; blank lines that closed the table stay after the new item.</summary>
    private static void AppendItem(TableSyntaxBase table, KeyValueSyntax item)
    {
        item.EndOfLineToken = SyntaxFactory.NewLine();
        if (table.Items.ChildrenCount > 0 && table.Items.GetChild(table.Items.ChildrenCount - 1)?.EndOfLineToken is { TrailingTrivia: { Count: > 0 } closing } lastLineEnd)
        {
            item.EndOfLineToken.TrailingTrivia = closing;
            lastLineEnd.TrailingTrivia = null;
        }

        table.Items.Add(item);
    }

    private static void RemoveItem(TableSyntaxBase table, KeyValueSyntax item)
    {
        var index = table.Items.ToList().IndexOf(item);
        var closing = item.EndOfLineToken?.TrailingTrivia;
        table.Items.RemoveChild(item);
        if (closing is { Count: > 0 } && index == table.Items.ChildrenCount && index > 0 && table.Items.GetChild(index - 1)!.EndOfLineToken is { } previous)
        {
            previous.TrailingTrivia = closing;
        }
    }

    private static void AppendTable(DocumentSyntax document, TableSyntaxBase table)
    {
        table.EndOfLineToken = SyntaxFactory.NewLine();
        if (document.Tables.ChildrenCount > 0 || document.KeyValues.ChildrenCount > 0)
        {
            // One blank line before the new table, unless the file already ends with one.
            if (!document.ToString().EndsWith("\n\n", StringComparison.Ordinal))
            {
                table.OpenBracket!.LeadingTrivia = [SyntaxFactory.NewLineTrivia()];
            }
        }

        document.Tables.Add(table);
    }

    private static KeyValueSyntax? DefaultEntry(DocumentSyntax document) =>
        document.KeyValues.FirstOrDefault(kv => KeyPath(kv.Key!) is [DefaultKey]);

    private static void SetDefaultEntry(DocumentSyntax document, string name)
    {
        if (DefaultEntry(document) is { } entry)
        {
            entry.Value = WithTrailingTriviaOf(new StringValueSyntax(name), entry.Value);
            return;
        }

        var added = new KeyValueSyntax(DefaultKey, new StringValueSyntax(name)) { EndOfLineToken = SyntaxFactory.NewLine() };
        document.KeyValues.Add(added);
        if (document.KeyValues.ChildrenCount == 1 && document.Tables.ChildrenCount > 0)
        {
            added.EndOfLineToken.TrailingTrivia = [SyntaxFactory.NewLineTrivia()];
        }
    }

    private TableSyntaxBase? FindAccount(DocumentSyntax document, ConfigTable model, string name)
    {
        if (document.Tables.OfType<TableSyntax>().FirstOrDefault(t => IsAccountTable(t, name, orBelow: false)) is { } table)
        {
            return table;
        }

        // Defined some other way (accounts = { … }, a dotted key, only through a sub-table): left for a person to edit.
        return model.TryGetTable(AccountsKey, out var accounts) && accounts.TryGetValue(name, out var written)
            ? throw new ConfigurationException(
                $"{ConfigPath}:{written.Line}: the account {AccountTableReader.Label(name)} is not written as its own [{AccountsKey}.<name>] table, so it is not rewritten here; edit it by hand or rewrite it as such a table.",
                [AccountTableReader.Tried(ConfigPath)])
            : null;
    }

    private static bool IsAccountTable(TableSyntaxBase table, string name, bool orBelow) =>
        KeyPath(table.Name!) is [AccountsKey, var account, ..] path && account == name && (orBelow || path.Count == 2);

    private static IEnumerable<string> AccountNames(DocumentSyntax document) =>
        document.Tables.OfType<TableSyntaxBase>().Select(t => KeyPath(t.Name!)).Where(p => p.Count >= 2 && p[0] == AccountsKey).Select(p => p[1]).Distinct(StringComparer.Ordinal);

    private static IReadOnlyList<string> KeyPath(KeySyntax key)
    {
        var path = new List<string> { KeyPart(key.Key) };
        path.AddRange(key.DotKeys.Select(d => KeyPart(d.Key)));
        return path;
    }

    private static string KeyPart(BareKeyOrStringValueSyntax? part) => part switch
    {
        BareKeySyntax bare => bare.Key!.Text!,
        StringValueSyntax quoted => quoted.Value!,
        _ => string.Empty,
    };

    /// <summary><paramref name="value"/>, carrying the comment that followed <paramref name="old"/> on its line.</summary>
    private static ValueSyntax WithTrailingTriviaOf(ValueSyntax value, ValueSyntax? old)
    {
        if (LastToken(old) is { TrailingTrivia: { Count: > 0 } trivia } && LastToken(value) is { } last)
        {
            last.TrailingTrivia = trivia;
        }

        return value;
    }

    private static SyntaxToken? LastToken(SyntaxNode? node) => node?.Tokens(false).OfType<SyntaxToken>().LastOrDefault();
}
