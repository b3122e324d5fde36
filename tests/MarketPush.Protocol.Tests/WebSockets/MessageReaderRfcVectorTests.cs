using System.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>
/// The byte-exact examples of RFC 6455 §5.7, read as a client (unmasked server frames) or a server (masked client
/// frames) would, each also fed split at every byte boundary.
/// </summary>
public class MessageReaderRfcVectorTests
{
    private static readonly byte[] s_hello = "Hello"u8.ToArray();

    [Fact]
    public void Read_SingleFrameUnmaskedText_GivesHello_OnClientSide()
    {
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(Frames.Hex("81 05 48 65 6c 6c 6f"), ReaderDriver.Client());
        Assert.Equal([ReaderEvent.Text("Hello")], events);
    }

    [Fact]
    public void Read_SingleFrameMaskedText_GivesHello_OnServerSide()
    {
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(Frames.Hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), ReaderDriver.Server());
        Assert.Equal([ReaderEvent.Text("Hello")], events);
    }

    [Fact]
    public void Read_FragmentedUnmaskedText_GivesOneHelloMessage()
    {
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(Frames.Hex("01 03 48 65 6c 80 02 6c 6f"), ReaderDriver.Client());
        Assert.Equal([ReaderEvent.Text("Hello")], events);
    }

    [Fact]
    public void Read_UnmaskedPing_GivesPingWithHello()
    {
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(Frames.Hex("89 05 48 65 6c 6c 6f"), ReaderDriver.Client());
        Assert.Equal([ReaderEvent.Ping(s_hello)], events);
    }

    [Fact]
    public void Read_MaskedPong_GivesPongWithHello()
    {
        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(Frames.Hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), ReaderDriver.Server());
        Assert.Equal([ReaderEvent.Pong(s_hello)], events);
    }

    [Fact]
    public void Read_MaskedPingAndUnmaskedPong_GiveHello()
    {
        Assert.Equal([ReaderEvent.Ping(s_hello)], ReaderDriver.ReadAtEverySplit(Frames.Hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"), ReaderDriver.Server()));
        Assert.Equal([ReaderEvent.Pong(s_hello)], ReaderDriver.ReadAtEverySplit(Frames.Hex("8a 05 48 65 6c 6c 6f"), ReaderDriver.Client()));
    }

    [Fact]
    public void Read_256ByteUnmaskedBinary_With16BitLengthHeader_GivesThePayload()
    {
        byte[] payload = new byte[256];
        new Random(256).NextBytes(payload);
        byte[] input = Frames.Concat(Frames.Hex("82 7E 01 00"), payload);

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Client());

        Assert.Equal([ReaderEvent.Message(WebSocketOpcode.Binary, payload)], events);
    }

    [Fact]
    public void Read_64KiBUnmaskedBinary_With64BitLengthHeader_GivesThePayload()
    {
        byte[] payload = new byte[65536];
        new Random(65536).NextBytes(payload);
        byte[] input = Frames.Concat(Frames.Hex("82 7F 00 00 00 00 00 01 00 00"), payload);

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Client(maxMessageBytes: 65536));

        Assert.Equal([ReaderEvent.Message(WebSocketOpcode.Binary, payload)], events);
    }

    [Fact]
    public void Read_64KiBMaskedBinary_GivesThePayload_OnServerSide()
    {
        byte[] payload = new byte[65536];
        new Random(65537).NextBytes(payload);
        byte[] input = Frames.Client(WebSocketOpcode.Binary, payload);
        Assert.Equal(Frames.Hex("82 FF 00 00 00 00 00 01 00 00 37 fa 21 3d"), input.AsSpan(0, 14).ToArray());

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server(maxMessageBytes: 65536));

        Assert.Equal([ReaderEvent.Message(WebSocketOpcode.Binary, payload)], events);
    }

    [Theory]
    [InlineData("81 85 37 fa 21 3d 7f 9f 4d 51 58", true)]
    [InlineData("01 03 48 65 6c 80 02 6c 6f", false)]
    [InlineData("8a 85 37 fa 21 3d 7f 9f 4d 51 58", true)]
    public void Read_ReturnsNeedMoreData_ForEveryProperPrefix_ThenTheEventWhenTheRestIsAppended(string hex, bool server)
    {
        byte[] input = Frames.Hex(hex);
        MessageReaderOptions options = server ? ReaderDriver.Server() : ReaderDriver.Client();
        for (int cut = 0; cut < input.Length; cut++)
        {
            using var reader = new MessageReader(options, null);
            var prefix = new ReadOnlySequence<byte>(input, 0, cut);

            Assert.Equal(MessageReadStatus.NeedMoreData, reader.Read(ref prefix));

            // Whatever the reader left (an incomplete header) is presented again with the rest appended.
            ReadOnlySequence<byte> rest = Sequences.FromSegments([prefix.ToArray(), input.AsMemory(cut)]);
            MessageReadStatus status = reader.Read(ref rest);
            Assert.NotEqual(MessageReadStatus.NeedMoreData, status);
            Assert.True(reader.Payload.SequenceEqual(s_hello), $"cut {cut}");
            Assert.Equal(MessageReadStatus.NeedMoreData, reader.Read(ref rest));
            Assert.Equal(0, rest.Length);
        }
    }
}
