using MarketPush.Protocol.WebSockets;

namespace MarketPush.LoadGen.Net;

/// <summary>
/// One simulated client's state: socket, frame reader, the few bytes of an incomplete frame header carried between
/// reads, unsent bytes, per-symbol last sequence numbers and timers. Plain data owned by one <see cref="IoWorker"/>,
/// which is the only thread that touches it; the logic lives in the worker. About 0.5 KiB per connection plus
/// 8 bytes per subscribed symbol, and nothing per message.
/// </summary>
internal sealed class ClientConnection
{
    public ClientConnection(int ordinal, int globalIndex, int symbolStart, int symbolCount, bool isSlow)
    {
        Ordinal = ordinal;
        GlobalIndex = globalIndex;
        SymbolStart = symbolStart;
        LastSeq = new long[symbolCount];
        IsSlow = isSlow;
    }

    /// <summary>Slot in the worker's table (and the low half of the epoll user data).</summary>
    public int Ordinal { get; }

    /// <summary>Connection number across all workers: decides symbols and slowness (see <c>ScenarioPlan</c>).</summary>
    public int GlobalIndex { get; }

    public int SymbolStart { get; }

    /// <summary>Last seq seen per subscribed symbol (0 = none yet), indexed by the symbol's local slot.</summary>
    public long[] LastSeq { get; }

    public bool IsSlow { get; }

    public int Fd { get; set; } = -1;

    /// <summary>Bumped whenever the fd closes, so a stale epoll event for an earlier socket is ignored.</summary>
    public uint Generation { get; set; }

    public ConnectionState State { get; set; }

    /// <summary>Stopwatch timestamp of the connect() call of the current attempt.</summary>
    public long ConnectStartedAt { get; set; }

    /// <summary>Stopwatch timestamp of a deadline that depends on the state (handshake, close, hold, retry).</summary>
    public long DeadlineAt { get; set; }

    public long NextPingAt { get; set; }

    public byte[]? HandshakeBuffer { get; set; }

    public int HandshakeLength { get; set; }

    public string? ExpectedAccept { get; set; }

    public MessageReader? Reader { get; set; }

    public bool Welcomed { get; set; }

    public bool Ready { get; set; }

    public int PendingSubscribeReplies { get; set; }

    /// <summary>
    /// The frame reader holds part of a message (a fragment, a split payload, or bytes after a control frame): every
    /// byte goes to it until it delivers a data message. False at a frame boundary, where the fast path may parse.
    /// </summary>
    public bool ReaderBusy { get; set; }

    /// <summary>Bytes of an incomplete frame header (at most 13) to present again before the next read.</summary>
    public byte[] Carry { get; } = new byte[16];

    public int CarryLength { get; set; }

    public byte[]? Outbox { get; set; }

    public int OutboxLength { get; set; }

    /// <summary>The epoll interest set registered for <see cref="Fd"/> (0 = not registered yet).</summary>
    public uint Interest { get; set; }

    /// <summary>The runner started the close (end of run, ramp-down, churn): the server's reply is not a "close by server".</summary>
    public bool ClosedByRunner { get; set; }

    /// <summary>When true the slot is not reopened after it closes (ramp-down, end of run, server-initiated close).</summary>
    public bool Retired { get; set; }
}
