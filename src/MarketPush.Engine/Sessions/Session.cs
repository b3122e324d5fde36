using System.Net;
using System.Security.Cryptography;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// One client's logical session: who it is (id, encoding, compression), its <see cref="OutboundQueue"/>, its
/// counters and, once decided, why it ended. Built by the stream endpoint after the handshake; constructible without a
/// socket, so routing and command tests drive it directly and read the queue.
/// </summary>
/// <remarks>
/// Threads: producers (router, command handler on the receive loop, keepalive timer, shutdown) call
/// <see cref="TryEnqueue(OutboundMessage)"/> and <see cref="Close"/> concurrently; the connection's send loop drains
/// <see cref="Queue"/>. The first <see cref="Close"/> wins and fixes <see cref="CloseReason"/>. Owns its queue (and
/// through it the queued frame references) and, from its first subscribe, its <see cref="Subscriptions"/> (whose
/// conflation slots hold the updates the queue had no room for); not the connection, which it reaches through
/// <see cref="Transport"/>. The router never sees the session itself, only its <see cref="Subscription"/> objects.
/// </remarks>
public sealed class Session : IStreamSession
{
    private readonly FrameBuilder _frames;
    private DisconnectReason? _closeReason;
    private SubscriptionTable? _subscriptions;
    private long _messagesReceived;
    private long _errorReplies;

    public Session(string id, WireEncoding encoding, bool compression, OutboundQueue queue, FrameBuilder frames)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(frames);
        Id = id;
        Encoding = encoding;
        Compression = compression;
        Queue = queue;
        _frames = frames;
    }

    public string Id { get; }

    /// <summary>JSON (text frames) or MessagePack (binary frames), from the negotiated subprotocol.</summary>
    public WireEncoding Encoding { get; }

    /// <summary>True when permessage-deflate was negotiated: the session gets the compressed variant of messages.</summary>
    public bool Compression { get; }

    public OutboundQueue Queue { get; }

    /// <summary>When the session was created (right after the 101), UTC: the admin API's connected-at and age.</summary>
    public DateTime ConnectedAtUtc { get; } = DateTime.UtcNow;

    /// <summary>
    /// The client's address and port as the transport saw them, for operators (admin API); set once by the transport at
    /// the upgrade, null when unknown (sessions built by tests, a transport that does not report it). Diagnostics only:
    /// behind a proxy it is the proxy's address.
    /// </summary>
    public EndPoint? RemoteEndPoint { get; set; }

    /// <summary>The physical connection, when there is one. Set once by the transport right after the upgrade.</summary>
    public ISessionTransport? Transport { get; private set; }

    /// <summary>Why the session ended or is ending; null while open.</summary>
    public DisconnectReason? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsClosing => CloseReason is not null;

    /// <summary>
    /// The session's subscriptions and their conflation slots; created by the command handler at the first subscribe
    /// (receive loop), so a connection that never subscribes holds none of it. Null until then.
    /// </summary>
    public SubscriptionTable? Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Error replies in the current window (1008 past the limit); receive loop only, created at the first error.</summary>
    internal BadCommandLimiter? BadCommands { get; set; }

    /// <summary>The command token bucket (<c>rate_limited</c>); receive loop only, created at the first command.</summary>
    internal CommandRateLimiter? CommandRate { get; set; }

    /// <summary>Client messages (text/binary) received.</summary>
    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    /// <summary>Error replies sent (bad_request, unknown_op…).</summary>
    public long ErrorReplies => Interlocked.Read(ref _errorReplies);

    /// <summary>A new session id: 16 hex digits from a CSPRNG, so ids are unguessable and unique across nodes.</summary>
    public static string CreateId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public void AttachTransport(ISessionTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (Transport is not null)
        {
            throw new InvalidOperationException("The session already has a transport.");
        }

        Transport = transport;
    }

    /// <summary>Attaches the market-data state (once; the command handler does it at the first subscribe).</summary>
    public void AttachSubscriptions(SubscriptionTable subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (Interlocked.CompareExchange(ref _subscriptions, subscriptions, null) is not null)
        {
            throw new InvalidOperationException("The session already has a subscription table.");
        }
    }

    /// <summary>Queues the variant of <paramref name="message"/> this session needs (compressed or plain).</summary>
    public EnqueueResult TryEnqueue(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Queue.TryEnqueue(message.GetFrame(Compression));
    }

    /// <summary>Queues a frame built for this session alone (replies) or already chosen for its variant.</summary>
    public EnqueueResult TryEnqueue(SharedFrame frame) => Queue.TryEnqueue(frame);

    /// <summary>
    /// Starts the close handshake from the server side: records <paramref name="reason"/> and queues a close frame
    /// with its code ahead of pending data (or behind it, with <paramref name="afterQueuedData"/>: the 1008 for too
    /// many bad commands follows the error replies). Returns false when the session was already closing (the first
    /// reason stands). Reasons that are never sent on the wire (1006, connection lost) are only recorded.
    /// </summary>
    public bool Close(DisconnectReason reason, bool afterQueuedData = false)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (!TrySetCloseReason(reason))
        {
            return false;
        }

        if (reason.Code != DisconnectReasons.AbnormalClosureCode)
        {
            SharedFrame frame = _frames.BuildCloseFrame(reason.Code, reason.Description);
            Queue.TryEnqueueClose(frame, afterQueuedData);
            frame.Release();
        }

        return true;
    }

    /// <summary>
    /// Queues <paramref name="closeFrame"/> (built once for many sessions, e.g. the shutdown 1001) as this session's
    /// close. Returns false when the session was already closing.
    /// </summary>
    public bool Close(DisconnectReason reason, SharedFrame closeFrame)
    {
        ArgumentNullException.ThrowIfNull(closeFrame);
        if (!TrySetCloseReason(reason))
        {
            return false;
        }

        Queue.TryEnqueueClose(closeFrame);
        return true;
    }

    /// <summary>Records why the session ends without sending anything (the first reason wins).</summary>
    public bool TrySetCloseReason(DisconnectReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return Interlocked.CompareExchange(ref _closeReason, reason, null) is null;
    }

    /// <summary>Drops the connection without a handshake (no-op without a transport).</summary>
    public void Abort() => Transport?.Abort();

    internal void CountMessageReceived() => Interlocked.Increment(ref _messagesReceived);

    internal void CountErrorReply() => Interlocked.Increment(ref _errorReplies);

    public override string ToString() => $"session {Id} ({Encoding}{(Compression ? ", deflate" : string.Empty)})";
}
