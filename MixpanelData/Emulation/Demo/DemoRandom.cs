namespace MixpanelData.Emulation.Demo;

/// <summary>
/// A small, allocation-free pseudo-random stream (SplitMix64) keyed by the dataset seed and a position
/// such as (user) or (user, day).
/// </summary>
/// <remarks>
/// The dataset must be byte-identical across runs, machines and runtime versions. <see cref="Random"/> with a
/// seed happens to be stable today, but its algorithm is not part of its contract, and creating one per
/// user-day allocates a 56-int table. This stream is a few lines we own, so the output depends on nothing
/// but the options. Each (user, day) gets its own stream, so any day can be generated without the others.
/// </remarks>
internal struct DemoRandom
{
    private ulong _state;

    private DemoRandom(ulong state) => _state = state;

    /// <summary>A stream for one purpose (<paramref name="stream"/>) at one position (<paramref name="a"/>, <paramref name="b"/>).</summary>
    public static DemoRandom Create(int seed, DemoStream stream, long a, long b = 0)
    {
        var state = Mix((ulong)(uint)seed ^ 0x9E3779B97F4A7C15UL);
        state = Mix(state ^ ((ulong)stream * 0xD1B54A32D192ED03UL));
        state = Mix(state ^ (ulong)a);
        state = Mix(state ^ ((ulong)b * 0xAEF17502108EF2D9UL));
        return new DemoRandom(state);
    }

    /// <summary>The SplitMix64 finaliser: a bijection on 64-bit values, so distinct inputs give distinct outputs.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>An exponentially distributed value with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>A standard normal value (Box–Muller).</summary>
    public double Normal()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>Independent random streams, so adding draws to one never shifts another.</summary>
internal enum DemoStream
{
    User = 1,
    Session = 2,
    Company = 3,
    Renewal = 4,
    Profile = 5,
}
