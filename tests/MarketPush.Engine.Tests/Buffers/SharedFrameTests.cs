using MarketPush.Engine.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Buffers;

public sealed class SharedFrameTests
{
    [Fact]
    public void Release_ReturnsFrameToPool_OnlyWhenLastReferenceGoes()
    {
        var pool = new FramePool();
        var builder = new FrameBuilder(pool);
        SharedFrame frame = builder.BuildFrame(WebSocketOpcode.Text, "hi"u8);
        frame.AddRef();
        frame.AddRef();
        Assert.Equal(3, frame.RefCount);

        frame.Release();
        frame.Release();
        Assert.Equal(1, pool.Outstanding);

        frame.Release();
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(0, frame.RefCount);
    }

    [Fact]
    public void Release_Throws_AndIsCounted_WhenFrameReleasedTwice()
    {
        var pool = new FramePool();
        SharedFrame frame = new FrameBuilder(pool).BuildFrame(WebSocketOpcode.Text, "x"u8);
        frame.Release();

        Assert.Throws<InvalidOperationException>(frame.Release);
        Assert.Equal(1, pool.DoubleReleases);
        Assert.Equal(0, pool.Outstanding); // the count is not driven negative
    }

    [Fact]
    public void AddRef_Throws_WhenFrameAlreadyReturned()
    {
        var pool = new FramePool();
        SharedFrame frame = new FrameBuilder(pool).BuildFrame(WebSocketOpcode.Text, "x"u8);
        frame.Release();

        Assert.Throws<InvalidOperationException>(frame.AddRef);
    }

    [Fact]
    public void Bytes_HoldExactlyTheFrame_HeaderAndPayload()
    {
        var pool = new FramePool();
        SharedFrame frame = new FrameBuilder(pool).BuildFrame(WebSocketOpcode.Text, "Hello"u8);

        // RFC 6455 §5.7: a single-frame unmasked text message "Hello".
        Assert.Equal(Convert.FromHexString("810548656c6c6f"), frame.Bytes.ToArray());
        Assert.False(frame.IsControl);
        frame.Release();
    }

    [Fact]
    public void ConcurrentAddRefAndRelease_ReturnTheFrameExactlyOnce()
    {
        var pool = new FramePool();
        SharedFrame frame = new FrameBuilder(pool).BuildFrame(WebSocketOpcode.Binary, new byte[64]);
        const int Owners = 8;
        const int Rounds = 10_000;
        for (int i = 0; i < Owners; i++)
        {
            frame.AddRef();
        }

        Parallel.For(0, Owners, _ =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                frame.AddRef();
                frame.Release();
            }

            frame.Release();
        });

        Assert.Equal(1, frame.RefCount);
        frame.Release();
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(0, pool.DoubleReleases);
    }

    [Fact]
    public void RentAndRelease_AllocateNothing_InSteadyState()
    {
        var pool = new FramePool();
        var builder = new FrameBuilder(pool);
        byte[] payload = new byte[100];
        for (int i = 0; i < 100; i++)
        {
            builder.BuildFrame(WebSocketOpcode.Text, payload).Release();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            builder.BuildFrame(WebSocketOpcode.Text, payload).Release();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

#if DEBUG
    [Fact]
    public void DescribeOutstanding_NamesWhereALeakedFrameWasRented_InDebugBuilds()
    {
        var pool = new FramePool { RecordRentStacks = true };
        SharedFrame leaked = new FrameBuilder(pool).BuildFrame(WebSocketOpcode.Text, "leak"u8);

        string description = pool.DescribeOutstanding();

        Assert.Contains("1 frame(s) outstanding", description, StringComparison.Ordinal);
        Assert.Contains(nameof(DescribeOutstanding_NamesWhereALeakedFrameWasRented_InDebugBuilds), description, StringComparison.Ordinal);
        leaked.Release();
        Assert.Contains("0 frame(s) outstanding", pool.DescribeOutstanding(), StringComparison.Ordinal);
    }
#endif
}
