using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>Writer output against the byte-exact examples of RFC 6455 §5.7.</summary>
public class FrameWriterTests
{
    private static readonly byte[] s_hello = "Hello"u8.ToArray();

    private static byte[] Write(WebSocketOpcode opcode, bool fin, ReadOnlySpan<byte> payload, uint? key = null)
    {
        byte[] destination = new byte[FrameWriter.MaxHeaderLength + payload.Length + 8];
        int written = FrameWriter.WriteFrame(destination, opcode, fin, false, payload, key);
        return destination.AsSpan(0, written).ToArray();
    }

    [Fact]
    public void WriteFrame_SingleFrameUnmaskedText_MatchesRfc6455Example() =>
        Assert.Equal(Frames.Hex("81 05 48 65 6c 6c 6f"), Write(WebSocketOpcode.Text, true, s_hello));

    [Fact]
    public void WriteFrame_SingleFrameMaskedText_MatchesRfc6455Example() =>
        Assert.Equal(Frames.Hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), Write(WebSocketOpcode.Text, true, s_hello, Frames.ClientKey));

    [Fact]
    public void WriteFrame_FragmentedUnmaskedText_MatchesRfc6455Example()
    {
        Assert.Equal(Frames.Hex("01 03 48 65 6c"), Write(WebSocketOpcode.Text, false, "Hel"u8));
        Assert.Equal(Frames.Hex("80 02 6c 6f"), Write(WebSocketOpcode.Continuation, true, "lo"u8));
    }

    [Fact]
    public void WriteFrame_UnmaskedPing_MatchesRfc6455Example() =>
        Assert.Equal(Frames.Hex("89 05 48 65 6c 6c 6f"), Write(WebSocketOpcode.Ping, true, s_hello));

    [Fact]
    public void WriteFrame_MaskedPong_MatchesRfc6455Example() =>
        Assert.Equal(Frames.Hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), Write(WebSocketOpcode.Pong, true, s_hello, Frames.ClientKey));

    [Fact]
    public void WriteFrame_MaskedPingAndUnmaskedPong_DifferOnlyInOpcode()
    {
        Assert.Equal(Frames.Hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"), Write(WebSocketOpcode.Ping, true, s_hello, Frames.ClientKey));
        Assert.Equal(Frames.Hex("8a 05 48 65 6c 6c 6f"), Write(WebSocketOpcode.Pong, true, s_hello));
    }

    [Fact]
    public void WriteHeader_256ByteBinary_Uses16BitLengthAsInRfc6455Example()
    {
        byte[] header = new byte[FrameWriter.MaxHeaderLength];
        int length = FrameWriter.WriteHeader(header, WebSocketOpcode.Binary, true, false, 256);
        Assert.Equal(Frames.Hex("82 7E 01 00"), header.AsSpan(0, length).ToArray());
    }

    [Fact]
    public void WriteHeader_64KiBBinary_Uses64BitLengthAsInRfc6455Example()
    {
        byte[] header = new byte[FrameWriter.MaxHeaderLength];
        int length = FrameWriter.WriteHeader(header, WebSocketOpcode.Binary, true, false, 65536);
        Assert.Equal(Frames.Hex("82 7F 00 00 00 00 00 01 00 00"), header.AsSpan(0, length).ToArray());
    }

    [Fact]
    public void WriteFrame_64KiBBinary_IsHeaderThenPayloadUnchanged()
    {
        byte[] payload = new byte[65536];
        new Random(65536).NextBytes(payload);

        byte[] frame = Write(WebSocketOpcode.Binary, true, payload);

        Assert.Equal(Frames.Hex("82 7F 00 00 00 00 00 01 00 00"), frame.AsSpan(0, 10).ToArray());
        Assert.True(frame.AsSpan(10).SequenceEqual(payload));
    }

    [Theory]
    [InlineData(0, false, 2)]
    [InlineData(125, false, 2)]
    [InlineData(126, false, 4)]
    [InlineData(65535, false, 4)]
    [InlineData(65536, false, 10)]
    [InlineData(0, true, 6)]
    [InlineData(126, true, 8)]
    [InlineData(65536, true, 14)]
    public void GetHeaderLength_UsesShortestLengthForm(long payloadLength, bool masked, int expected) =>
        Assert.Equal(expected, FrameWriter.GetHeaderLength(payloadLength, masked));

    [Fact]
    public void WriteHeader_Compressed_SetsRsv1()
    {
        byte[] header = new byte[FrameWriter.MaxHeaderLength];
        FrameWriter.WriteHeader(header, WebSocketOpcode.Text, true, true, 7);
        Assert.Equal(0xC1, header[0]);
    }

    [Fact]
    public void WriteCloseFrame_WritesCodeBigEndianThenReason()
    {
        byte[] destination = new byte[32];
        int written = FrameWriter.WriteCloseFrame(destination, CloseCodes.GoingAway, "bye"u8);
        Assert.Equal(Frames.Hex("88 05 03 E9 62 79 65"), destination.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void WriteCloseFrame_Masked_MasksCodeAndReason()
    {
        byte[] destination = new byte[32];
        int written = FrameWriter.WriteCloseFrame(destination, CloseCodes.NormalClosure, default, Frames.ClientKey);
        // 03 E8 XOR 37 FA = 34 12
        Assert.Equal(Frames.Hex("88 82 37 fa 21 3d 34 12"), destination.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void WriteFrame_RefusesControlFramesOver125Bytes() =>
        Assert.Throws<ArgumentException>(() => Write(WebSocketOpcode.Ping, true, new byte[126]));

    [Fact]
    public void WriteFrame_RefusesFragmentedControlFrames() =>
        Assert.Throws<ArgumentException>(() => Write(WebSocketOpcode.Pong, false, s_hello));

    [Fact]
    public void WriteFrame_RefusesDestinationTooSmall() =>
        Assert.Throws<ArgumentException>(() => FrameWriter.WriteFrame(new byte[6], WebSocketOpcode.Text, true, false, s_hello));

    [Fact]
    public void WriteCloseFrame_RefusesCodesThatMayNotBeSent() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.WriteCloseFrame(new byte[16], CloseCodes.NoStatusReceived, default));

    [Fact]
    public void WriteCloseFrame_RefusesReasonOver123Bytes() =>
        Assert.Throws<ArgumentException>(() => FrameWriter.WriteCloseFrame(new byte[200], CloseCodes.NormalClosure, new byte[124]));
}
