using System.Buffers;
using System.Buffers.Binary;

namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// One parsed RFC 6455 §5.2 frame header (layout drawn beside <see cref="FrameWriter"/>). Produced by
/// <see cref="TryParse"/> on the receive loop, from the first buffer segment (fast path) or from a small stack copy
/// when the header straddles segments (the reader's slow path). A plain value: owns nothing.
/// </summary>
/// <remarks>
/// Parsing reports facts only (reserved bits, raw opcode, mask presence); what is a protocol violation depends on
/// connection state (fragmentation, negotiated extensions, which side we are), so <see cref="MessageReader"/> judges.
/// The one thing rejected here is a 64-bit length with its most significant bit set (§5.2 "the most significant bit
/// MUST be 0"), because no later code could represent it as a non-negative length.
/// </remarks>
public readonly struct FrameHeader
{
    /// <summary>2 bytes, 8 bytes of extended length and a 4-byte mask key.</summary>
    public const int MaxLength = 14;

    private readonly byte _firstByte;
    private readonly byte _headerLength;
    private readonly bool _masked;
    private readonly uint _maskKey;
    private readonly long _payloadLength;

    private FrameHeader(byte firstByte, bool masked, uint maskKey, long payloadLength, int headerLength)
    {
        _firstByte = firstByte;
        _masked = masked;
        _maskKey = maskKey;
        _payloadLength = payloadLength;
        _headerLength = (byte)headerLength;
    }

    public bool Fin => (_firstByte & 0x80) != 0;

    /// <summary>RSV1: the permessage-deflate "compressed" bit (RFC 7692 §6) when that extension is negotiated.</summary>
    public bool Rsv1 => (_firstByte & 0x40) != 0;

    public bool Rsv2 => (_firstByte & 0x20) != 0;

    public bool Rsv3 => (_firstByte & 0x10) != 0;

    /// <summary>The 4-bit opcode as sent, including reserved values.</summary>
    public byte RawOpcode => (byte)(_firstByte & 0x0F);

    /// <summary>The opcode; only meaningful when <see cref="IsKnownOpcode"/>.</summary>
    public WebSocketOpcode Opcode => (WebSocketOpcode)(_firstByte & 0x0F);

    /// <summary>Opcodes with the high bit set are control frames (§5.5), whether or not they are defined.</summary>
    public bool IsControl => (_firstByte & 0x08) != 0;

    public bool IsKnownOpcode => RawOpcode is <= 0x2 or (>= 0x8 and <= 0xA);

    public bool Masked => _masked;

    /// <summary>The 4 mask bytes read little-endian (the form <see cref="Masking.Apply"/> takes); 0 when unmasked.</summary>
    public uint MaskKey => _maskKey;

    public long PayloadLength => _payloadLength;

    /// <summary>Bytes the header occupies on the wire (2 to 14).</summary>
    public int HeaderLength => _headerLength;

    /// <summary>
    /// How long the header starting with these two bytes is. Lets a caller holding only 2 bytes learn how many more
    /// it needs before <see cref="TryParse"/> can succeed.
    /// </summary>
    public static int GetHeaderLength(byte secondByte)
    {
        int length = 2 + ((secondByte & 0x7F) switch { 126 => 2, 127 => 8, _ => 0 });
        return (secondByte & 0x80) != 0 ? length + 4 : length;
    }

    /// <summary>
    /// Parses the header at the start of <paramref name="source"/>. Returns <see cref="OperationStatus.NeedMoreData"/>
    /// (never throws) when the header is not complete yet, <see cref="OperationStatus.InvalidData"/> when the 64-bit
    /// length has its most significant bit set, else <see cref="OperationStatus.Done"/>; the payload is not looked at.
    /// </summary>
    public static OperationStatus TryParse(ReadOnlySpan<byte> source, out FrameHeader header)
    {
        if (source.Length < 2)
        {
            header = default;
            return OperationStatus.NeedMoreData;
        }

        byte second = source[1];
        int headerLength = GetHeaderLength(second);
        if (source.Length < headerLength)
        {
            header = default;
            return OperationStatus.NeedMoreData;
        }

        long payloadLength = second & 0x7F;
        int offset = 2;
        if (payloadLength == 126)
        {
            payloadLength = BinaryPrimitives.ReadUInt16BigEndian(source.Slice(2));
            offset = 4;
        }
        else if (payloadLength == 127)
        {
            ulong wide = BinaryPrimitives.ReadUInt64BigEndian(source.Slice(2));
            if (wide > long.MaxValue)
            {
                header = default;
                return OperationStatus.InvalidData;
            }

            payloadLength = (long)wide;
            offset = 10;
        }

        bool masked = (second & 0x80) != 0;
        uint maskKey = masked ? BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(offset)) : 0;
        header = new FrameHeader(source[0], masked, maskKey, payloadLength, headerLength);
        return OperationStatus.Done;
    }
}
