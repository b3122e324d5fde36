using System.IO.Pipelines;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Transport;

/// <summary>
/// Exactly what a <see cref="Connection"/> uses, and nothing else: built once by <see cref="StreamServer"/> from what
/// the composition root gave it, shared (read-only) by every connection's receive loop, send loop and keepalive tick.
/// Owns nothing; the server owns the pool, the registry and the gate.
/// </summary>
/// <param name="Frames">Control frames (ping, pong, close).</param>
/// <param name="Handler">The session layer: runs each complete client message, is told when a session ends, builds heartbeats.</param>
/// <param name="Sessions">Where a running connection's session is registered (broadcasts, keepalive, shutdown).</param>
/// <param name="Gate">Whether shutdown began (a session that registers late is closed with 1001).</param>
/// <param name="Readers">Frame readers lent while a message is in flight.</param>
/// <param name="Metrics">Send-loop and session-closed metrics.</param>
/// <param name="Time">Timestamps for liveness and send-loop latency.</param>
/// <param name="Timing">Heartbeat, close-timeout and keepalive-interval figures in timestamp units.</param>
/// <param name="StreamReaderOptions">Pipes over an upgraded stream (the HTTP-pipeline path): zero-byte reads first.</param>
/// <param name="StreamWriterOptions">The output pipe over an upgraded stream.</param>
/// <param name="SocketWrites">Whether direct-upgraded connections write straight to the socket or through their pipe (<see cref="StreamOptions.SocketWriteMode"/>).</param>
internal sealed record ConnectionServices(
    FrameBuilder Frames,
    ISessionHandler Handler,
    SessionRegistry Sessions,
    ConnectionGate Gate,
    MessageReaderPool Readers,
    MarketPushMetrics Metrics,
    TimeProvider Time,
    ConnectionTiming Timing,
    StreamPipeReaderOptions StreamReaderOptions,
    StreamPipeWriterOptions StreamWriterOptions,
    SocketWriteMode SocketWrites);
