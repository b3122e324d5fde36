using System.Buffers;
using System.Buffers.Binary;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

public class MessageReaderCloseTests
{
    private static byte[] CloseFrame(ushort code, string reason)
    {
        byte[] reasonBytes = System.Text.Encoding.UTF8.GetBytes(reason);
        byte[] payload = new byte[2 + reasonBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reasonBytes.CopyTo(payload, 2);
        return Frames.Client(WebSocketOpcode.Close, payload);
    }

    [Fact]
    public void Read_ReturnsClose1005_ForEmptyCloseFrame()
    {
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(Frames.Client(WebSocketOpcode.Close, ReadOnlySpan<byte>.Empty), ReaderDriver.Server());
        Assert.Equal([ReaderEvent.Close(CloseCodes.NoStatusReceived, [])], events);
    }

    [Theory]
    [InlineData(1000, "")]
    [InlineData(1001, "going away")]
    [InlineData(1003, "")]
    [InlineData(1007, "")]
    [InlineData(1011, "")]
    [InlineData(1014, "")]
    [InlineData(3000, "")]
    [InlineData(4001, "slow")]
    [InlineData(4999, "Grüße")]
    public void Read_ReturnsCloseWithCodeAndReason_ForValidCloseFrame(int code, string reason)
    {
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(CloseFrame((ushort)code, reason), ReaderDriver.Server());
        Assert.Equal([ReaderEvent.Close((ushort)code, System.Text.Encoding.UTF8.GetBytes(reason))], events);
    }

    [Fact]
    public void Read_AcceptsCloseWith123ByteReason()
    {
        string reason = new('r', FrameWriter.MaxCloseReasonLength);
        List<ReaderEvent> events = ReaderDriver.Read(CloseFrame(1000, reason), ReaderDriver.Server());
        Assert.Equal([ReaderEvent.Close(1000, System.Text.Encoding.ASCII.GetBytes(reason))], events);
    }

    [Fact]
    public void Read_DeliversClose_InterleavedInAFragmentedMessage_AndDropsThePartialMessage()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, "par"u8, fin: false),
            CloseFrame(1000, "done"),
            Frames.Client(WebSocketOpcode.Continuation, "tial"u8));
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var sequence = new ReadOnlySequence<byte>(input);

        Assert.Equal(MessageReadStatus.Close, reader.Read(ref sequence));

        Assert.Equal(1000, reader.CloseCode);
        Assert.True(reader.Payload.SequenceEqual("done"u8));
        Assert.False(reader.HoldsMessageBuffer);
    }

    [Fact]
    public void Read_ReturnsCloseAgain_WithoutConsumingWhatFollows()
    {
        byte[] input = Frames.Concat(CloseFrame(1001, "bye"), Frames.Client(WebSocketOpcode.Text, "late"));
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var sequence = new ReadOnlySequence<byte>(input);

        Assert.Equal(MessageReadStatus.Close, reader.Read(ref sequence));
        long left = sequence.Length;

        Assert.Equal(MessageReadStatus.Close, reader.Read(ref sequence));
        Assert.Equal(left, sequence.Length);
        Assert.Equal(1001, reader.CloseCode);
        Assert.True(reader.Payload.SequenceEqual("bye"u8));
    }
}
