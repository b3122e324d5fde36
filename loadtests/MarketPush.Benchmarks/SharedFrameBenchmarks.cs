using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Benchmarks;

/// <summary>
/// Outbound path, router to send loop: one update becomes one pooled <see cref="SharedFrame"/> (via
/// <see cref="FrameBuilder.CreateMessage"/> and an <see cref="OutboundMessage"/>), is enqueued to N sessions'
/// <see cref="OutboundQueue"/>s (one reference each), and each session's send loop then drains its queue into its
/// output pipe, releasing each frame, and flushes, as <c>Connection.SendLoopAsync</c> does. Sessions are real
/// <see cref="Session"/> objects without a socket; where Kestrel's transport would read the pipe and send, the
/// benchmark reads the pipe and discards the bytes. One operation is one update delivered to all N sessions.
/// Budget: 0 bytes per operation in steady state (frames, messages, pipe blocks and segments are pooled).
/// </summary>
/// <remarks>
/// <see cref="PlainQuote"/> is the common case: a 124-byte quote, under the compression threshold, so every session
/// gets the same plain frame. <see cref="CompressedBatch"/> is the other shared-frame case: a unique 1 KiB message for
/// deflate sessions, compressed once (lazily, by the first session's enqueue) and shared by all N.
/// </remarks>
// Min and median beside the mean: on a shared 2-core machine the fastest iteration is the closest to an
// uncontended figure (PERFORMANCE-NOTES: noise of 20-30% between runs, far more while other work runs).
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class SharedFrameBenchmarks
{
    // Connection.SendLoopAsync's batch bound (its MaxBatchBytes): frames copied into the pipe before one flush.
    private const int MaxBatchBytes = 64 * 1024;
    private const int BatchBytes = 1024;

    private FramePool _pool = null!;
    private FrameBuilder _builder = null!;
    private Session[] _plainSessions = null!;
    private Session[] _deflateSessions = null!;
    private Pipe[] _plainPipes = null!;
    private Pipe[] _deflatePipes = null!;
    private byte[] _quote = null!;
    private byte[] _batch = null!;
    private int[] _batchSeqOffsets = null!;
    private long _counter;

    [Params(1, 100)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pool = new FramePool();
        _builder = new FrameBuilder(_pool);
        _quote = BenchmarkPayloads.Quote(seed: 7);
        _batch = BenchmarkPayloads.QuoteBatch(BatchBytes, seed: 7692);
        _batchSeqOffsets = BenchmarkPayloads.SeqOffsets(_batch);
        if (_quote.Length >= _builder.CompressionThresholdBytes || _batch.Length < _builder.CompressionThresholdBytes)
        {
            throw new InvalidOperationException("The quote must stay under the compression threshold and the batch over it.");
        }

        _plainSessions = CreateSessions(compression: false);
        _deflateSessions = CreateSessions(compression: true);
        _plainPipes = CreatePipes();
        _deflatePipes = CreatePipes();

        // Prove the pipeline delivers every frame, compresses once for all sessions and returns every frame to the
        // pool, before timing it.
        int plain = PlainQuote();
        long compressions = _builder.CompressionCount;
        int compressed = CompressedBatch();
        compressions = _builder.CompressionCount - compressions;
        int plainFrame = FrameWriter.GetHeaderLength(_quote.Length, masked: false) + _quote.Length;
        if (plain != Sessions * plainFrame || compressed <= 0 || compressed >= Sessions * _batch.Length || compressions != 1)
        {
            throw new InvalidOperationException($"Unexpected: plain {plain} B, compressed {compressed} B drained, {compressions} compressions.");
        }

        AssertNoFrameOutstanding();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        AssertNoFrameOutstanding();
        _builder.Dispose();
    }

    /// <summary>Build a 124-byte quote frame once, enqueue it to every session, drain every queue. Returns bytes drained.</summary>
    [Benchmark]
    public int PlainQuote()
    {
        OutboundMessage message = _builder.CreateMessage(WebSocketOpcode.Text, _quote);
        Fan(message, _plainSessions);
        return DrainAll(_plainSessions, _plainPipes);
    }

    /// <summary>Build a unique 1 KiB message, compress it once for all deflate sessions, enqueue, drain. Returns bytes drained.</summary>
    [Benchmark]
    public int CompressedBatch()
    {
        BenchmarkPayloads.Stamp(_batch, _batchSeqOffsets, ++_counter);
        OutboundMessage message = _builder.CreateMessage(WebSocketOpcode.Text, _batch);
        Fan(message, _deflateSessions);
        return DrainAll(_deflateSessions, _deflatePipes);
    }

    // The router's part: one enqueue per subscriber (each takes its own reference), then the publisher lets go.
    private static void Fan(OutboundMessage message, Session[] sessions)
    {
        foreach (Session session in sessions)
        {
            EnqueueResult result = session.TryEnqueue(message);
            if (result != EnqueueResult.Enqueued)
            {
                ThrowNotEnqueued(result);
            }
        }

        message.Dispose();
    }

    // Each send loop's part: wait (completes synchronously, frames are queued), copy every queued frame into the
    // output pipe and release it, flush once; then the transport's part, minus the socket: read the pipe and let go.
    private static int DrainAll(Session[] sessions, Pipe[] pipes)
    {
        int drained = 0;
        for (int i = 0; i < sessions.Length; i++)
        {
            OutboundQueue queue = sessions[i].Queue;
            ValueTask<bool> ready = queue.WaitAsync();
            if (!ready.IsCompletedSuccessfully || !ready.Result)
            {
                ThrowNotReady();
            }

            PipeWriter output = pipes[i].Writer;
            int used = 0;
            int room = int.MaxValue;
            while (queue.TryDequeue(room, out SharedFrame frame))
            {
                output.Write(frame.Bytes);
                used += frame.Length;
                frame.Release();
                room = Math.Max(0, MaxBatchBytes - used);
            }

            ValueTask<FlushResult> flushed = output.FlushAsync();
            if (!flushed.IsCompletedSuccessfully)
            {
                ThrowNotReady();
            }

            PipeReader transport = pipes[i].Reader;
            if (!transport.TryRead(out ReadResult read) || read.Buffer.Length != used)
            {
                ThrowNotReady();
            }

            transport.AdvanceTo(read.Buffer.End);
            drained += used;
        }

        return drained;
    }

    private Session[] CreateSessions(bool compression)
    {
        var sessions = new Session[Sessions];
        for (int i = 0; i < sessions.Length; i++)
        {
            sessions[i] = new Session(Session.CreateId(), WireEncoding.Json, compression, new OutboundQueue(), _builder);
        }

        return sessions;
    }

    // Inline schedulers and no synchronization context, like Kestrel's transport pipes; no reader ever waits here,
    // so flushes complete synchronously and nothing is scheduled.
    private Pipe[] CreatePipes()
    {
        var pipes = new Pipe[Sessions];
        var options = new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);
        for (int i = 0; i < pipes.Length; i++)
        {
            pipes[i] = new Pipe(options);
        }

        return pipes;
    }

    private void AssertNoFrameOutstanding()
    {
        if (_pool.Outstanding != 0 || _pool.DoubleReleases != 0)
        {
            throw new InvalidOperationException(_pool.DescribeOutstanding());
        }
    }

    [DoesNotReturn]
    private static void ThrowNotEnqueued(EnqueueResult result) =>
        throw new InvalidOperationException($"Enqueue answered {result}.");

    [DoesNotReturn]
    private static void ThrowNotReady() =>
        throw new InvalidOperationException("A queue wait, pipe flush or pipe read did not complete synchronously with everything it should hold.");
}
