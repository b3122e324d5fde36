namespace MarketPush.Engine.Transport;

/// <summary>
/// The one seam between a logical session (<see cref="IStreamSession.Transport"/>) and the physical connection
/// carrying it (implemented by <see cref="Connection"/>; tests use a fake or none). The shared keepalive timer and graceful shutdown reach
/// the physical side through it without the session knowing about sockets.
/// </summary>
public interface ISessionTransport
{
    /// <summary>
    /// Keepalive tick from the one shared timer thread (timestamps from <see cref="TimeProvider.GetTimestamp"/>):
    /// the transport decides to ping, to close with 4002, or to abort a close handshake that ran out of time.
    /// Must not block.
    /// </summary>
    void OnKeepAliveTick(long timestamp);

    /// <summary>Drops the connection now, without a close handshake (shutdown deadline passed, peer unresponsive).</summary>
    void Abort();
}
