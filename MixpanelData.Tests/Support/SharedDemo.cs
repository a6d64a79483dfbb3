using MixpanelData.Emulation;
using MixpanelData.Emulation.Demo;

namespace MixpanelData.Tests.Support;

/// <summary>
/// One full-size demo database per test run (about 15 s to build), shared by every test that needs the real demo:
/// it lives in a temporary "home" whose <c>.mp/demo</c> folder child processes can be pointed at with HOME.
/// </summary>
public static class SharedDemo
{
    private static readonly Lazy<Task<string>> Home = new(BuildAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A home directory whose <c>.mp/demo</c> holds today's full demo database.</summary>
    public static Task<string> HomeAsync() => Home.Value;

    public static async Task<DemoOptions> OptionsAsync(EmulatorOptions? emulator = null) => new()
    {
        CacheDirectory = Path.Combine(await HomeAsync(), ".mp", "demo"),
        Emulator = emulator,
    };

    private static async Task<string> BuildAsync()
    {
        var home = Path.Combine(Path.GetTempPath(), "mp-shared-demo-" + Environment.ProcessId);
        var cache = Path.Combine(home, ".mp", "demo");
        Directory.CreateDirectory(cache);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        var emulator = await MixpanelEmulator.CreateDemoAsync(new DemoOptions { CacheDirectory = cache });
        await emulator.DisposeAsync();
        return home;
    }
}
