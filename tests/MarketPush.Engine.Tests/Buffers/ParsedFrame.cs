using System.Buffers.Binary;
using System.IO.Compression;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Buffers;

/// <summary>One server frame parsed back from a SharedFrame, for assertions. Test-side parser, independent of the reader.</summary>
internal sealed record ParsedFrame(bool Fin, bool Rsv1, WebSocketOpcode Opcode, byte[] Payload)
{
    /// <summary>Parses back-to-back unmasked server frames (all of them; fails on trailing bytes).</summary>
    public static List<ParsedFrame> ParseAll(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<ParsedFrame>();
        while (!bytes.IsEmpty)
        {
            Assert.True(bytes.Length >= 2, "truncated header");
            bool fin = (bytes[0] & 0x80) != 0;
            bool rsv1 = (bytes[0] & 0x40) != 0;
            var opcode = (WebSocketOpcode)(bytes[0] & 0x0F);
            Assert.Equal(0, bytes[1] & 0x80); // server frames are never masked
            long length = bytes[1] & 0x7F;
            int offset = 2;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
                offset = 4;
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
                offset = 10;
            }

            frames.Add(new ParsedFrame(fin, rsv1, opcode, bytes.Slice(offset, (int)length).ToArray()));
            bytes = bytes[(offset + (int)length)..];
        }

        return frames;
    }

    public static ParsedFrame ParseSingle(ReadOnlySpan<byte> bytes) => Assert.Single(ParseAll(bytes));

    /// <summary>RFC 7692 §7.2.2: append 00 00 ff ff and inflate raw deflate (zlib wbits -15).</summary>
    public static byte[] Inflate(byte[] compressed)
    {
        using var input = new MemoryStream([.. compressed, 0x00, 0x00, 0xFF, 0xFF]);
        using var inflater = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflater.CopyTo(output);
        return output.ToArray();
    }
}
