using System.Text;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>
/// Seeded random streams written with <see cref="FrameWriter"/> (masked, random keys, random fragmentation, control
/// frames interleaved) must read back as exactly the messages that went in, however the bytes are delivered.
/// </summary>
public class MessageReaderRoundTripTests
{
    private static readonly int[] s_lengthClasses = [0, 1, 125, 126, 65535, 65536, 100_000];

    /// <summary>One random stream: its wire bytes and the events a reader must produce from them.</summary>
    private sealed class Stream
    {
        private readonly Random _random;
        private readonly List<byte[]> _frames = [];

        public Stream(int seed) => _random = new Random(seed);

        public List<ReaderEvent> Expected { get; } = [];

        public byte[] Bytes => Frames.Concat([.. _frames]);

        public void AddMessage(int length, int maxFragments)
        {
            bool text = _random.Next(2) == 0;
            byte[] payload = text ? RandomUtf8(length) : RandomBytes(length);
            WebSocketOpcode opcode = text ? WebSocketOpcode.Text : WebSocketOpcode.Binary;

            // Random cut points (repeats make empty fragments); text cuts land inside code points too.
            int fragments = _random.Next(1, maxFragments + 1);
            int[] cuts = Enumerable.Range(0, fragments - 1).Select(_ => _random.Next(0, length + 1)).Order().ToArray();
            int start = 0;
            for (int i = 0; i < fragments; i++)
            {
                int end = i < cuts.Length ? cuts[i] : length;
                if (i > 0)
                {
                    AddControlFrames(maxCount: 2);
                }

                _frames.Add(Frames.Client(i == 0 ? opcode : WebSocketOpcode.Continuation, payload.AsSpan(start, end - start), fin: i == fragments - 1, key: RandomKey()));
                start = end;
            }

            Expected.Add(ReaderEvent.Message(opcode, payload));
            AddControlFrames(maxCount: 1);
        }

        public void AddClose()
        {
            _frames.Add(Frames.Client(WebSocketOpcode.Close, [0x03, 0xE8, (byte)'o', (byte)'k'], key: RandomKey()));
            Expected.Add(ReaderEvent.Close(1000, "ok"u8.ToArray()));
        }

        private void AddControlFrames(int maxCount)
        {
            for (int n = _random.Next(0, maxCount + 1); n > 0; n--)
            {
                byte[] payload = RandomBytes(_random.Next(0, 126));
                bool ping = _random.Next(2) == 0;
                _frames.Add(Frames.Client(ping ? WebSocketOpcode.Ping : WebSocketOpcode.Pong, payload, key: RandomKey()));
                Expected.Add(ping ? ReaderEvent.Ping(payload) : ReaderEvent.Pong(payload));
            }
        }

        private uint RandomKey() => (uint)_random.NextInt64(0, 1L << 32);

        private byte[] RandomBytes(int length)
        {
            byte[] bytes = new byte[length];
            _random.NextBytes(bytes);
            return bytes;
        }

        /// <summary>Valid UTF-8 of exactly <paramref name="length"/> bytes mixing 1- to 4-byte code points.</summary>
        private byte[] RandomUtf8(int length)
        {
            var builder = new StringBuilder();
            int bytes = 0;
            while (bytes < length - 4)
            {
                int codePoint = _random.Next(4) switch
                {
                    0 => _random.Next(0x20, 0x7F),
                    1 => _random.Next(0x80, 0x800),
                    2 => _random.Next(0x800, 0xD800),
                    _ => _random.Next(0x10000, 0x110000),
                };
                string s = char.ConvertFromUtf32(codePoint);
                builder.Append(s);
                bytes += Encoding.UTF8.GetByteCount(s);
            }

            builder.Append('x', length - bytes);
            byte[] result = Encoding.UTF8.GetBytes(builder.ToString());
            Assert.Equal(length, result.Length);
            return result;
        }
    }

    private static List<int> RandomCuts(Random random, int length, int maxStep)
    {
        var cuts = new List<int>();
        int position = 0;
        while (true)
        {
            // Mostly small steps (headers get split often), sometimes large ones.
            position += random.Next(3) == 0 ? random.Next(1, maxStep) : random.Next(0, 20);
            if (position >= length)
            {
                return cuts;
            }

            cuts.Add(position);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Read_RoundTripsEveryLengthClass_MaskedFragmentedWithControlFrames_HoweverDelivered(int seed)
    {
        var stream = new Stream(seed);
        var random = new Random(seed * 7919);
        foreach (int length in s_lengthClasses.OrderBy(_ => random.Next()))
        {
            stream.AddMessage(length, maxFragments: 4);
        }

        stream.AddClose();
        byte[] bytes = stream.Bytes;
        var options = ReaderDriver.Server(maxMessageBytes: 128 * 1024);

        ReaderDriver.AssertSameEvents(stream.Expected, ReaderDriver.Read(bytes, options), "whole", -1);
        for (int round = 0; round < 5; round++)
        {
            List<int> cuts = RandomCuts(random, bytes.Length, 20_000);
            ReaderDriver.AssertSameEvents(stream.Expected, ReaderDriver.Read(Sequences.Split(bytes, [.. cuts]), options), "segments", round);
            ReaderDriver.AssertSameEvents(stream.Expected, ReaderDriver.ReadIncrementally(bytes, cuts, options), "deliveries", round);
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(125, false)]
    [InlineData(126, false)]
    [InlineData(65535, true)]
    [InlineData(65536, true)]
    [InlineData(100_000, true)]
    public void Read_RoundTripsSingleFrame_OfEachLengthClass(int length, bool large)
    {
        byte[] payload = new byte[length];
        new Random(length).NextBytes(payload);
        byte[] frame = Frames.Client(WebSocketOpcode.Binary, payload, key: 0x9E3779B9);
        Assert.Equal(FrameWriter.GetHeaderLength(length, masked: true) + length, frame.Length);

        var options = ReaderDriver.Server(maxMessageBytes: 128 * 1024);
        List<ReaderEvent> expected = [ReaderEvent.Message(WebSocketOpcode.Binary, payload)];
        List<ReaderEvent> actual = large ? ReaderDriver.Read(frame, options) : ReaderDriver.ReadAtEverySplit(frame, options);
        ReaderDriver.AssertSameEvents(expected, actual, "whole", -1);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Read_RoundTripsSmallMixedStream_SplitAtEveryByte(int seed)
    {
        var stream = new Stream(seed);
        foreach (int length in new[] { 0, 1, 2, 7, 125, 126, 127, 300 })
        {
            stream.AddMessage(length, maxFragments: 3);
        }

        stream.AddClose();

        List<ReaderEvent> events = ReaderDriver.ReadAtEverySplit(stream.Bytes, ReaderDriver.Server());

        ReaderDriver.AssertSameEvents(stream.Expected, events, "whole", -1);
    }
}
