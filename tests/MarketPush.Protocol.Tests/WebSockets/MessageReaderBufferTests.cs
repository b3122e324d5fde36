using System.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>
/// Memory per connection: an idle reader holds no pooled buffer, a message's buffer lives only until the next Read,
/// and steady-state reading allocates nothing.
/// </summary>
public class MessageReaderBufferTests
{
    [Fact]
    public void Read_ReturnsTheMessageBuffer_OnTheNextCall()
    {
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var input = new ReadOnlySequence<byte>(Frames.Client(WebSocketOpcode.Text, "hello"));

        Assert.Equal(MessageReadStatus.Message, reader.Read(ref input));
        Assert.True(reader.HoldsMessageBuffer);
        Assert.True(reader.Payload.SequenceEqual("hello"u8));

        Assert.Equal(MessageReadStatus.NeedMoreData, reader.Read(ref input));
        Assert.False(reader.HoldsMessageBuffer);
        Assert.True(reader.Payload.IsEmpty);
    }

    [Fact]
    public void Read_HoldsABuffer_OnlyWhileAFragmentedMessageIsIncomplete()
    {
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var first = new ReadOnlySequence<byte>(Frames.Client(WebSocketOpcode.Text, "Hel"u8, fin: false));
        Assert.Equal(MessageReadStatus.NeedMoreData, reader.Read(ref first));
        Assert.True(reader.HoldsMessageBuffer);

        var ping = new ReadOnlySequence<byte>(Frames.Client(WebSocketOpcode.Ping, "x"u8));
        Assert.Equal(MessageReadStatus.Ping, reader.Read(ref ping));
        Assert.True(reader.HoldsMessageBuffer);

        var last = new ReadOnlySequence<byte>(Frames.Client(WebSocketOpcode.Continuation, "lo"u8));
        Assert.Equal(MessageReadStatus.Message, reader.Read(ref last));
        Assert.True(reader.Payload.SequenceEqual("Hello"u8));
        Assert.Equal(MessageReadStatus.NeedMoreData, reader.Read(ref last));
        Assert.False(reader.HoldsMessageBuffer);
    }

    [Fact]
    public void Read_NeverRentsABuffer_ForControlFramesAndEmptyMessages()
    {
        using var reader = new MessageReader(ReaderDriver.Server(), null);
        var input = new ReadOnlySequence<byte>(Frames.Concat(
            Frames.Client(WebSocketOpcode.Ping, new byte[125]),
            Frames.Client(WebSocketOpcode.Pong, "p"u8),
            Frames.Client(WebSocketOpcode.Text, ReadOnlySpan<byte>.Empty)));

        while (reader.Read(ref input) != MessageReadStatus.NeedMoreData)
        {
            Assert.False(reader.HoldsMessageBuffer);
        }
    }

    [Fact]
    public void Dispose_ReturnsABufferHeldForAnIncompleteMessage()
    {
        var reader = new MessageReader(ReaderDriver.Server(), null);
        var input = new ReadOnlySequence<byte>(Frames.Client(WebSocketOpcode.Binary, new byte[500], fin: false));
        reader.Read(ref input);
        Assert.True(reader.HoldsMessageBuffer);

        reader.Dispose();

        Assert.False(reader.HoldsMessageBuffer);
        Assert.Throws<ObjectDisposedException>(() => reader.Read(ref input));
    }

    [Fact]
    public void Read_AllocatesNothing_InSteadyState()
    {
        // 64 small masked text frames and a fragmented binary message with a ping in between, read over and over.
        var parts = new List<byte[]>();
        for (int i = 0; i < 64; i++)
        {
            parts.Add(Frames.Client(WebSocketOpcode.Text, "{\"op\":\"ping\",\"id\":" + i + "}"));
        }

        parts.Add(Frames.Client(WebSocketOpcode.Binary, new byte[3000], fin: false));
        parts.Add(Frames.Client(WebSocketOpcode.Ping, "hb"u8));
        parts.Add(Frames.Client(WebSocketOpcode.Continuation, new byte[3000]));
        byte[] bytes = Frames.Concat([.. parts]);
        ReadOnlySequence<byte> split = Sequences.Split(bytes, 5, 100, 1001, 3003, bytes.Length - 7);
        using var reader = new MessageReader(ReaderDriver.Server(), null);

        int ReadAll()
        {
            int events = 0;
            ReadOnlySequence<byte> whole = new(bytes);
            while (reader.Read(ref whole) != MessageReadStatus.NeedMoreData)
            {
                events++;
            }

            ReadOnlySequence<byte> pieces = split;
            while (reader.Read(ref pieces) != MessageReadStatus.NeedMoreData)
            {
                events++;
            }

            return events;
        }

        for (int i = 0; i < 50; i++)
        {
            ReadAll(); // warm up the pool's per-thread cache and the JIT
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 100; i++)
        {
            total += ReadAll();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100 * 2 * 66, total);
        Assert.Equal(0, allocated);
    }
}
