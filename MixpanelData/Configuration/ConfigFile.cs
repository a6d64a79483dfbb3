using System.Text;

namespace MixpanelData.Configuration;

/// <summary>
/// Opens <c>config.toml</c> safely: the file holds secrets, so a symbolic link or a file that
/// other users can read or write is refused instead of read, and I/O failures become
/// <see cref="ConfigurationException"/>s rather than crashes.
/// </summary>
internal static class ConfigFile
{
    /// <summary>Larger files are certainly not a credentials file; refuse rather than read them whole.</summary>
    internal const long MaxBytes = 1024 * 1024;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Whether anything (a file, a link, even a dangling one, or a directory) is at <paramref name="path"/>.</summary>
    public static bool Exists(string path) => File.Exists(path) || IsLink(path) || Directory.Exists(path);

    /// <summary>Checks and parses the file at <paramref name="path"/>, which the caller has seen to exist.</summary>
    /// <exception cref="ConfigurationException">The file is unsafe, unreadable or not valid TOML.</exception>
    public static ConfigTable Load(string path) => ConfigDocument.Parse(ReadChecked(path), path);

    /// <summary>Reads the file at <paramref name="path"/> after the same safety checks as <see cref="Load"/>.</summary>
    /// <exception cref="ConfigurationException">The file is unsafe or unreadable.</exception>
    public static string ReadChecked(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                throw Fail(path,
                    $"{path} is a symbolic link (to {target}); a credentials file must be a regular file. Replace the link with the file itself (e.g. mv \"{target}\" \"{path}\") or point MP_CONFIG_PATH at the real file.");
            }

            if (Directory.Exists(path))
            {
                throw Fail(path, $"{path} is a directory, not a config file.");
            }

            if (!OperatingSystem.IsWindows())
            {
                var mode = info.UnixFileMode;
                if ((mode & GroupOrOther) != 0)
                {
                    throw Fail(path,
                        $"{path} can be read or written by other users (mode {FormatMode(mode)}); it holds secrets, so it must be private to you. Fix it with: chmod 600 {path}");
                }
            }

            if (info.Length > MaxBytes)
            {
                throw Fail(path, $"{path} is {info.Length} bytes, larger than any config file should be (limit {MaxBytes} bytes).");
            }

            return File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw Fail(path, $"{path} cannot be read: permission denied. Check its owner and run: chmod 600 {path}", ex);
        }
        catch (IOException ex)
        {
            throw Fail(path, $"{path} cannot be read: {ex.Message}", ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw Fail(path, $"{path} is not valid UTF-8 text; save it as UTF-8.", ex);
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string FormatMode(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');

    private static ConfigurationException Fail(string path, string message, Exception? inner = null) =>
        new(message, [$"config file {path}"], inner);
}
