using System.Buffers;
using System.Buffers.Binary;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>
/// Every protocol breach of CONTRACT.md with the exact close code the server must send (server side: client frames
/// masked), each also fed split at every byte boundary. A well-formed frame before the bad one is still delivered.
/// </summary>
public class MessageReaderViolationTests
{
    private static readonly byte[] s_okText = Frames.Client(WebSocketOpcode.Text, "ok");

    private static void AssertViolation(byte[] badInput, ushort expectedCode, bool withInflater = false, MessageReaderOptions? options = null)
    {
        options ??= ReaderDriver.Server();
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(Frames.Concat(s_okText, badInput), options, withInflater);
        Assert.Equal([ReaderEvent.Text("ok"), ReaderEvent.Violation(expectedCode)], events);
    }

    private static byte[] ClosePayload(ushort code, ReadOnlySpan<byte> reason)
    {
        byte[] payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reason.CopyTo(payload.AsSpan(2));
        return payload;
    }

    [Theory]
    [InlineData(0x20)] // RSV2
    [InlineData(0x10)] // RSV3
    [InlineData(0x30)]
    public void Read_Returns1002_WhenRsv2OrRsv3Set(int rsvBits) =>
        AssertViolation(Frames.ClientRaw((byte)(0x82 | rsvBits), "x"u8), CloseCodes.ProtocolError, withInflater: true);

    [Fact]
    public void Read_Returns1002_WhenRsv1SetWithoutNegotiatedCompression() =>
        AssertViolation(Frames.Client(WebSocketOpcode.Text, "x"u8, compressed: true), CloseCodes.ProtocolError);

    [Fact]
    public void Read_Returns1002_WhenRsv1SetOnContinuation_EvenWithCompression()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Binary, "ab"u8, fin: false),
            Frames.ClientRaw(0xC0, "cd"u8)); // FIN + RSV1 + continuation
        AssertViolation(input, CloseCodes.ProtocolError, withInflater: true);
    }

    [Theory]
    [InlineData(0x89)]
    [InlineData(0x8A)]
    [InlineData(0x88)]
    public void Read_Returns1002_WhenRsv1SetOnControlFrame_EvenWithCompression(int firstByte) =>
        AssertViolation(Frames.ClientRaw((byte)(firstByte | 0x40), ClosePayload(1000, default)), CloseCodes.ProtocolError, withInflater: true);

    [Theory]
    [InlineData(0x3)]
    [InlineData(0x4)]
    [InlineData(0x5)]
    [InlineData(0x6)]
    [InlineData(0x7)]
    [InlineData(0xB)]
    [InlineData(0xC)]
    [InlineData(0xD)]
    [InlineData(0xE)]
    [InlineData(0xF)]
    public void Read_Returns1002_ForReservedOpcode(int opcode) =>
        AssertViolation(Frames.ClientRaw((byte)(0x80 | opcode), "x"u8), CloseCodes.ProtocolError);

    [Fact]
    public void Read_Returns1002_ForUnmaskedClientFrame() =>
        AssertViolation(Frames.Server(WebSocketOpcode.Text, "x"u8), CloseCodes.ProtocolError);

    [Fact]
    public void Read_Returns1002_ForMaskedServerFrame_OnClientSide()
    {
        byte[] input = Frames.Concat(Frames.Server(WebSocketOpcode.Text, "ok"u8), Frames.Client(WebSocketOpcode.Text, "x"));
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Client());
        Assert.Equal([ReaderEvent.Text("ok"), ReaderEvent.Violation(CloseCodes.ProtocolError)], events);
    }

    [Theory]
    [InlineData(0x89)]
    [InlineData(0x8A)]
    [InlineData(0x88)]
    public void Read_Returns1002_ForControlFrameOver125Bytes(int firstByte)
    {
        byte[] payload = ClosePayload(1000, new byte[124]); // 126 bytes
        AssertViolation(Frames.ClientRaw((byte)firstByte, payload), CloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(0x09)]
    [InlineData(0x0A)]
    [InlineData(0x08)]
    public void Read_Returns1002_ForFragmentedControlFrame(int firstByte) =>
        AssertViolation(Frames.ClientRaw((byte)firstByte, ClosePayload(1000, default)), CloseCodes.ProtocolError);

    [Fact]
    public void Read_Returns1002_ForContinuationWithoutAStartedMessage() =>
        AssertViolation(Frames.Client(WebSocketOpcode.Continuation, "x"u8), CloseCodes.ProtocolError);

    [Theory]
    [InlineData(WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Binary)]
    public void Read_Returns1002_ForNewDataFrameWhileAMessageIsFragmented(WebSocketOpcode opcode)
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, "ab"u8, fin: false),
            Frames.Client(opcode, "cd"u8));
        AssertViolation(input, CloseCodes.ProtocolError);
    }

    [Fact]
    public void Read_Returns1002_ForClosePayloadOfOneByte() =>
        AssertViolation(Frames.Client(WebSocketOpcode.Close, [0x03]), CloseCodes.ProtocolError);

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Read_Returns1002_ForCloseCodeNotAllowedOnTheWire(int code) =>
        AssertViolation(Frames.Client(WebSocketOpcode.Close, ClosePayload((ushort)code, "bye"u8)), CloseCodes.ProtocolError);

    [Fact]
    public void Read_Returns1007_ForCloseReasonThatIsNotUtf8() =>
        AssertViolation(Frames.Client(WebSocketOpcode.Close, ClosePayload(1000, [0x62, 0xFF, 0x65])), CloseCodes.InvalidPayloadData);

    [Fact]
    public void Read_Returns1007_ForCloseReasonEndingInsideACodePoint() =>
        AssertViolation(Frames.Client(WebSocketOpcode.Close, ClosePayload(1000, [0x62, 0xE2, 0x82])), CloseCodes.InvalidPayloadData);

    [Fact]
    public void Read_Returns1002_When64BitLengthHasTopBitSet() =>
        AssertViolation(Frames.Hex("82 FF 80 00 00 00 00 00 00 05 37 fa 21 3d"), CloseCodes.ProtocolError);

    [Fact]
    public void Read_Returns1007_ForInvalidUtf8InSingleFrameText() =>
        AssertViolation(Frames.Client(WebSocketOpcode.Text, [0x61, 0xC0, 0xAF, 0x62]), CloseCodes.InvalidPayloadData);

    [Fact]
    public void Read_Returns1007_WhenInvalidSequenceIsSplitAcrossFragments()
    {
        // ED | A0 80 would encode the surrogate U+D800; neither fragment alone is wrong.
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, [0x61, 0xED], fin: false),
            Frames.Client(WebSocketOpcode.Continuation, [0xA0, 0x80, 0x62]));
        AssertViolation(input, CloseCodes.InvalidPayloadData);
    }

    [Fact]
    public void Read_Returns1007_WhenTextMessageEndsInsideACodePoint()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, "a"u8, fin: false),
            Frames.Client(WebSocketOpcode.Continuation, [0xE2, 0x82]));
        AssertViolation(input, CloseCodes.InvalidPayloadData);
    }

    [Fact]
    public void Read_Returns1007_BeforeTheRestOfAFrameArrives_WhenTextIsAlreadyInvalid()
    {
        // Autobahn 6.4: fail fast. Only the first 3 bytes of a 100-byte text frame are delivered.
        byte[] payload = new byte[100];
        payload.AsSpan().Fill((byte)'a');
        payload[1] = 0xFF;
        byte[] frame = Frames.Client(WebSocketOpcode.Text, payload);
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var partial = new ReadOnlySequence<byte>(frame, 0, 8 + 3);

        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref partial));
        Assert.Equal(CloseCodes.InvalidPayloadData, reader.CloseCode);
    }

    [Fact]
    public void Read_ReportsShortReason_WithEveryViolation()
    {
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var input = new ReadOnlySequence<byte>(Frames.Server(WebSocketOpcode.Text, "x"u8));

        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref input));

        Assert.False(string.IsNullOrEmpty(reader.ViolationReason));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(reader.ViolationReason) <= FrameWriter.MaxCloseReasonLength);
    }

    [Fact]
    public void Read_ReturnsTheSameViolation_OnLaterCalls_WithoutConsuming()
    {
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        byte[] bytes = Frames.Concat(Frames.Client(WebSocketOpcode.Continuation, "x"u8), s_okText);
        var input = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref input));
        long left = input.Length;
        var fresh = new ReadOnlySequence<byte>(s_okText);

        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref input));
        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref fresh));
        Assert.Equal(left, input.Length);
        Assert.Equal(s_okText.Length, fresh.Length);
        Assert.Equal(CloseCodes.ProtocolError, reader.CloseCode);
    }

    [Fact]
    public void Read_NeverThrows_OnRandomGarbage()
    {
        var random = new Random(1002);
        using var inflater = new MarketPush.Protocol.WebSockets.Deflate.MessageInflater();
        for (int round = 0; round < 2000; round++)
        {
            byte[] garbage = new byte[random.Next(2, 64)];
            random.NextBytes(garbage);
            if (random.Next(2) == 0)
            {
                garbage[1] = (byte)((garbage[1] & 0x80) | random.Next(0, 40)); // plausible short lengths too
            }

            using var reader = new MessageReader(ReaderDriver.Server(maxMessageBytes: 1024), random.Next(2) == 0 ? inflater : null);
            var input = new ReadOnlySequence<byte>(garbage);
            var events = new List<ReaderEvent>();
            ReaderDriver.Drain(reader, ref input, events);
        }
    }
}
