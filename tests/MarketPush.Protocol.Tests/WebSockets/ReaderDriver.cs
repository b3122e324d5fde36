using System.Buffers;
using MarketPush.Protocol.WebSockets;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>
/// Feeds bytes to a <see cref="MessageReader"/> the ways a transport can deliver them (whole, split into segments,
/// trickled in chunks) and records the events, checking the reader's calling contract on every call.
/// </summary>
internal static class ReaderDriver
{
    public static MessageReaderOptions Server(int maxMessageBytes = 16 * 1024) =>
        new() { MaxMessageBytes = maxMessageBytes, ExpectMaskedFrames = true };

    public static MessageReaderOptions Client(int maxMessageBytes = 16 * 1024) =>
        new() { MaxMessageBytes = maxMessageBytes, ExpectMaskedFrames = false };

    /// <summary>
    /// Reads until NeedMoreData or a terminal status, appending events. Returns true when terminal. Checks that
    /// NeedMoreData leaves at most an incomplete frame header unconsumed and that a terminal status repeats without
    /// consuming.
    /// </summary>
    public static bool Drain(MessageReader reader, ref ReadOnlySequence<byte> input, List<ReaderEvent> events)
    {
        while (true)
        {
            MessageReadStatus status = reader.Read(ref input);
            if (status == MessageReadStatus.NeedMoreData)
            {
                Assert.True(input.Length < FrameHeader.MaxLength, $"{input.Length} bytes left unconsumed");
                Assert.Equal(OperationStatus.NeedMoreData, FrameHeader.TryParse(input.ToArray(), out _));
                return false;
            }

            events.Add(ReaderEvent.Capture(status, reader));
            if (status is MessageReadStatus.Close or MessageReadStatus.ProtocolViolation)
            {
                long left = input.Length;
                Assert.Equal(status, reader.Read(ref input));
                Assert.Equal(left, input.Length);
                return true;
            }
        }
    }

    public static List<ReaderEvent> Read(ReadOnlySequence<byte> input, MessageReaderOptions options, bool withInflater = false)
    {
        using MessageInflater? inflater = withInflater ? new MessageInflater() : null;
        using var reader = new MessageReader(options, inflater);
        var events = new List<ReaderEvent>();
        if (!Drain(reader, ref input, events))
        {
            Assert.Equal(0, input.Length); // test inputs are whole frames
        }

        return events;
    }

    public static List<ReaderEvent> Read(byte[] input, MessageReaderOptions options, bool withInflater = false) =>
        Read(new ReadOnlySequence<byte>(input), options, withInflater);

    /// <summary>
    /// Delivers the input as consecutive chunks ending at <paramref name="chunkEnds"/> (then the rest), one Read loop
    /// per chunk, the way a pipe does: bytes the reader left unconsumed (a partial header) come back in front of the
    /// next chunk, as a two-segment sequence.
    /// </summary>
    public static List<ReaderEvent> ReadIncrementally(byte[] input, IEnumerable<int> chunkEnds, MessageReaderOptions options, bool withInflater = false)
    {
        using MessageInflater? inflater = withInflater ? new MessageInflater() : null;
        using var reader = new MessageReader(options, inflater);
        var events = new List<ReaderEvent>();
        int start = 0;
        byte[] leftover = [];
        foreach (int end in chunkEnds.Append(input.Length))
        {
            ReadOnlySequence<byte> chunk = leftover.Length == 0
                ? new ReadOnlySequence<byte>(input, start, end - start)
                : Sequences.FromSegments([leftover, input.AsMemory(start, end - start)]);
            start = end;
            if (Drain(reader, ref chunk, events))
            {
                return events;
            }

            leftover = chunk.ToArray();
        }

        Assert.Empty(leftover); // test inputs are whole frames
        return events;
    }

    /// <summary>
    /// Reads <paramref name="input"/> whole, then cut at every byte boundary both as a two-segment sequence and as
    /// two deliveries (prefix, then rest), then one byte per segment and one byte per delivery; every way must give
    /// the same events. Returns them.
    /// </summary>
    public static List<ReaderEvent> ReadAtEverySplit(byte[] input, MessageReaderOptions options, bool withInflater = false)
    {
        List<ReaderEvent> whole = Read(input, options, withInflater);
        for (int cut = 1; cut < input.Length; cut++)
        {
            AssertSameEvents(whole, Read(Sequences.Split(input, cut), options, withInflater), "two segments", cut);
            AssertSameEvents(whole, ReadIncrementally(input, [cut], options, withInflater), "prefix then rest", cut);
        }

        AssertSameEvents(whole, Read(Sequences.OneBytePerSegment(input), options, withInflater), "one byte per segment", -1);
        AssertSameEvents(whole, ReadIncrementally(input, Enumerable.Range(1, Math.Max(0, input.Length - 1)), options, withInflater), "one byte per delivery", -1);
        return whole;
    }

    public static void AssertSameEvents(List<ReaderEvent> expected, List<ReaderEvent> actual, string how, int cut)
    {
        if (expected.Count != actual.Count || !expected.SequenceEqual(actual))
        {
            Assert.Fail($"{how} (cut {cut}): expected [{string.Join(", ", expected)}] but got [{string.Join(", ", actual)}]");
        }
    }
}
