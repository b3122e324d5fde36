namespace MarketPush.Engine.Transport;

/// <summary>
/// Settings of the WebSocket transport, fixed at startup (the server maps its command line onto them). Read by the
/// endpoint, every connection and the keepalive timer; immutable after construction.
/// </summary>
public sealed class StreamOptions
{
    /// <summary>The WebSocket endpoint (PROTOCOL.md).</summary>
    public string Path { get; init; } = "/v1/stream";

    /// <summary>Ping after this much silence from the client; close 4002 after twice this (PROTOCOL.md).</summary>
    public int HeartbeatMs { get; init; } = 15_000;

    /// <summary>Messages shorter than this go uncompressed even to permessage-deflate sessions.</summary>
    public int CompressionThresholdBytes { get; init; } = 256;

    /// <summary>Largest client message, after decompression; larger closes with 1009.</summary>
    public int MaxMessageBytes { get; init; } = 16 * 1024;

    /// <summary>How long shutdown waits for clients to answer close 1001 before aborting them.</summary>
    public int ShutdownTimeoutMs { get; init; } = 5_000;

    /// <summary>How long any close handshake may take (our close sent, waiting for the client's) before the connection is dropped.</summary>
    public int CloseTimeoutMs { get; init; } = 5_000;

    /// <summary>Bound of each session's outbound queue in frames.</summary>
    public int QueueMaxFrames { get; init; } = 1024;

    /// <summary>Bound of each session's outbound queue in bytes.</summary>
    public long QueueMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Size of the receive buffer rented while bytes are arriving (none is held while idle) on connections upgraded
    /// through the HTTP pipeline; direct connections read into the socket transport's pooled blocks.
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = 4096;

    /// <summary>
    /// Largest request head (request line and headers) the direct upgrade path reads; a longer one goes to Kestrel's
    /// HTTP pipeline, which has its own limits (32 KiB by default).
    /// </summary>
    public int MaxHandshakeBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// How long the direct upgrade path waits for a complete request head on a new connection before handing it to
    /// Kestrel's HTTP pipeline and its request timeouts.
    /// </summary>
    public int HandshakeTimeoutMs { get; init; } = 10_000;

    /// <summary>
    /// Most WebSocket connections open at once; 0 = unlimited. An upgrade over it gets HTTP 503 with
    /// <c>Retry-After</c> (PROTOCOL.md "Limits"), so a crowded node sheds load before it runs out of memory.
    /// </summary>
    public int MaxConnections { get; init; }

    /// <summary>The <c>Retry-After</c> seconds sent with the 503 for an upgrade over <see cref="MaxConnections"/>.</summary>
    public int ConnectionLimitRetryAfterSeconds { get; init; } = 5;

    /// <summary>
    /// How direct-upgraded connections over Kestrel's socket transport reach the wire: straight to the socket (the
    /// default) or always through the transport's output pipe (A/B measurements, or a transport where direct writes
    /// misbehave). Other connections always use their pipe. The server's <c>--socket-writes</c>.
    /// </summary>
    public SocketWriteMode SocketWriteMode { get; init; } = SocketWriteMode.Socket;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(HeartbeatMs, 10, nameof(HeartbeatMs));
        ArgumentOutOfRangeException.ThrowIfNegative(CompressionThresholdBytes, nameof(CompressionThresholdBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 125, nameof(MaxMessageBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(ShutdownTimeoutMs, nameof(ShutdownTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeoutMs, 1, nameof(CloseTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueMaxFrames, 1, nameof(QueueMaxFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueMaxBytes, 1, nameof(QueueMaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveBufferBytes, 256, nameof(ReceiveBufferBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHandshakeBytes, 256, nameof(MaxHandshakeBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(HandshakeTimeoutMs, 1, nameof(HandshakeTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxConnections, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConnectionLimitRetryAfterSeconds, 1, nameof(ConnectionLimitRetryAfterSeconds));
        if (!Enum.IsDefined(SocketWriteMode))
        {
            throw new ArgumentOutOfRangeException(nameof(SocketWriteMode), SocketWriteMode, "Socket or Pipe.");
        }

        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
        {
            throw new ArgumentException("The stream path starts with '/'.", nameof(Path));
        }
    }
}
