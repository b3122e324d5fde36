using MarketPush.Protocol.Encodings.MessagePack;

namespace MarketPush.Protocol.Tests.Encodings;

public class MessagePackReaderTests
{
    [Theory]
    [InlineData("00", 0L)]
    [InlineData("7F", 127L)]
    [InlineData("FF", -1L)]
    [InlineData("E0", -32L)]
    [InlineData("CCFF", 255L)]
    [InlineData("CD0100", 256L)]
    [InlineData("CEFFFFFFFF", 4294967295L)]
    [InlineData("CF7FFFFFFFFFFFFFFF", long.MaxValue)]
    [InlineData("CF0000000000000005", 5L)] // not the shortest form, still valid
    [InlineData("D080", -128L)]
    [InlineData("D07F", 127L)]
    [InlineData("D18000", -32768L)]
    [InlineData("D280000000", -2147483648L)]
    [InlineData("D38000000000000000", long.MinValue)]
    public void ReadInt64_ReadsEveryIntFormat(string hex, long expected)
    {
        var reader = new MessagePackReader(Convert.FromHexString(hex));

        Assert.Equal(MessagePackType.Integer, reader.PeekType());
        Assert.Equal(expected, reader.ReadInt64());
        Assert.True(reader.End);
    }

    [Fact]
    public void ReadInt64_RejectsUint64BeyondLong()
    {
        var error = Assert.Throws<MessagePackReaderException>(() => new MessagePackReader(Convert.FromHexString("CF8000000000000000")).ReadInt64());
        Assert.Contains("out of range", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CA3FC00000", 1.5)]
    [InlineData("CB4067A6B851EB851F", 189.21)]
    [InlineData("05", 5.0)]
    [InlineData("D0FE", -2.0)]
    [InlineData("CD2710", 10000.0)]
    public void ReadDouble_ReadsFloat32Float64AndIntegers(string hex, double expected)
    {
        Assert.Equal(expected, new MessagePackReader(Convert.FromHexString(hex)).ReadDouble());
    }

    [Theory]
    [InlineData("A0", "")]
    [InlineData("A3616263", "abc")]
    [InlineData("D903616263", "abc")]
    [InlineData("DA0003616263", "abc")]
    [InlineData("DB00000003616263", "abc")]
    [InlineData("A2C3A9", "é")]
    public void ReadString_ReadsFixstrAndStr8Str16Str32(string hex, string expected)
    {
        var reader = new MessagePackReader(Convert.FromHexString(hex));

        Assert.Equal(MessagePackType.String, reader.PeekType());
        Assert.Equal(expected, reader.ReadString());
        Assert.True(reader.End);
    }

    [Fact]
    public void ReadString_ReadsALongStr16()
    {
        byte[] data = [0xDA, 0x01, 0x2C, .. Enumerable.Repeat((byte)'x', 300)];

        Assert.Equal(new string('x', 300), new MessagePackReader(data).ReadString());
    }

    [Fact]
    public void ReadString_RejectsInvalidUtf8()
    {
        var error = Assert.Throws<MessagePackReaderException>(() => new MessagePackReader([0xA2, 0xC3, 0x28]).ReadString());
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("82", 2)]
    [InlineData("DE0010", 16)]
    [InlineData("DF00000011", 17)]
    public void ReadMapHeader_ReadsFixmapMap16Map32(string headerHex, int count)
    {
        // The entries themselves: count × (fixint key, fixint value).
        byte[] data = [.. Convert.FromHexString(headerHex), .. Enumerable.Repeat((byte)1, count * 2)];
        var reader = new MessagePackReader(data);

        Assert.Equal(MessagePackType.Map, reader.PeekType());
        Assert.Equal(count, reader.ReadMapHeader());
    }

    [Theory]
    [InlineData("93", 3)]
    [InlineData("DC0010", 16)]
    [InlineData("DD00000011", 17)]
    public void ReadArrayHeader_ReadsFixarrayArray16Array32(string headerHex, int count)
    {
        byte[] data = [.. Convert.FromHexString(headerHex), .. Enumerable.Repeat((byte)0xC0, count)];

        Assert.Equal(count, new MessagePackReader(data).ReadArrayHeader());
    }

    [Fact]
    public void ReadBooleanAndNil_ReadTheirCodes()
    {
        var reader = new MessagePackReader([0xC3, 0xC2, 0xC0, 0x01]);

        Assert.True(reader.ReadBoolean());
        Assert.False(reader.ReadBoolean());
        Assert.True(reader.TryReadNil());
        Assert.False(reader.TryReadNil());
        Assert.Equal(1, reader.ReadInt64());
    }

    [Theory]
    [InlineData("A161", "ReadInt64", "at offset 0: expected an integer but found a string (0xa1)")]
    [InlineData("01", "ReadString", "expected a string but found an integer (0x01)")]
    [InlineData("C0", "ReadBoolean", "expected a boolean but found nil (0xc0)")]
    [InlineData("CB0000000000000000", "ReadInt64", "expected an integer but found a float (0xcb)")]
    [InlineData("A161", "ReadDouble", "expected a number but found a string (0xa1)")]
    [InlineData("C401FF", "ReadString", "expected a string but found binary data (0xc4)")]
    [InlineData("D40100", "ReadMapHeader", "expected a map but found an extension value (0xd4)")]
    [InlineData("80", "ReadArrayHeader", "expected an array but found a map (0x80)")]
    [InlineData("C1", "ReadInt64", "expected an integer but found the reserved byte 0xc1 (0xc1)")]
    public void ReadMethods_NameExpectedAndFoundTypes_WhenTheTypeIsWrong(string hex, string method, string expectedMessagePart)
    {
        byte[] data = Convert.FromHexString(hex);

        var error = Assert.Throws<MessagePackReaderException>(() => Invoke(data, method));

        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "ReadInt64")]
    [InlineData("CD01", "ReadInt64")]
    [InlineData("CF00000000", "ReadInt64")]
    [InlineData("CB4067", "ReadDouble")]
    [InlineData("A36162", "ReadString")]
    [InlineData("D9", "ReadString")]
    [InlineData("DB7FFFFFFF61", "ReadString")]
    [InlineData("DBFFFFFFFF61", "ReadString")]
    [InlineData("DE00", "ReadMapHeader")]
    [InlineData("DFFFFFFFFF", "ReadMapHeader")]
    [InlineData("DD7FFFFFFF", "ReadArrayHeader")]
    [InlineData("83A161", "ReadMapHeader")]
    public void ReadMethods_ReportTruncation_AndNeverTrustALengthBeyondTheData(string hex, string method)
    {
        byte[] data = Convert.FromHexString(hex);

        var error = Assert.Throws<MessagePackReaderException>(() => Invoke(data, method));

        Assert.Matches("ends early|larger than the message", error.Message);
    }

    [Theory]
    [InlineData("C0")]
    [InlineData("C3")]
    [InlineData("7F")]
    [InlineData("CF8000000000000000")] // uint 64 beyond long still skips
    [InlineData("CA3FC00000")]
    [InlineData("D90141")]
    [InlineData("C40201FF")]
    [InlineData("C500020102")]
    [InlineData("C60000000101")]
    [InlineData("D4FF01")]
    [InlineData("D8FF00000000000000000000000000000000")]
    [InlineData("C702FF0102")]
    [InlineData("C80001FF01")]
    [InlineData("C900000001FF01")]
    [InlineData("82A16101A1629201C0")]
    [InlineData("DC000291A0C2")]
    public void Skip_ConsumesExactlyOneValueOfAnyFormat(string hex)
    {
        byte[] data = [.. Convert.FromHexString(hex), 0x2A];
        var reader = new MessagePackReader(data);

        reader.Skip();

        Assert.Equal(42, reader.ReadInt64());
        Assert.True(reader.End);
    }

    [Fact]
    public void Skip_HandlesDeepNestingWithoutRecursion()
    {
        // 16 KiB of one-element array headers: a recursive skip would need 16k stack frames.
        byte[] data = [.. Enumerable.Repeat((byte)0x91, 16 * 1024), 0xC0];
        var reader = new MessagePackReader(data);

        reader.Skip();

        Assert.True(reader.End);
    }

    [Fact]
    public void Skip_RejectsTheNeverUsedByte()
    {
        Assert.Throws<MessagePackReaderException>(() => new MessagePackReader([0x91, 0xC1]).Skip());
    }

    private static void Invoke(byte[] data, string method)
    {
        var reader = new MessagePackReader(data);
        switch (method)
        {
            case "ReadInt64": reader.ReadInt64(); break;
            case "ReadDouble": reader.ReadDouble(); break;
            case "ReadString": reader.ReadString(); break;
            case "ReadBoolean": reader.ReadBoolean(); break;
            case "ReadMapHeader": reader.ReadMapHeader(); break;
            case "ReadArrayHeader": reader.ReadArrayHeader(); break;
            default: throw new ArgumentOutOfRangeException(nameof(method));
        }
    }
}
