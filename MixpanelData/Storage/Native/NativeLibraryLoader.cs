using System.Reflection;
using System.Runtime.InteropServices;

namespace MixpanelData.Storage.Native;

/// <summary>
/// Finds DuckDB's native library for <see cref="NativeMethods"/>. In order:
/// <list type="number">
/// <item><c>MP_DUCKDB_LIBRARY</c>: an explicit file (e.g. a platform the packages carry no library for).</item>
/// <item><c>runtimes/&lt;rid&gt;/native/</c> below this assembly's folder or the app's base folder, for this
/// process's RID: the layout of the NuGet package, which a tool package or a host that loads packages itself
/// (no deps.json entry for the file) keeps as is.</item>
/// <item>The runtime's default probing (app folder, deps.json native paths, system paths): a build or a
/// RID-specific publish, where the library sits next to the app.</item>
/// </list>
/// </summary>
internal static class NativeLibraryLoader
{
    /// <summary>Environment variable naming a DuckDB library file to load instead of the packaged one.</summary>
    public const string OverrideVariable = "MP_DUCKDB_LIBRARY";

    private static int _registered;

    /// <summary>Registers the resolver for this assembly (once; later calls do nothing).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.Library)
        {
            return IntPtr.Zero;
        }
        var explicitPath = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            try
            {
                return NativeLibrary.Load(explicitPath);
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException($"{OverrideVariable} names '{explicitPath}', which could not be loaded as DuckDB's library: {e.Message}", e);
            }
        }
        foreach (var candidate in PackagedCandidates(assembly))
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
    }

    /// <summary>The packaged library files this process could use, most specific first.</summary>
    internal static IEnumerable<string> PackagedCandidates(Assembly assembly)
    {
        var file = LibraryFileName();
        var folders = new[] { Path.GetDirectoryName(assembly.Location), AppContext.BaseDirectory }
            .Where(f => !string.IsNullOrEmpty(f))
            .Select(f => Path.GetFullPath(f!))
            .Distinct(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var rid in RuntimeIdentifiers())
            {
                yield return Path.Combine(folder, "runtimes", rid, "native", file);
            }
        }
    }

    /// <summary>This process's RID as the runtime reports it, then the portable RID the packages use.</summary>
    internal static IEnumerable<string> RuntimeIdentifiers()
    {
        var reported = RuntimeInformation.RuntimeIdentifier;
        yield return reported;
        var portable = PortableRuntimeIdentifier(reported);
        if (portable is not null && portable != reported)
        {
            yield return portable;
        }
    }

    private static string? PortableRuntimeIdentifier(string reported)
    {
        var architecture = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            _ => null,
        };
        if (architecture is null)
        {
            return null;
        }
        if (OperatingSystem.IsWindows())
        {
            return "win-" + architecture;
        }
        if (OperatingSystem.IsMacOS())
        {
            return "osx-" + architecture;
        }
        if (OperatingSystem.IsLinux())
        {
            // A glibc library does not load on musl (Alpine) and vice versa: never fall back across them.
            var musl = reported.Contains("musl", StringComparison.OrdinalIgnoreCase)
                || reported.StartsWith("alpine", StringComparison.OrdinalIgnoreCase);
            return (musl ? "linux-musl-" : "linux-") + architecture;
        }
        return null;
    }

    private static string LibraryFileName() =>
        OperatingSystem.IsWindows() ? "duckdb.dll"
        : OperatingSystem.IsMacOS() ? "libduckdb.dylib"
        : "libduckdb.so";
}
