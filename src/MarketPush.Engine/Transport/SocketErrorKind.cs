namespace MarketPush.Engine.Transport;

/// <summary>
/// How a failed socket read or write ended, as <see cref="SocketErrorClassifier"/> reads its error code: decides the
/// log level of a connection's end (its disconnect reason is <c>connection_lost</c> in every case).
/// </summary>
internal enum SocketErrorKind
{
    /// <summary>The peer went away (reset, or the connection was shut down under us): expected, logged at debug.</summary>
    Reset,

    /// <summary>Our own side cancelled or disposed the I/O (an abort, a shutdown): expected, not logged.</summary>
    Abort,

    /// <summary>Any other socket error code (unreachable, timed out, out of buffers…): worth a warning.</summary>
    Unexpected,
}
