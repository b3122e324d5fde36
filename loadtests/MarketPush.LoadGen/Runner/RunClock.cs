using System.Diagnostics;

namespace MarketPush.LoadGen.Runner;

/// <summary>
/// The run's time frame in Stopwatch ticks: when the load starts, when the measurement window opens (after the
/// warm-up, so tiered JIT and connection setup are not in the results) and when it closes. Immutable, shared.
/// </summary>
internal sealed class RunClock
{
    public RunClock(long start, double warmupSeconds, double durationSeconds)
    {
        Start = start;
        WindowStart = start + (long)(warmupSeconds * Stopwatch.Frequency);
        WindowEnd = start + (long)(durationSeconds * Stopwatch.Frequency);
    }

    public long Start { get; }

    public long WindowStart { get; }

    public long WindowEnd { get; }

    public static long TicksPerSecond => Stopwatch.Frequency;

    public double WindowSeconds => (double)(WindowEnd - WindowStart) / Stopwatch.Frequency;

    public bool InWindow(long timestamp) => timestamp >= WindowStart && timestamp < WindowEnd;

    public double ElapsedSeconds(long timestamp) => (double)(timestamp - Start) / Stopwatch.Frequency;

    /// <summary>Microseconds since the Unix epoch on the host's real-time clock: the clock the feeds stamp <c>ts</c> with.</summary>
    public static long UnixMicrosNow() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
