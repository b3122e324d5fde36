using MarketPush.Engine.Buffers;
using MarketPush.Protocol.Handshake;

namespace MarketPush.Engine.Transport;

/// <summary>
/// A logical session as the transport drives it: the queue its send loop drains, the close it negotiates, the
/// encoding its heartbeat and errors use. Defined here, by the stage that carries sessions, and implemented by
/// <c>Sessions.Session</c>, so the session layer depends on the transport and never the other way round. Called from
/// the connection's receive and send loops, the keepalive timer and shutdown, concurrently; every member is
/// thread-safe in the implementation.
/// </summary>
public interface IStreamSession
{
    string Id { get; }

    WireEncoding Encoding { get; }

    /// <summary>The frames waiting for the send loop; every frame the server writes goes through it.</summary>
    OutboundQueue Queue { get; }

    /// <summary>The physical side, once a connection carries the session (the keepalive timer and shutdown reach it so).</summary>
    ISessionTransport? Transport { get; }

    /// <summary>Why the session ended or is ending; null while open. The first reason set wins.</summary>
    DisconnectReason? CloseReason { get; }

    bool IsClosing { get; }

    /// <summary>Called once by the connection that carries the session, before anything can reach it.</summary>
    void AttachTransport(ISessionTransport transport);

    /// <summary>Queues a frame (taking its own reference).</summary>
    EnqueueResult TryEnqueue(SharedFrame frame);

    /// <summary>Queues a message in the session's variant (compressed or plain).</summary>
    EnqueueResult TryEnqueue(OutboundMessage message);

    /// <summary>Starts the close handshake with a close frame for <paramref name="reason"/>; false when already closing.</summary>
    bool Close(DisconnectReason reason, bool afterQueuedData = false);

    /// <summary>Starts the close handshake with a prebuilt (shared) close frame; false when already closing.</summary>
    bool Close(DisconnectReason reason, SharedFrame closeFrame);

    /// <summary>Records why the session ends without closing it; false when a reason was already set.</summary>
    bool TrySetCloseReason(DisconnectReason reason);

    /// <summary>Drops the connection now, without a close handshake.</summary>
    void Abort();
}
