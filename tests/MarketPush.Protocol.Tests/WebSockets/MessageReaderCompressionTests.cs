using System.Buffers;
using System.IO.Compression;
using System.Text;
using MarketPush.Protocol.WebSockets;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>
/// permessage-deflate messages (RFC 7692): RSV1 on the first frame, compressed bytes gathered across fragments and
/// inflated once at FIN with a hard cap. Uses the real <see cref="MessageInflater"/>.
/// </summary>
public class MessageReaderCompressionTests
{
    /// <summary>Raw deflate with a sync flush and the trailing 00 00 ff ff removed, as RFC 7692 §7.2.1 sends it.</summary>
    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true);
        deflate.Write(data);
        deflate.Flush();
        byte[] bytes = output.ToArray();
        Assert.True(bytes.AsSpan().EndsWith(new byte[] { 0x00, 0x00, 0xFF, 0xFF }));
        return bytes[..^4];
    }

    [Fact]
    public void Read_InflatesRfc7692SingleFrameHello()
    {
        // RFC 7692 §7.2.3.1, as a server reads it (masked) and as a client reads it (unmasked).
        byte[] compressed = Frames.Hex("f2 48 cd c9 c9 07 00");

        Assert.Equal([ReaderEvent.Text("Hello")], ReaderDriver.ReadAtEverySplit(Frames.Client(WebSocketOpcode.Text, compressed, compressed: true), ReaderDriver.Server(), withInflater: true));
        Assert.Equal([ReaderEvent.Text("Hello")], ReaderDriver.ReadAtEverySplit(Frames.Hex("c1 07 f2 48 cd c9 c9 07 00"), ReaderDriver.Client(), withInflater: true));
    }

    [Fact]
    public void Read_InflatesRfc7692FragmentedHello()
    {
        // RFC 7692 §7.2.3.1: the compressed bytes split over two frames, RSV1 on the first only.
        byte[] input = Frames.Hex("41 03 f2 48 cd 80 04 c9 c9 07 00");
        Assert.Equal([ReaderEvent.Text("Hello")], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Client(), withInflater: true));
    }

    [Fact]
    public void Read_InflatesRfc7692StoredBlockHello()
    {
        // RFC 7692 §7.2.3.3: a "no compression" DEFLATE block.
        byte[] input = Frames.Hex("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00");
        Assert.Equal([ReaderEvent.Text("Hello")], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Client(), withInflater: true));
    }

    [Fact]
    public void Read_InflatesRfc7692BlockWithBfinalSet()
    {
        // RFC 7692 §7.2.3.4: a sender may end the message with a final block (what a stateless compressor does).
        byte[] input = Frames.Hex("c1 08 f3 48 cd c9 c9 07 00 00");
        Assert.Equal([ReaderEvent.Text("Hello")], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Client(), withInflater: true));
    }

    [Fact]
    public void Read_InflatesEmptyCompressedMessage()
    {
        byte[] input = Frames.Client(WebSocketOpcode.Binary, [0x00], compressed: true);
        Assert.Equal([ReaderEvent.Message(WebSocketOpcode.Binary, [])], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server(), withInflater: true));
    }

    [Fact]
    public void Read_DeliversUncompressedMessage_OnACompressionConnection()
    {
        byte[] input = Frames.Client(WebSocketOpcode.Text, "plain");
        Assert.Equal([ReaderEvent.Text("plain")], ReaderDriver.Read(input, ReaderDriver.Server(), withInflater: true));
    }

    [Fact]
    public void Read_InflatesCompressedMessage_FragmentedWithControlFramesInterleaved_SplitAtEveryByte()
    {
        string text = string.Concat(Enumerable.Repeat("{\"op\":\"subscribe\",\"symbols\":[\"AAPL\",\"Ünïcødé 😀\"]}", 6));
        byte[] compressed = Compress(Encoding.UTF8.GetBytes(text));
        int a = compressed.Length / 3, b = 2 * compressed.Length / 3;
        byte[] input = Frames.Concat(
            Frames.Client(WebSocketOpcode.Text, compressed.AsSpan(0, a), fin: false, compressed: true),
            Frames.Client(WebSocketOpcode.Ping, "hb"u8),
            Frames.Client(WebSocketOpcode.Continuation, compressed.AsSpan(a, b - a), fin: false, key: 0x01020304),
            Frames.Client(WebSocketOpcode.Continuation, compressed.AsSpan(b), key: 0xCAFEBABE),
            Frames.Client(WebSocketOpcode.Text, "after"));

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server(), withInflater: true);

        Assert.Equal([ReaderEvent.Ping("hb"u8.ToArray()), ReaderEvent.Text(text), ReaderEvent.Text("after")], events);
    }

    [Fact]
    public void Read_RoundTripsRandomCompressedMessages_UpToTheLimit()
    {
        var random = new Random(7692);
        using var inflater = new MessageInflater();
        using var reader = new MessageReader(ReaderDriver.Server(maxMessageBytes: 100_000), inflater);
        foreach (int length in new[] { 1, 125, 126, 4096, 65535, 65536, 100_000 })
        {
            byte[] payload = new byte[length];
            random.NextBytes(payload.AsSpan(0, length / 2)); // half noise, half zeros: compresses, but not to nothing
            byte[] input = Frames.Client(WebSocketOpcode.Binary, Compress(payload), compressed: true, key: (uint)random.Next());
            var sequence = Sequences.Split(input, random.Next(1, input.Length));

            Assert.Equal(MessageReadStatus.Message, reader.Read(ref sequence));
            Assert.True(reader.Payload.SequenceEqual(payload), $"length {length}");
            Assert.Equal(MessageReadStatus.NeedMoreData, reader.Read(ref sequence));
            Assert.False(reader.HoldsMessageBuffer);
        }
    }

    [Fact]
    public void Read_Returns1009_WhenInflatedSizeExceedsTheLimit()
    {
        // A deflate bomb: 1 MiB of zeros compresses to about a kilobyte.
        byte[] bomb = Compress(new byte[1 << 20]);
        Assert.True(bomb.Length < 16 * 1024);
        byte[] input = Frames.Client(WebSocketOpcode.Binary, bomb, compressed: true);

        Assert.Equal([ReaderEvent.Violation(CloseCodes.MessageTooBig)], ReaderDriver.Read(input, ReaderDriver.Server(), withInflater: true));
    }

    [Fact]
    public void Read_AcceptsCompressedMessageInflatingToExactlyTheLimit_AndRefusesOneByteMore()
    {
        byte[] exact = Frames.Client(WebSocketOpcode.Binary, Compress(new byte[1000]), compressed: true);
        byte[] over = Frames.Client(WebSocketOpcode.Binary, Compress(new byte[1001]), compressed: true);

        Assert.Equal([ReaderEvent.Message(WebSocketOpcode.Binary, new byte[1000])], ReaderDriver.Read(exact, ReaderDriver.Server(maxMessageBytes: 1000), withInflater: true));
        Assert.Equal([ReaderEvent.Violation(CloseCodes.MessageTooBig)], ReaderDriver.Read(over, ReaderDriver.Server(maxMessageBytes: 1000), withInflater: true));
    }

    [Fact]
    public void Read_Returns1009_FromTheHeader_WhenCompressedPayloadIsFarOverTheLimit()
    {
        byte[] header = new byte[FrameWriter.MaxHeaderLength];
        int length = FrameWriter.WriteHeader(header, WebSocketOpcode.Text, true, true, 1L << 30, Frames.ClientKey);
        using var inflater = new MessageInflater();
        using var reader = new MessageReader(ReaderDriver.Server(), inflater);
        var input = new ReadOnlySequence<byte>(header, 0, length);

        Assert.Equal(MessageReadStatus.ProtocolViolation, reader.Read(ref input));

        Assert.Equal(CloseCodes.MessageTooBig, reader.CloseCode);
        Assert.False(reader.HoldsMessageBuffer);
    }

    [Fact]
    public void Read_Returns1007_ForCorruptDeflateData()
    {
        // BTYPE = 11 is reserved in DEFLATE (RFC 1951 §3.2.3).
        byte[] input = Frames.Client(WebSocketOpcode.Binary, [0xFF, 0xFF, 0xFF, 0xFF], compressed: true);
        Assert.Equal([ReaderEvent.Violation(CloseCodes.InvalidPayloadData)], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server(), withInflater: true));
    }

    [Fact]
    public void Read_Returns1007_WhenInflatedTextIsNotUtf8()
    {
        byte[] input = Frames.Client(WebSocketOpcode.Text, Compress([0x61, 0xED, 0xA0, 0x80, 0x62]), compressed: true);
        Assert.Equal([ReaderEvent.Violation(CloseCodes.InvalidPayloadData)], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server(), withInflater: true));
    }

    [Fact]
    public void Read_AcceptsCompressedText_WhoseCompressedBytesAreNotUtf8()
    {
        // UTF-8 is checked on the inflated text, never on the compressed bytes.
        byte[] compressed = Compress(Encoding.UTF8.GetBytes("Grüße 😀 Grüße 😀"));
        Assert.False(Utf8Validator.IsValid(compressed));
        byte[] input = Frames.Client(WebSocketOpcode.Text, compressed, compressed: true);

        Assert.Equal([ReaderEvent.Text("Grüße 😀 Grüße 😀")], ReaderDriver.ReadAtEverySplit(input, ReaderDriver.Server(), withInflater: true));
    }
}
