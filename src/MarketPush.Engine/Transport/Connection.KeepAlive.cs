using MarketPush.Engine.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Transport;

// Liveness, driven by the one shared KeepAliveMonitor timer (never a timer per connection).
internal sealed partial class Connection
{
    // Only the keepalive timer thread touches these two.
    private long _lastPingTimestamp;
    private long _closingSinceTimestamp;

    /// <summary>
    /// PROTOCOL.md "Liveness": ping after heartbeatMs without a frame from the client, close 4002 after two intervals
    /// without one (and at least half an interval after the ping), a <c>heartbeat</c> message after heartbeatMs
    /// without a data message to the client (browsers cannot see pings), and an abort when a close handshake has not
    /// finished within the close timeout.
    /// </summary>
    public void OnKeepAliveTick(long timestamp)
    {
        if (_finished)
        {
            return;
        }

        if (_session.IsClosing)
        {
            if (_closingSinceTimestamp == 0)
            {
                _closingSinceTimestamp = timestamp;
            }
            else if (timestamp - _closingSinceTimestamp > _services.Timing.CloseTimeoutTicks)
            {
                Abort();
            }

            return;
        }

        long heartbeat = _services.Timing.HeartbeatTicks;
        long lastReceive = Volatile.Read(ref _lastReceiveTimestamp);
        long silence = timestamp - lastReceive;
        bool pinged = _lastPingTimestamp > lastReceive;

        // Close only a client that was pinged and had time to answer: if this timer ran late (a busy machine can
        // delay a tick past a whole interval), silence alone would close a healthy client that was never asked.
        if (silence >= 2 * heartbeat && pinged && timestamp - _lastPingTimestamp >= heartbeat / 2)
        {
            _session.Close(DisconnectReasons.HeartbeatTimeout);
            return;
        }

        // One ping per silent stretch: any frame from the client (its pong included) starts a new stretch.
        if (silence >= heartbeat && !pinged)
        {
            _lastPingTimestamp = timestamp;
            SharedFrame ping = _services.Frames.BuildFrame(WebSocketOpcode.Ping, []);
            _session.Queue.TryEnqueueControl(ping);
            ping.Release();
        }

        long sinceData = timestamp - Volatile.Read(ref _lastDataSentTimestamp);
        if (sinceData >= heartbeat && !PostponeHeartbeat(silence, sinceData, heartbeat, pinged))
        {
            // Pretend it went out now, so a slow send loop does not get one heartbeat per tick.
            Volatile.Write(ref _lastDataSentTimestamp, timestamp);
            SharedFrame message = _services.Handler.BuildHeartbeat(_session.Encoding);
            _session.TryEnqueue(message);
            message.Release();
        }
    }

    /// <summary>
    /// True when the <c>heartbeat</c> message should wait for the next tick because the client's ping falls due then:
    /// both then leave in one write, and the client's one pong answers the pair, instead of a write for the message now
    /// and another write plus a pong one interval later. An idle connection otherwise drifts into that split (the
    /// pong restarts the silence clock a moment after the message restarted the data clock), which cost two wake-ups
    /// of its send loop per cycle (loadtests/results/idle-memory.md, G5). Postponed once at most (the message is then
    /// less than half an interval overdue), so it still goes out within 1.25 × heartbeatMs plus timer lateness, the
    /// same bound the ping has.
    /// </summary>
    private bool PostponeHeartbeat(long silence, long sinceData, long heartbeat, bool pinged)
    {
        long interval = _services.Timing.KeepAliveIntervalTicks;
        bool pingDueNextTick = !pinged && silence < heartbeat && silence + interval >= heartbeat;
        return pingDueNextTick && sinceData < heartbeat + (interval / 2);
    }
}
