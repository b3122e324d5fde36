namespace MarketPush.Engine.Transport;

/// <summary>
/// How the send loop of a direct-upgraded connection (<see cref="DirectUpgradeMiddleware"/> over Kestrel's plain
/// socket transport) reaches the wire; set once in <see cref="StreamOptions.SocketWriteMode"/> and fixed for every
/// connection's life. Connections upgraded through the HTTP pipeline, under TLS, or over any other transport always
/// write through their output pipe, whatever the mode.
/// </summary>
public enum SocketWriteMode
{
    /// <summary>
    /// The 101 and every frame go straight to the socket with a non-blocking <c>send()</c> from the send loop
    /// (awaiting only when the kernel's buffer is full); the transport's output pipe is never written. The default:
    /// it saves the pipe flush and the hop to the transport's sender on every write (issue 6, G2).
    /// </summary>
    Socket,

    /// <summary>
    /// Everything through the transport's output pipe, sent by Kestrel's own send loop: for A/B measurements, or a
    /// host where direct writes misbehave.
    /// </summary>
    Pipe,
}
