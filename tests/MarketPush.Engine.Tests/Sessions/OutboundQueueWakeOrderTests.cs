using System.Collections.Concurrent;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>
/// The router wakes every subscriber of an update from one pool thread. The clients woken first must be written to
/// first: when wake-ups ran last-in first-out, the first subscribers of a busy symbol waited behind everyone woken
/// after them, and under steady load their tick age grew without bound while the median looked healthy.
/// </summary>
public sealed class OutboundQueueWakeOrderTests
{
    [Fact]
    public async Task SendLoopsWokenFromAPoolThread_RunInTheOrderTheyWereWoken()
    {
        const int Sessions = 300;
        var pool = new FramePool();
        var builder = new FrameBuilder(pool);
        var queues = new OutboundQueue[Sessions];
        var loops = new Task[Sessions];
        var ran = new ConcurrentQueue<int>();
        for (int i = 0; i < Sessions; i++)
        {
            queues[i] = new OutboundQueue();

            // Each loop runs synchronously up to its first wait, so every queue has its waiter armed before the wake-ups.
            loops[i] = SendLoopAsync(queues[i], i, ran);
        }

        SharedFrame frame = builder.BuildFrame(WebSocketOpcode.Text, new byte[16]);
        var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.UnsafeQueueUserWorkItem(
            _ =>
            {
                for (int i = 0; i < Sessions; i++)
                {
                    queues[i].TryEnqueue(frame);
                }

                woken.SetResult();
            },
            null);
        await woken.Task;
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(30));
        frame.Release();

        // Several pool threads run the loops, so the order is only roughly the wake order; last-in first-out put the
        // most recently woken sessions (numbers near 300) among the first to run.
        int[] firstToRun = ran.Take(Sessions / 10).ToArray();
        Assert.True(firstToRun.All(session => session < Sessions / 3), $"the first {firstToRun.Length} of {Sessions} send loops to run were sessions {string.Join(',', firstToRun)}");
        Assert.Equal(0, pool.Outstanding);
    }

    private static async Task SendLoopAsync(OutboundQueue queue, int session, ConcurrentQueue<int> ran)
    {
        bool ready = await queue.WaitAsync().ConfigureAwait(false);
        ran.Enqueue(session);
        while (ready && queue.TryDequeue(int.MaxValue, out SharedFrame frame))
        {
            frame.Release();
        }

        queue.Complete();
    }
}
