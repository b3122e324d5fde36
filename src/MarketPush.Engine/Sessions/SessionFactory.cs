using System.Net;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// The session layer as the transport reaches it (<see cref="ISessionHandler"/>): creates the logical side of each
/// accepted connection, a <see cref="Session"/> with its bounded <see cref="OutboundQueue"/> and its <c>welcome</c>
/// already queued, so no broadcast can get ahead of it; hands each client message to the
/// <see cref="CommandHandler"/>; ends sessions; builds heartbeats. Built once by the composition root and handed to
/// the transport, which calls <see cref="Open"/> on a request thread after the 101 went out, before the session is
/// registered anywhere. Owns nothing; the sessions it opens are only ever <see cref="Session"/>s.
/// </summary>
public sealed class SessionFactory : ISessionHandler
{
    private readonly FrameBuilder _frames;
    private readonly CommandHandler _commands;
    private readonly ServerMessages _messages;
    private readonly int _queueMaxFrames;
    private readonly long _queueMaxBytes;

    public SessionFactory(
        FrameBuilder frames,
        ServerMessages messages,
        CommandHandler commands,
        int queueMaxFrames = OutboundQueue.DefaultMaxFrames,
        long queueMaxBytes = OutboundQueue.DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(commands);
        _messages = messages;
        ArgumentOutOfRangeException.ThrowIfLessThan(queueMaxFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueMaxBytes, 1);
        _frames = frames;
        _commands = commands;
        _queueMaxFrames = queueMaxFrames;
        _queueMaxBytes = queueMaxBytes;
    }

    /// <summary>A new session in the negotiated encoding, its welcome queued.</summary>
    public IStreamSession Open(WireEncoding encoding, bool deflate, EndPoint? remote)
    {
        var session = new Session(Session.CreateId(), encoding, deflate, new OutboundQueue(_queueMaxFrames, _queueMaxBytes), _frames)
        {
            RemoteEndPoint = remote,
        };

        _commands.SendWelcome(session);
        return session;
    }

    public void Handle(IStreamSession session, WebSocketOpcode opcode, ReadOnlySpan<byte> payload) => _commands.Handle((Session)session, opcode, payload);

    public void End(IStreamSession session) => _commands.EndSession((Session)session);

    public SharedFrame BuildHeartbeat(WireEncoding encoding) => _messages.BuildHeartbeat(encoding);
}
