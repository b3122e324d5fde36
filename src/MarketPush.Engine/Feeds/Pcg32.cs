using System.Numerics;

namespace MarketPush.Engine.Feeds;

/// <summary>
/// PCG32 (XSH-RR variant: 64-bit LCG state, 32-bit output by xorshift-high then random rotate; O'Neill 2014).
/// The synthetic feed must be reproducible for a seed across runtimes and machines, which System.Random does not
/// promise (its algorithm is unspecified and has changed between releases). A mutable struct kept in an array
/// per instrument and advanced through <c>ref</c>; not thread-safe, owned by the feed's task.
/// </summary>
public struct Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private const ulong Increment = 1442695040888963407UL; // any odd constant selects one stream

    private ulong _state;

    public Pcg32(ulong seed)
    {
        _state = 0;
        NextUInt32();
        _state += seed;
        NextUInt32();
    }

    /// <summary>A generator for one member (e.g. an instrument index) of a family seeded by one number.</summary>
    public static Pcg32 ForStream(ulong seed, ulong stream) => new(SplitMix64(seed ^ SplitMix64(stream + 1)));

    public uint NextUInt32()
    {
        ulong old = _state;
        _state = unchecked((old * Multiplier) + Increment);
        uint xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        int rotation = (int)(old >> 59);
        return BitOperations.RotateRight(xorShifted, rotation);
    }

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>), by multiply-shift (Lemire); the bias is below 2^-32 × max.</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(((ulong)NextUInt32() * (ulong)maxExclusive) >> 32);
    }

    /// <summary>Uniform in [0, 1) with 32 bits of resolution.</summary>
    public double NextDouble() => NextUInt32() * (1.0 / 4294967296.0);

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>SplitMix64 finaliser: spreads nearby seeds (1, 2, 3…) over the whole state space.</summary>
    private static ulong SplitMix64(ulong x)
    {
        x = unchecked(x + 0x9E3779B97F4A7C15UL);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return x ^ (x >> 31);
    }
}
