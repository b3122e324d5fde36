namespace MarketPush.Engine.Sessions;

/// <summary>
/// PROTOCOL.md: "a connection that gets more than 20 error replies in 10 seconds (both configurable) is closed with
/// 1008". Remembers the times of the last <c>max + 1</c> error replies in a small ring (allocated on the first
/// error, so a well-behaved session pays nothing) and reports when the newest one makes more than <c>max</c> within
/// the window. Used by one session's receive loop only; not thread-safe.
/// </summary>
public sealed class BadCommandLimiter
{
    private readonly int _maxErrors;
    private readonly long _windowTicks;
    private readonly TimeProvider _time;
    private long[]? _times;
    private int _next;
    private long _count;

    public BadCommandLimiter(int maxErrors, TimeSpan window, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxErrors, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _maxErrors = maxErrors;
        _time = timeProvider ?? TimeProvider.System;
        _windowTicks = Math.Max(1, (long)(window.TotalSeconds * _time.TimestampFrequency));
    }

    /// <summary>Error replies recorded so far.</summary>
    public long Count => _count;

    /// <summary>
    /// Records one error reply. True when it is more than the allowed number within the window: the caller sends
    /// the reply and then closes with 1008.
    /// </summary>
    public bool RecordError()
    {
        long now = _time.GetTimestamp();
        long[] times = _times ??= new long[_maxErrors + 1];
        _count++;
        times[_next] = now;
        _next = (_next + 1) % times.Length;
        // After the write, _next points at the oldest of the last max + 1 errors (when there are that many).
        return _count > _maxErrors && now - times[_next] < _windowTicks;
    }
}
