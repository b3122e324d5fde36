using System.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>MaxMessageBytes is enforced from frame headers, before payload is read or a buffer grows (1009).</summary>
public class MessageReaderLimitTests
{
    [Fact]
    public void Read_Returns1009Immediately_ForHeaderAnnouncing1GiB_WithNoPayloadSent()
    {
        byte[] header = new byte[FrameWriter.MaxHeaderLength];
        int length = FrameWriter.WriteHeader(header, WebSocketOpcode.Binary, true, false, 1L << 30, Frames.ClientKey);
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var input = new ReadOnlySequence<byte>(header, 0, length);

        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref input));

        Assert.Equal(CloseCodes.MessageTooBig, reader.CloseCode);
        Assert.False(reader.HoldsMessageBuffer);
    }

    [Fact]
    public void Read_Returns1009_ForHeaderAnnouncingTheLargestLength()
    {
        byte[] input = Frames.Hex("82 FF 7F FF FF FF FF FF FF FF 37 fa 21 3d");
        Assert.Equal([ReaderEvent.Violation(CloseCodes.MessageTooBig)], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server()));
    }

    [Fact]
    public void Read_AcceptsMessageOfExactlyMaxMessageBytes()
    {
        byte[] payload = new byte[1000];
        new Random(1000).NextBytes(payload);
        List<ReaderEvent> events = ReaderDriver.Read(Frames.Client(WebSocketOpcode.Binary, payload), ReaderDriver.Server(maxMessageBytes: 1000));
        Assert.Equal([ReaderEvent.Message(WebSocketOpcode.Binary, payload)], events);
    }

    [Fact]
    public void Read_Returns1009_ForSingleFrameOneByteOverTheLimit()
    {
        byte[] input = Frames.Client(WebSocketOpcode.Binary, new byte[1001]);
        Assert.Equal([ReaderEvent.Violation(CloseCodes.MessageTooBig)], ReaderDriver.Read(input, ReaderDriver.Server(maxMessageBytes: 1000)));
    }

    [Fact]
    public void Read_Returns1009_AtTheHeaderOfTheFragmentThatCrossesTheLimit_BeforeItsPayloadArrives()
    {
        byte[] first = Frames.Client(WebSocketOpcode.Text, new string('a', 600), fin: false);
        byte[] second = Frames.Client(WebSocketOpcode.Continuation, new string('b', 401));
        using var reader = new MessageReader(ReaderDriver.Server(maxMessageBytes: 1000), null);
        var input = new ReadOnlySequence<byte>(Frames.Concat(first, second.AsSpan(0, 8).ToArray())); // second header only

        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref input));

        Assert.Equal(CloseCodes.MessageTooBig, reader.CloseCode);
        Assert.False(reader.HoldsMessageBuffer);
    }

    [Fact]
    public void Read_AcceptsFragmentsAddingUpToExactlyTheLimit()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, new string('a', 600), fin: false),
            Frames.Client(WebSocketOpcode.Ping, "still here"u8),
            Frames.Client(WebSocketOpcode.Continuation, new string('b', 400)));

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server(maxMessageBytes: 1000));

        Assert.Equal([ReaderEvent.Ping("still here"u8.ToArray()), ReaderEvent.Text(new string('a', 600) + new string('b', 400))], events);
    }

    [Fact]
    public void Read_Returns1009_WhenManySmallFragmentsAddUpOverTheLimit()
    {
        var frames = new List<byte[]> { Frames.Client(WebSocketOpcode.Binary, new byte[100], fin: false) };
        for (int i = 0; i < 20; i++)
        {
            frames.Add(Frames.Client(WebSocketOpcode.Continuation, new byte[100], fin: false));
        }

        List<ReaderEvent> events = ReaderDriver.Read(Frames.Concat([.. frames]), ReaderDriver.Server(maxMessageBytes: 1000));

        Assert.Equal([ReaderEvent.Violation(CloseCodes.MessageTooBig)], events);
    }

    [Fact]
    public void Read_AllowsControlFramesRegardlessOfASmallMessageLimit()
    {
        List<ReaderEvent> events = ReaderDriver.Read(Frames.Client(WebSocketOpcode.Ping, new byte[125]), ReaderDriver.Server(maxMessageBytes: 10));
        Assert.Equal([ReaderEvent.Ping(new byte[125])], events);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_RefusesNonPositiveLimit(int limit) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageReader(new MessageReaderOptions { MaxMessageBytes = limit }, null));
}
