using System.Text;
using MarketPush.Engine.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Buffers;

public sealed class OutboundMessageTests
{
    private static readonly byte[] s_large = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"type\":\"quote\",\"symbol\":\"AAPL\",\"bid\":189.21}", 30)));

    [Fact]
    public void GetFrame_CompressesOnce_ForAnyNumberOfDeflateSessions()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        using OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, s_large);

        SharedFrame first = message.GetFrame(compressed: true);
        for (int session = 0; session < 100; session++)
        {
            Assert.Same(first, message.GetFrame(compressed: true));
        }

        Assert.Equal(1, builder.CompressionCount);
        ParsedFrame frame = ParsedFrame.ParseSingle(first.Bytes);
        Assert.True(frame.Rsv1);
        Assert.True(frame.Fin);
        Assert.Equal(WebSocketOpcode.Text, frame.Opcode);
        Assert.True(frame.Payload.Length < s_large.Length / 4, "repetitive JSON compresses well");
        Assert.Equal(s_large, ParsedFrame.Inflate(frame.Payload));
    }

    [Fact]
    public void GetFrame_GivesPlainSessionsTheUncompressedFrame()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        using OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, s_large);

        ParsedFrame frame = ParsedFrame.ParseSingle(message.GetFrame(compressed: false).Bytes);

        Assert.False(frame.Rsv1);
        Assert.Equal(s_large, frame.Payload);
        Assert.Equal(0, builder.CompressionCount);
    }

    [Theory]
    [InlineData(255, false)]
    [InlineData(256, true)]
    public void GetFrame_CompressesOnlyAtOrOverTheThreshold(int payloadLength, bool compressed)
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool, compressionThresholdBytes: 256);
        using OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, s_large.AsSpan(0, payloadLength));

        SharedFrame frame = message.GetFrame(compressed: true);

        Assert.Equal(compressed, ParsedFrame.ParseSingle(frame.Bytes).Rsv1);
        Assert.Equal(compressed ? 1 : 0, builder.CompressionCount);
        Assert.Equal(!compressed, ReferenceEquals(frame, message.GetFrame(compressed: false)));
    }

    [Fact]
    public void SameMessage_CompressesToTheSameBytes_Twice()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        using OutboundMessage a = builder.CreateMessage(WebSocketOpcode.Text, s_large);
        using OutboundMessage b = builder.CreateMessage(WebSocketOpcode.Text, s_large);

        Assert.Equal(a.GetFrame(true).Bytes.ToArray(), b.GetFrame(true).Bytes.ToArray());
    }

    [Fact]
    public void Dispose_ReturnsEveryFrame_OnceQueuesReleasedTheirReferences()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, s_large);
        SharedFrame plain = message.GetFrame(false);
        SharedFrame compressed = message.GetFrame(true);
        plain.AddRef();      // as a queue would
        compressed.AddRef();

        message.Dispose();
        Assert.Equal(2, pool.Outstanding);

        plain.Release();
        compressed.Release();
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(0, pool.DoubleReleases);
    }

    [Fact]
    public void GetFrame_Throws_AfterDispose()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, "x"u8);
        message.Dispose();

        Assert.Throws<ObjectDisposedException>(() => message.GetFrame(false));
        message.Dispose(); // idempotent: no double release
        Assert.Equal(0, pool.DoubleReleases);
    }

    [Fact]
    public void CreateMessage_SplitsIntoContinuationFrames_WhenFragmentSizeGiven()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        byte[] payload = Encoding.UTF8.GetBytes("0123456789abcdefghij-ü"); // 23 bytes, a 2-byte code point at the end

        using OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, payload, fragmentBytes: 10);
        List<ParsedFrame> frames = ParsedFrame.ParseAll(message.GetFrame(false).Bytes);

        Assert.Equal(3, frames.Count);
        Assert.Equal([WebSocketOpcode.Text, WebSocketOpcode.Continuation, WebSocketOpcode.Continuation], frames.Select(f => f.Opcode));
        Assert.Equal([false, false, true], frames.Select(f => f.Fin));
        Assert.Equal(payload, frames.SelectMany(f => f.Payload));
    }

    [Fact]
    public void CompressedFragmentedMessage_HasRsv1OnFirstFrameOnly_AndInflatesWhole()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        using OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, s_large, fragmentBytes: 20);

        List<ParsedFrame> frames = ParsedFrame.ParseAll(message.GetFrame(true).Bytes);

        Assert.True(frames.Count > 1);
        Assert.True(frames[0].Rsv1);
        Assert.All(frames.Skip(1), f => Assert.False(f.Rsv1));
        Assert.All(frames.Skip(1), f => Assert.Equal(WebSocketOpcode.Continuation, f.Opcode));
        Assert.True(frames[^1].Fin);
        Assert.Equal(s_large, ParsedFrame.Inflate([.. frames.SelectMany(f => f.Payload)]));
    }

    [Fact]
    public void BuildCloseFrame_CutsTheReasonToWholeCharactersWithin123Bytes()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        string reason = new string('é', 100); // 200 UTF-8 bytes

        SharedFrame close = builder.BuildCloseFrame(CloseCodes.GoingAway, reason);
        ParsedFrame frame = ParsedFrame.ParseSingle(close.Bytes);

        Assert.Equal(WebSocketOpcode.Close, frame.Opcode);
        Assert.Equal(new byte[] { 0x03, 0xE9 }, frame.Payload[..2]);
        Assert.Equal(122, frame.Payload.Length - 2); // 61 whole 'é', never half of one
        Assert.Equal(new string('é', 61), Encoding.UTF8.GetString(frame.Payload, 2, frame.Payload.Length - 2));
        close.Release();
    }

    [Fact]
    public void CreateMessageAndEnqueue_AllocateNothing_InSteadyState()
    {
        var pool = new FramePool();
        using var builder = new FrameBuilder(pool);
        var queue = new MarketPush.Engine.Transport.OutboundQueue();
        byte[] payload = new byte[120];
        void Once()
        {
            using (OutboundMessage message = builder.CreateMessage(WebSocketOpcode.Text, payload))
            {
                queue.TryEnqueue(message.GetFrame(false));
            }

            Assert.True(queue.TryDequeue(int.MaxValue, out SharedFrame frame));
            frame.Release();
        }

        for (int i = 0; i < 100; i++)
        {
            Once();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Once();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, pool.Outstanding);
    }
}
