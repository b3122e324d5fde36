using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Sessions;

public sealed class OutboundQueueTests
{
    private readonly FramePool _pool = new();
    private readonly FrameBuilder _builder;

    public OutboundQueueTests() => _builder = new FrameBuilder(_pool);

    [Fact]
    public void TryEnqueue_ReturnsOverflow_WhenFrameBoundReached()
    {
        var queue = new OutboundQueue(maxFrames: 3, maxBytes: 1 << 20);
        SharedFrame frame = Data(10);

        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueue(frame));
        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueue(frame));
        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueue(frame));
        Assert.Equal(EnqueueResult.Overflow, queue.TryEnqueue(frame));

        Assert.Equal(3, queue.Count);
        Assert.Equal(1, queue.Overflows);
        Assert.Equal(4, frame.RefCount); // ours + one per queued entry, none for the refused one
        Finish(queue, frame);
    }

    [Fact]
    public void TryEnqueue_ReturnsOverflow_WhenByteBoundWouldBeExceeded()
    {
        SharedFrame frame = Data(100); // 102 bytes with its header
        var queue = new OutboundQueue(maxFrames: 100, maxBytes: 250);

        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueue(frame));
        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueue(frame));
        Assert.Equal(EnqueueResult.Overflow, queue.TryEnqueue(frame));
        Assert.Equal(204, queue.Bytes);

        Assert.True(queue.TryDequeue(int.MaxValue, out SharedFrame taken));
        taken.Release();
        Assert.Equal(102, queue.Bytes);
        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueue(frame)); // room again after the send loop drained one
        Finish(queue, frame);
    }

    [Fact]
    public void TryDequeue_HandsOutCloseThenControlThenDataInOrder()
    {
        var queue = new OutboundQueue();
        SharedFrame first = Data(1);
        SharedFrame second = Data(2);
        SharedFrame pong = _builder.BuildFrame(WebSocketOpcode.Pong, "p"u8);
        queue.TryEnqueue(first);
        queue.TryEnqueue(second);
        queue.TryEnqueueControl(pong);

        Assert.Same(pong, Dequeue(queue));
        Assert.Same(first, Dequeue(queue));

        SharedFrame close = _builder.BuildCloseFrame(CloseCodes.NormalClosure, null);
        Assert.True(queue.TryEnqueueClose(close));
        Assert.Same(close, Dequeue(queue)); // the close jumps ahead of the data still queued
        Finish(queue, first, second, pong, close);
    }

    [Fact]
    public void TryDequeue_LeavesAFrameThatDoesNotFitTheSpaceLeft()
    {
        var queue = new OutboundQueue();
        SharedFrame frame = Data(50);
        queue.TryEnqueue(frame);

        Assert.False(queue.TryDequeue(frame.Length - 1, out _));
        Assert.True(queue.TryDequeue(frame.Length, out SharedFrame taken));
        taken.Release();
        Finish(queue, frame);
    }

    [Fact]
    public void QueueRefusesEverything_OnceACloseIsQueued_AndOnlyTheFirstCloseCounts()
    {
        var queue = new OutboundQueue();
        SharedFrame close = _builder.BuildCloseFrame(CloseCodes.GoingAway, "bye");
        SharedFrame data = Data(5);
        SharedFrame ping = _builder.BuildFrame(WebSocketOpcode.Ping, []);

        Assert.True(queue.TryEnqueueClose(close));
        Assert.False(queue.TryEnqueueClose(close));
        Assert.Equal(EnqueueResult.Closed, queue.TryEnqueue(data));
        Assert.Equal(EnqueueResult.Closed, queue.TryEnqueueControl(ping));
        Assert.True(queue.IsClosing);
        Finish(queue, close, data, ping);
    }

    [Fact]
    public void TryEnqueueControl_DropsPastItsCap_SoAPingFloodCannotGrowTheQueue()
    {
        var queue = new OutboundQueue(maxControlFrames: 2);
        SharedFrame pong = _builder.BuildFrame(WebSocketOpcode.Pong, []);

        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueueControl(pong));
        Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueueControl(pong));
        Assert.Equal(EnqueueResult.Dropped, queue.TryEnqueueControl(pong));
        Assert.Equal(1, queue.ControlDrops);
        Finish(queue, pong);
    }

    [Fact]
    public void Complete_ReleasesEveryQueuedReference()
    {
        var queue = new OutboundQueue();
        for (int i = 0; i < 50; i++)
        {
            SharedFrame frame = Data(i);
            queue.TryEnqueue(frame);
            frame.Release();
        }

        SharedFrame pong = _builder.BuildFrame(WebSocketOpcode.Pong, []);
        queue.TryEnqueueControl(pong);
        pong.Release();
        Assert.Equal(51, _pool.Outstanding);

        queue.Complete();

        Assert.Equal(0, _pool.Outstanding);
        SharedFrame late = Data(1);
        Assert.Equal(EnqueueResult.Closed, queue.TryEnqueue(late));
        Assert.Equal(1, late.RefCount); // refused frames get no queue reference
        late.Release();
        Assert.Equal(0, _pool.Outstanding);
    }

    [Fact]
    public async Task WaitAsync_CompletesWithTrue_WhenAFrameArrives()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var queue = new OutboundQueue();
        ValueTask<bool> wait = queue.WaitAsync();
        Assert.False(wait.IsCompleted);

        SharedFrame frame = Data(3);
        queue.TryEnqueue(frame);

        Assert.True(await wait.AsTask().WaitAsync(timeout.Token));
        Finish(queue, frame);
    }

    [Fact]
    public async Task WaitAsync_CompletesWithFalse_WhenTheQueueCompletes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var queue = new OutboundQueue();
        ValueTask<bool> wait = queue.WaitAsync();

        queue.Complete();

        Assert.False(await wait.AsTask().WaitAsync(timeout.Token));
        Assert.False(await queue.WaitAsync());
    }

    [Fact]
    public async Task ProducersOnManyThreads_AndOneConsumer_LoseNothingAndLeakNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var queue = new OutboundQueue(maxFrames: 100_000, maxBytes: long.MaxValue);
        const int Producers = 4;
        const int PerProducer = 5_000;
        int received = 0;
        Task consumer = Task.Run(async () =>
        {
            while (await queue.WaitAsync())
            {
                while (queue.TryDequeue(int.MaxValue, out SharedFrame frame))
                {
                    frame.Release();
                    if (++received == Producers * PerProducer)
                    {
                        queue.Complete();
                    }
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Producers).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                SharedFrame frame = _builder.BuildFrame(WebSocketOpcode.Text, "t"u8);
                Assert.Equal(EnqueueResult.Enqueued, queue.TryEnqueue(frame));
                frame.Release();
            }
        }))).WaitAsync(timeout.Token);
        await consumer.WaitAsync(timeout.Token);

        Assert.Equal(Producers * PerProducer, received);
        Assert.Equal(0, _pool.Outstanding);
    }

    private SharedFrame Data(int length) => _builder.BuildFrame(WebSocketOpcode.Text, new byte[length]);

    private static SharedFrame Dequeue(OutboundQueue queue)
    {
        Assert.True(queue.TryDequeue(int.MaxValue, out SharedFrame frame));
        frame.Release();
        return frame;
    }

    private void Finish(OutboundQueue queue, params SharedFrame[] ours)
    {
        queue.Complete();
        foreach (SharedFrame frame in ours)
        {
            frame.Release();
        }

        Assert.Equal(0, _pool.Outstanding);
        Assert.Equal(0, _pool.DoubleReleases);
    }
}
