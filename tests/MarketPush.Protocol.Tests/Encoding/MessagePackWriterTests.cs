using System.Buffers;
using MarketPush.Protocol.Encodings.MessagePack;

namespace MarketPush.Protocol.Tests.Encodings;

public class MessagePackWriterTests
{
    [Theory]
    [InlineData(0L, "00")]
    [InlineData(127L, "7F")]
    [InlineData(128L, "CC80")]
    [InlineData(255L, "CCFF")]
    [InlineData(256L, "CD0100")]
    [InlineData(65535L, "CDFFFF")]
    [InlineData(65536L, "CE00010000")]
    [InlineData(4294967295L, "CEFFFFFFFF")]
    [InlineData(4294967296L, "CF0000000100000000")]
    [InlineData(long.MaxValue, "CF7FFFFFFFFFFFFFFF")]
    [InlineData(-1L, "FF")]
    [InlineData(-32L, "E0")]
    [InlineData(-33L, "D0DF")]
    [InlineData(-128L, "D080")]
    [InlineData(-129L, "D1FF7F")]
    [InlineData(-32768L, "D18000")]
    [InlineData(-32769L, "D2FFFF7FFF")]
    [InlineData(-2147483648L, "D280000000")]
    [InlineData(-2147483649L, "D3FFFFFFFF7FFFFFFF")]
    [InlineData(long.MinValue, "D38000000000000000")]
    public void WriteInt64_UsesTheShortestIntFormat(long value, string expectedHex)
    {
        Assert.Equal(expectedHex, Hex(buffer =>
        {
            var writer = new MessagePackWriter(buffer);
            writer.WriteInt64(value);
            writer.Flush();
        }));
    }

    [Theory]
    [InlineData(0, "A0")]
    [InlineData(31, "BF")]
    [InlineData(32, "D920")]
    [InlineData(255, "D9FF")]
    [InlineData(256, "DA0100")]
    [InlineData(65535, "DAFFFF")]
    [InlineData(65536, "DB00010000")]
    public void WriteString_UsesFixstrThenStr8Str16Str32(int length, string expectedHeaderHex)
    {
        string hex = Hex(buffer =>
        {
            var writer = new MessagePackWriter(buffer);
            writer.WriteString(new string('a', length));
            writer.Flush();
        });

        Assert.StartsWith(expectedHeaderHex, hex, StringComparison.Ordinal);
        Assert.Equal(expectedHeaderHex.Length + (2 * length), hex.Length);
    }

    [Theory]
    [InlineData(0, "90", "80")]
    [InlineData(15, "9F", "8F")]
    [InlineData(16, "DC0010", "DE0010")]
    [InlineData(65535, "DCFFFF", "DEFFFF")]
    [InlineData(65536, "DD00010000", "DF00010000")]
    public void ContainerHeaders_UseFixThen16Then32(int count, string arrayHex, string mapHex)
    {
        Assert.Equal(arrayHex + mapHex, Hex(buffer =>
        {
            var writer = new MessagePackWriter(buffer);
            writer.WriteArrayHeader(count);
            writer.WriteMapHeader(count);
            writer.Flush();
        }));
    }

    [Fact]
    public void ScalarValues_UseTheirSpecCodes()
    {
        string hex = Hex(static buffer =>
        {
            var writer = new MessagePackWriter(buffer);
            writer.WriteNil();
            writer.WriteBoolean(true);
            writer.WriteBoolean(false);
            writer.WriteDouble(189.21);
            writer.WriteString("é");
            writer.Flush();
        });

        // nil, true, false, float64 189.21 (as python's msgpack.packb writes it), fixstr of the 2 UTF-8 bytes of é
        Assert.Equal("C0" + "C3" + "C2" + "CB4067A6B851EB851F" + "A2C3A9", hex);
    }

    private static string Hex(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Convert.ToHexString(buffer.WrittenSpan);
    }
}
