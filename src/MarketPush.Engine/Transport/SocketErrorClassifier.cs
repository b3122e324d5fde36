using System.Net.Sockets;

namespace MarketPush.Engine.Transport;

/// <summary>
/// Reads why a socket read or write failed from its <see cref="SocketError"/> code, not from the exception's type or
/// message (a reset surfaces as a SocketException from our own sends, as Kestrel's ConnectionResetException from
/// the transport pipe, or as an IOException wrapping either from an upgraded stream; the code is what they share).
/// Called by a connection's receive and send loops when they end on an exception; pure, any thread.
/// </summary>
/// <remarks>
/// The code sets follow what Kestrel's socket transport treats as a reset and as an abort (SocketConnection's
/// IsConnectionResetError / IsConnectionAbortError), so a connection that goes away is reported the same way
/// whichever side of the pipe noticed it:
/// <list type="bullet">
/// <item>Reset: <c>ConnectionReset</c> (ECONNRESET), <c>Shutdown</c> (EPIPE: writing after the peer closed), and
/// <c>ConnectionAborted</c> on Windows, where a reset is reported that way.</item>
/// <item>Abort: <c>OperationAborted</c> and <c>Interrupted</c> (the I/O was cancelled or the socket disposed under
/// it), and <c>InvalidArgument</c> off Windows, which is what a receive on a socket disposed under it reports there.</item>
/// </list>
/// Everything else (<c>TimedOut</c>, <c>HostUnreachable</c>, <c>NoBufferSpaceAvailable</c>, <c>ConnectionAborted</c>
/// off Windows…) is unexpected: still the end of the connection, but worth a warning.
/// </remarks>
internal static class SocketErrorClassifier
{
    /// <summary>The kind of <paramref name="error"/> on the operating system we run on.</summary>
    public static SocketErrorKind Classify(SocketError error) => Classify(error, OperatingSystem.IsWindows());

    /// <summary>The kind of <paramref name="error"/> on Windows or elsewhere (tests cover both on any host).</summary>
    public static SocketErrorKind Classify(SocketError error, bool windows) => error switch
    {
        SocketError.ConnectionReset or SocketError.Shutdown => SocketErrorKind.Reset,
        SocketError.ConnectionAborted when windows => SocketErrorKind.Reset,
        SocketError.OperationAborted or SocketError.Interrupted => SocketErrorKind.Abort,
        SocketError.InvalidArgument when !windows => SocketErrorKind.Abort,
        _ => SocketErrorKind.Unexpected,
    };

    /// <summary>
    /// True when <paramref name="exception"/> is how a connection's I/O ends (with its kind); false for anything else,
    /// which is a bug in our code and is logged as an error by the caller.
    /// </summary>
    public static bool TryClassify(Exception exception, out SocketErrorKind kind)
    {
        switch (exception)
        {
            case SocketException socket:
                kind = Classify(socket.SocketErrorCode);
                return true;

            // Kestrel's ConnectionResetException and the IOExceptions of NetworkStream and of upgraded streams carry
            // the socket's error as their inner exception when there was one: the code decides.
            case IOException { InnerException: SocketException inner }:
                kind = Classify(inner.SocketErrorCode);
                return true;

            // Kestrel already classified it by code (and kept none for us) or an upgraded stream ended under a read:
            // the peer is gone.
            case IOException:
                kind = SocketErrorKind.Reset;
                return true;

            // Our Abort (CancelPendingRead/Flush, ConnectionAbortedException, which is an OperationCanceledException)
            // or the transport disposed under a pending operation.
            case OperationCanceledException or ObjectDisposedException:
                kind = SocketErrorKind.Abort;
                return true;

            default:
                kind = default;
                return false;
        }
    }
}
