using System.Buffers.Binary;

namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// Writes RFC 6455 frames into caller-owned memory. The router calls it once per outbound message and wire variant
/// to build a shared frame (server frames are unmasked, so header and payload are the same bytes for every
/// subscriber); the close path and the test/load-generator clients (masked frames) call it too. Stateless, any
/// thread, allocates nothing; owns no buffers.
/// </summary>
/// <remarks>
/// The frame header (RFC 6455 §5.2), most significant bit first, network byte order:
/// <code>
///  byte 0                  byte 1
///  7   6    5    4   3..0    7     6..0
/// +---+----+----+----+------+------+-----------+
/// |FIN|RSV1|RSV2|RSV3|opcode| MASK | len7      |   len7 0..125: payload length
/// +---+----+----+----+------+------+-----------+        126: 16-bit length follows
///                                                       127: 64-bit length follows (top bit 0)
/// +-----------------------------------------------------+
/// | extended length: 0, 2 or 8 bytes, big-endian         |
/// +-----------------------------------------------------+
/// | mask key: 4 bytes, only when MASK = 1                |
/// +-----------------------------------------------------+
/// | payload (XORed with the key when masked, §5.3)       |
/// +-----------------------------------------------------+
/// </code>
/// So a header is 2 + {0, 2, 8} + {0, 4} bytes: 2..14. RSV1 marks a permessage-deflate message on its first frame
/// (RFC 7692 §6). Control frames (opcode 0x8–0xF) carry at most 125 bytes and are never fragmented (§5.5).
/// Lengths use the shortest form, as §5.2 requires of senders.
/// </remarks>
public static class FrameWriter
{
    public const int MaxHeaderLength = 14;

    /// <summary>Largest payload a control frame may carry (RFC 6455 §5.5).</summary>
    public const int MaxControlPayloadLength = 125;

    /// <summary>Largest close reason: the control payload minus the 2-byte status code (§5.5.1).</summary>
    public const int MaxCloseReasonLength = MaxControlPayloadLength - 2;

    public static int GetHeaderLength(long payloadLength, bool masked)
    {
        if (payloadLength < 0)
        {
            WebSocketThrowHelper.ThrowArgumentOutOfRange(nameof(payloadLength));
        }

        int length = payloadLength switch
        {
            <= 125 => 2,
            <= ushort.MaxValue => 4,
            _ => 10,
        };
        return masked ? length + 4 : length;
    }

    /// <summary>
    /// Writes a frame header announcing <paramref name="payloadLength"/> bytes and returns its length. With a
    /// <paramref name="maskKey"/> (little-endian read of the 4 key bytes, as <see cref="Masking.Apply"/>) the MASK bit
    /// and key are written; masking the payload is then the caller's job.
    /// </summary>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, bool fin, bool compressed, long payloadLength, uint? maskKey = null)
    {
        ValidateFrame(opcode, fin, compressed, payloadLength);
        bool masked = maskKey.HasValue;
        int headerLength = GetHeaderLength(payloadLength, masked);
        if (destination.Length < headerLength)
        {
            WebSocketThrowHelper.ThrowDestinationTooSmall(nameof(destination));
        }

        destination[0] = (byte)((fin ? 0x80 : 0) | (compressed ? 0x40 : 0) | (byte)opcode);
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        int offset;
        if (payloadLength <= 125)
        {
            destination[1] = (byte)(maskBit | (byte)payloadLength);
            offset = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)payloadLength);
            offset = 4;
        }
        else
        {
            destination[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(2), (ulong)payloadLength);
            offset = 10;
        }

        if (masked)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(offset), maskKey.GetValueOrDefault());
        }

        return headerLength;
    }

    /// <summary>Writes header and payload (masked in the destination when <paramref name="maskKey"/> is given).</summary>
    public static int WriteFrame(Span<byte> destination, WebSocketOpcode opcode, bool fin, bool compressed, ReadOnlySpan<byte> payload, uint? maskKey = null)
    {
        int total = GetHeaderLength(payload.Length, maskKey.HasValue) + payload.Length;
        if (destination.Length < total)
        {
            WebSocketThrowHelper.ThrowDestinationTooSmall(nameof(destination));
        }

        int headerLength = WriteHeader(destination, opcode, fin, compressed, payload.Length, maskKey);
        Span<byte> payloadDestination = destination.Slice(headerLength, payload.Length);
        payload.CopyTo(payloadDestination);
        if (maskKey.HasValue)
        {
            Masking.Apply(payloadDestination, maskKey.GetValueOrDefault(), 0);
        }

        return total;
    }

    /// <summary>
    /// Writes a close frame with a status code and a UTF-8 reason of at most 123 bytes (§5.5.1). The code must be one
    /// a peer accepts (<see cref="CloseCodes.IsValidInCloseFrame"/>): 1005/1006/1015 are never sent on the wire.
    /// </summary>
    public static int WriteCloseFrame(Span<byte> destination, ushort code, ReadOnlySpan<byte> reasonUtf8, uint? maskKey = null)
    {
        if (!CloseCodes.IsValidInCloseFrame(code))
        {
            WebSocketThrowHelper.ThrowArgumentOutOfRange(nameof(code));
        }

        if (reasonUtf8.Length > MaxCloseReasonLength)
        {
            WebSocketThrowHelper.ThrowArgument("A close reason is at most 123 bytes.", nameof(reasonUtf8));
        }

        int payloadLength = 2 + reasonUtf8.Length;
        int headerLength = GetHeaderLength(payloadLength, maskKey.HasValue);
        if (destination.Length < headerLength + payloadLength)
        {
            WebSocketThrowHelper.ThrowDestinationTooSmall(nameof(destination));
        }

        WriteHeader(destination, WebSocketOpcode.Close, fin: true, compressed: false, payloadLength, maskKey);
        Span<byte> payload = destination.Slice(headerLength, payloadLength);
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reasonUtf8.CopyTo(payload.Slice(2));
        if (maskKey.HasValue)
        {
            Masking.Apply(payload, maskKey.GetValueOrDefault(), 0);
        }

        return headerLength + payloadLength;
    }

    private static void ValidateFrame(WebSocketOpcode opcode, bool fin, bool compressed, long payloadLength)
    {
        switch (opcode)
        {
            case WebSocketOpcode.Text or WebSocketOpcode.Binary:
                break;
            case WebSocketOpcode.Continuation:
                // RFC 7692 §6.1: RSV1 is set on the first frame of a compressed message only.
                if (compressed)
                {
                    WebSocketThrowHelper.ThrowArgument("RSV1 belongs on the first frame of a message only.", nameof(compressed));
                }

                break;
            case WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong:
                if (!fin || compressed || payloadLength > MaxControlPayloadLength)
                {
                    WebSocketThrowHelper.ThrowArgument("Control frames are final, uncompressed and at most 125 bytes.", nameof(opcode));
                }

                break;
            default:
                WebSocketThrowHelper.ThrowArgumentOutOfRange(nameof(opcode));
                break;
        }

        if (payloadLength < 0)
        {
            WebSocketThrowHelper.ThrowArgumentOutOfRange(nameof(payloadLength));
        }
    }
}
