using System.Diagnostics.CodeAnalysis;

namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// The only place the framing code throws, and only for programmer errors (a destination too small, a control frame
/// longer than 125 bytes, a bad option). Peer input never throws: it becomes a <see cref="MessageReadStatus"/>.
/// Keeping throws out of line keeps the callers small enough to inline.
/// </summary>
internal static class WebSocketThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName);

    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowDestinationTooSmall(string paramName) =>
        throw new ArgumentException("Destination is too small for the frame.", paramName);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().FullName);
}
