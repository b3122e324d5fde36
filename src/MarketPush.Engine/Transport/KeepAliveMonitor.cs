using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The one liveness timer for all connections: every heartbeatMs/4 it walks the <see cref="SessionRegistry"/>
/// snapshot and gives each transport a tick (<see cref="ISessionTransport.OnKeepAliveTick"/>), which decides to ping,
/// close with 4002, send a <c>heartbeat</c> message or drop a close handshake that ran out of time.
/// </summary>
/// <remarks>
/// One <see cref="PeriodicTimer"/> loop instead of a timer per connection: 8,000 idle connections cost one wake-up
/// per interval and no timer objects each. Runs on a thread-pool thread; ticks must not block. A tick is at most
/// one interval late, so a ping goes out between heartbeatMs and 1.25 × heartbeatMs of silence.
/// </remarks>
public sealed class KeepAliveMonitor : IAsyncDisposable
{
    private readonly SessionRegistry _sessions;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public KeepAliveMonitor(SessionRegistry sessions, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _sessions = sessions;
        _interval = interval;
        _time = time;
        _logger = logger;
        IntervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    }

    public TimeSpan Interval => _interval;

    /// <summary><see cref="Interval"/> in <see cref="TimeProvider.GetTimestamp"/> units (what a tick compares against).</summary>
    internal long IntervalTicks { get; }

    public void Start()
    {
        if (_loop == Task.CompletedTask)
        {
            _loop = RunAsync();
        }
    }

    /// <summary>One pass over every open session (the timer calls it; tests may call it with a manual clock).</summary>
    public void Tick()
    {
        long now = _time.GetTimestamp();
        foreach (IStreamSession session in _sessions.Snapshot())
        {
            try
            {
                session.Transport?.OnKeepAliveTick(now);
            }
            catch (Exception ex)
            {
                // One broken session must not stop liveness checks for the others.
                _logger.LogError(ex, "Keepalive tick failed for {Session}", session.Id);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            Tick();
        }
    }
}
