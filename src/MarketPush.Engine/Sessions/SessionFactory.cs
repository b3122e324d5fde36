using System.Net;
using MarketPush.Engine.Buffers;
using MarketPush.Protocol.Handshake;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// Creates the logical side of each accepted connection: a <see cref="Session"/> with its bounded
/// <see cref="OutboundQueue"/> and its <c>welcome</c> already queued, so no broadcast can get ahead of it. Built once
/// by the composition root and handed to the transport, which calls <see cref="Open"/> on a request thread after
/// the 101 went out, before the session is registered anywhere. Owns nothing past the call.
/// </summary>
public sealed class SessionFactory
{
    private readonly FrameBuilder _frames;
    private readonly CommandHandler _commands;
    private readonly int _queueMaxFrames;
    private readonly long _queueMaxBytes;

    public SessionFactory(FrameBuilder frames, CommandHandler commands, int queueMaxFrames = OutboundQueue.DefaultMaxFrames, long queueMaxBytes = OutboundQueue.DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueMaxFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueMaxBytes, 1);
        _frames = frames;
        _commands = commands;
        _queueMaxFrames = queueMaxFrames;
        _queueMaxBytes = queueMaxBytes;
    }

    /// <summary>A new session in the negotiated encoding, its welcome queued.</summary>
    public Session Open(WireEncoding encoding, bool deflate, EndPoint? remote)
    {
        var session = new Session(Session.CreateId(), encoding, deflate, new OutboundQueue(_queueMaxFrames, _queueMaxBytes), _frames)
        {
            RemoteEndPoint = remote,
        };

        _commands.SendWelcome(session);
        return session;
    }
}
