using System.Net;
using MarketPush.Engine.Buffers;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The session layer as the transport sees it: it opens the session of each accepted connection (welcome queued),
/// runs each complete client message, is told when a session ends, and builds the <c>heartbeat</c> message.
/// Defined here and implemented by <c>Sessions.SessionFactory</c>, which the composition root hands to the
/// <see cref="StreamServer"/>, so the transport knows no type of the session layer. Called from request threads
/// (<see cref="Open"/>), receive loops (<see cref="Handle"/>, <see cref="End"/>) and the keepalive timer.
/// </summary>
public interface ISessionHandler
{
    /// <summary>A new session in the negotiated encoding, its welcome queued, not yet registered anywhere.</summary>
    IStreamSession Open(WireEncoding encoding, bool deflate, EndPoint? remote);

    /// <summary>Handles one complete client message (text or binary); <paramref name="payload"/> is valid only during the call.</summary>
    void Handle(IStreamSession session, WebSocketOpcode opcode, ReadOnlySpan<byte> payload);

    /// <summary>The session ended: its subscriptions leave the router and what its conflation slots held goes back to the pool.</summary>
    void End(IStreamSession session);

    /// <summary>A <c>heartbeat</c> message frame in <paramref name="encoding"/>; the caller releases it.</summary>
    SharedFrame BuildHeartbeat(WireEncoding encoding);
}
