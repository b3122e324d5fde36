namespace MarketPush.Engine.Feeds;

/// <summary>
/// Delays between retries: <c>initial × 2^attempt</c>, capped at <c>max</c>, each reduced by a random share of up to
/// <see cref="Jitter"/> ("equal jitter"), so a fleet of servers that lost the same upstream at the same moment does
/// not reconnect in lock-step. Used by the <see cref="FeedSupervisor"/> (restarting a crashed feed) and by venue
/// adapters (reconnecting). One owner at a time; not thread-safe.
/// </summary>
public sealed class ExponentialBackoff
{
    private readonly Random _random;
    private int _attempt;

    /// <param name="jitter">Share of each delay that is random, 0 (none) to 1 (anywhere between 0 and the delay).</param>
    /// <param name="random">Source of the jitter; tests pass a seeded one.</param>
    public ExponentialBackoff(TimeSpan initial, TimeSpan max, double jitter = 0.5, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 1.0);
        Initial = initial;
        Max = max;
        Jitter = jitter;
        _random = random ?? Random.Shared;
    }

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    public double Jitter { get; }

    /// <summary>Delays handed out since the last <see cref="Reset"/>.</summary>
    public int Attempt => _attempt;

    /// <summary>The ceiling of the next delay, before jitter: initial × 2^attempt, at most <see cref="Max"/>.</summary>
    public TimeSpan NextCeiling
    {
        get
        {
            double ticks = Initial.Ticks * Math.Pow(2, Math.Min(_attempt, 62));
            return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
        }
    }

    /// <summary>The next delay (somewhere in [ceiling × (1 − jitter), ceiling]) and one more attempt.</summary>
    public TimeSpan Next()
    {
        TimeSpan ceiling = NextCeiling;
        _attempt++;
        double share = 1.0 - (Jitter * _random.NextDouble());
        return TimeSpan.FromTicks((long)(ceiling.Ticks * share));
    }

    /// <summary>After a success: the next delay is <see cref="Initial"/> again.</summary>
    public void Reset() => _attempt = 0;
}
