namespace MarketPush.Engine.Sessions;

/// <summary>
/// A token bucket over one connection's commands: <c>burst</c> commands at once, then <c>ratePerSecond</c>
/// sustained; a command beyond that gets an <c>error</c> with code <c>rate_limited</c> and is not executed (which also
/// counts towards the 1008 limit of <see cref="BadCommandLimiter"/>). Keeps a runaway client from making the server
/// encode snapshots in a loop. Used by one session's receive loop only; not thread-safe.
/// </summary>
public sealed class CommandRateLimiter
{
    private readonly double _ratePerTick;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public CommandRateLimiter(double ratePerSecond, int burst, TimeProvider? timeProvider = null)
    {
        if (!double.IsFinite(ratePerSecond) || ratePerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "Must be a positive number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = timeProvider ?? TimeProvider.System;
        _ratePerTick = ratePerSecond / _time.TimestampFrequency;
        _burst = burst;
        _tokens = burst;
        _last = _time.GetTimestamp();
    }

    /// <summary>Takes one token; false when the command must be refused with <c>rate_limited</c>.</summary>
    public bool TryAcquire()
    {
        long now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + ((now - _last) * _ratePerTick));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
