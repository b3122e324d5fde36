using System.Text;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

public class MessageReaderFragmentationTests
{
    private const string MixedText = "a€😀ü日"; // 1-, 3-, 4-, 2- and 3-byte code points

    [Fact]
    public void Read_AcceptsCodePointsSplitAcrossFragments_AtEveryBytePosition()
    {
        byte[] text = Encoding.UTF8.GetBytes(MixedText);
        for (int cut = 0; cut <= text.Length; cut++)
        {
            byte[] input = Frames.Concat(
                Frames.Client(WebSocketOpcode.Text, text.AsSpan(0, cut), fin: false),
                Frames.Client(WebSocketOpcode.Continuation, text.AsSpan(cut)));

            List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server());

            Assert.Equal([ReaderEvent.Text(MixedText)], events);
        }
    }

    [Fact]
    public void Read_AcceptsAFourByteCodePointSentOneBytePerFragment()
    {
        byte[] emoji = Encoding.UTF8.GetBytes("😀");
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, emoji.AsSpan(0, 1), fin: false),
            Frames.Client(WebSocketOpcode.Continuation, emoji.AsSpan(1, 1), fin: false),
            Frames.Client(WebSocketOpcode.Continuation, ReadOnlySpan<byte>.Empty, fin: false),
            Frames.Client(WebSocketOpcode.Continuation, emoji.AsSpan(2, 1), fin: false),
            Frames.Client(WebSocketOpcode.Continuation, emoji.AsSpan(3, 1)));

        Assert.Equal([ReaderEvent.Text("😀")], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server()));
    }

    [Fact]
    public void Read_DeliversControlFramesInterleavedBetweenFragments_BeforeTheMessage()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, "Hel"u8, fin: false),
            Frames.Client(WebSocketOpcode.Ping, "p1"u8),
            Frames.Client(WebSocketOpcode.Continuation, "l"u8, fin: false),
            Frames.Client(WebSocketOpcode.Pong, ReadOnlySpan<byte>.Empty),
            Frames.Client(WebSocketOpcode.Ping, new byte[125]),
            Frames.Client(WebSocketOpcode.Continuation, "o"u8));

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server());

        Assert.Equal(
            [ReaderEvent.Ping("p1"u8.ToArray()), ReaderEvent.Pong([]), ReaderEvent.Ping(new byte[125]), ReaderEvent.Text("Hello")],
            events);
    }

    [Fact]
    public void Read_AcceptsEmptyMessagesAndEmptyFragments()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, ReadOnlySpan<byte>.Empty),
            Frames.Client(WebSocketOpcode.Binary, ReadOnlySpan<byte>.Empty, fin: false),
            Frames.Client(WebSocketOpcode.Continuation, ReadOnlySpan<byte>.Empty));

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server());

        Assert.Equal([ReaderEvent.Text(""), ReaderEvent.Message(WebSocketOpcode.Binary, [])], events);
    }

    [Fact]
    public void Read_KeepsMaskPhasePerFrame_WhenFragmentsUseDifferentKeys()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Binary, "abcde"u8, fin: false, key: 0x11223344),
            Frames.Client(WebSocketOpcode.Continuation, "fghij"u8, key: 0xA5A5A5A5));

        Assert.Equal([ReaderEvent.Message(WebSocketOpcode.Binary, "abcdefghij"u8.ToArray())], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server()));
    }

    [Fact]
    public void Read_DeliversSeveralMessagesFromOneBuffer_OneEventPerCall()
    {
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, "one"),
            Frames.Client(WebSocketOpcode.Binary, [1, 2, 3]),
            Frames.Client(WebSocketOpcode.Text, "three"));

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server());

        Assert.Equal([ReaderEvent.Text("one"), ReaderEvent.Message(WebSocketOpcode.Binary, [1, 2, 3]), ReaderEvent.Text("three")], events);
    }
}
