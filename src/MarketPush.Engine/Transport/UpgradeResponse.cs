using System.Text;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The bytes of the HTTP/1.1 101 answer that <see cref="DirectUpgradeMiddleware"/> writes itself, straight to the
/// socket or into the transport's output pipe (RFC 6455 §4.2.2 item 5):
/// <code>
/// HTTP/1.1 101 Switching Protocols\r\n
/// Upgrade: websocket\r\n
/// Connection: Upgrade\r\n
/// Sec-WebSocket-Accept: {accept}\r\n
/// [Sec-WebSocket-Protocol: {protocol}\r\n]      only when a subprotocol was selected
/// [Sec-WebSocket-Extensions: {extensions}\r\n]  only when permessage-deflate was negotiated (RFC 7692 §7.1)
/// \r\n
/// </code>
/// No Date header (RFC 9110 §6.6.1 makes it optional on 1xx) and no Server header (the server sends none). Called once
/// per direct handshake on Kestrel's connection task; formats into the caller's buffer and allocates nothing.
/// </summary>
internal static class UpgradeResponse
{
    private static ReadOnlySpan<byte> Head => "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "u8;

    private static ReadOnlySpan<byte> ProtocolHeader => "\r\nSec-WebSocket-Protocol: "u8;

    private static ReadOnlySpan<byte> ExtensionsHeader => "\r\nSec-WebSocket-Extensions: "u8;

    private static ReadOnlySpan<byte> End => "\r\n\r\n"u8;

    /// <summary>The length of the answer for these header values (all ASCII: a key in base64, our own tokens).</summary>
    public static int GetLength(string acceptKey, string? protocol, string? extensions) =>
        Head.Length
        + acceptKey.Length
        + (protocol is null ? 0 : ProtocolHeader.Length + protocol.Length)
        + (extensions is null ? 0 : ExtensionsHeader.Length + extensions.Length)
        + End.Length;

    /// <summary>Writes the answer to <paramref name="destination"/> (at least <see cref="GetLength"/> bytes); returns its length.</summary>
    public static int Write(Span<byte> destination, string acceptKey, string? protocol, string? extensions)
    {
        ArgumentNullException.ThrowIfNull(acceptKey);
        int length = 0;
        Append(destination, ref length, Head);
        AppendAscii(destination, ref length, acceptKey);
        if (protocol is not null)
        {
            Append(destination, ref length, ProtocolHeader);
            AppendAscii(destination, ref length, protocol);
        }

        if (extensions is not null)
        {
            Append(destination, ref length, ExtensionsHeader);
            AppendAscii(destination, ref length, extensions);
        }

        Append(destination, ref length, End);
        return length;
    }

    private static void Append(Span<byte> destination, ref int length, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[length..]);
        length += bytes.Length;
    }

    private static void AppendAscii(Span<byte> destination, ref int length, string value)
    {
        // Header values are tokens the negotiation chose (never raw client text), so they are ASCII; a non-ASCII char
        // would be a bug upstream, and the encoder's '?' replacement keeps the length what GetLength said.
        length += Encoding.ASCII.GetBytes(value, destination[length..]);
    }
}
