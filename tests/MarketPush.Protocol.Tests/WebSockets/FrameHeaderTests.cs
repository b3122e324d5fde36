using System.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

public class FrameHeaderTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(125, false)]
    [InlineData(126, false)]
    [InlineData(65535, true)]
    [InlineData(65536, true)]
    [InlineData(1L << 40, true)]
    public void TryParse_ReturnsNeedMoreData_ForEveryProperPrefixOfAHeader(long payloadLength, bool masked)
    {
        byte[] header = new byte[FrameWriter.MaxHeaderLength];
        int length = FrameWriter.WriteHeader(header, WebSocketOpcode.Binary, true, false, payloadLength, masked ? 0x01020304u : null);

        for (int prefix = 0; prefix < length; prefix++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, FrameHeader.TryParse(header.AsSpan(0, prefix), out _));
        }

        Assert.Equal(OperationStatus.Done, FrameHeader.TryParse(header.AsSpan(0, length), out FrameHeader parsed));
        Assert.Equal(payloadLength, parsed.PayloadLength);
        Assert.Equal(length, parsed.HeaderLength);
        Assert.Equal(masked, parsed.Masked);
        Assert.Equal(masked ? 0x01020304u : 0u, parsed.MaskKey);
    }

    [Fact]
    public void TryParse_ReturnsInvalidData_When64BitLengthHasTopBitSet()
    {
        byte[] header = Frames.Hex("82 7F 80 00 00 00 00 00 00 01");

        Assert.Equal(OperationStatus.InvalidData, FrameHeader.TryParse(header, out _));
    }

    [Fact]
    public void TryParse_ReportsBitsAndOpcodeAsSent()
    {
        // FIN=0, RSV1..3 set, reserved opcode 0xB, masked, length 3.
        byte[] header = Frames.Hex("7B 83 37 FA 21 3D");

        Assert.Equal(OperationStatus.Done, FrameHeader.TryParse(header, out FrameHeader parsed));

        Assert.False(parsed.Fin);
        Assert.True(parsed.Rsv1 && parsed.Rsv2 && parsed.Rsv3);
        Assert.Equal(0xB, parsed.RawOpcode);
        Assert.True(parsed.IsControl);
        Assert.False(parsed.IsKnownOpcode);
        Assert.Equal(Frames.ClientKey, parsed.MaskKey);
        Assert.Equal(3, parsed.PayloadLength);
        Assert.Equal(6, parsed.HeaderLength);
    }

    [Theory]
    [InlineData(0x05, 2)]
    [InlineData(0x85, 6)]
    [InlineData(0x7E, 4)]
    [InlineData(0xFE, 8)]
    [InlineData(0x7F, 10)]
    [InlineData(0xFF, 14)]
    public void GetHeaderLength_FromSecondByte_CountsExtendedLengthAndMask(int secondByte, int expected) =>
        Assert.Equal(expected, FrameHeader.GetHeaderLength((byte)secondByte));
}
