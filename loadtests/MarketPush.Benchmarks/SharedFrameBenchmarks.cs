using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Benchmarks;

/// <summary>
/// Outbound path, router to wire: one update becomes one pooled <see cref="SharedFrame"/> (via
/// <see cref="FrameBuilder.CreateMessage"/> and an <see cref="OutboundMessage"/>), is enqueued to N sessions'
/// <see cref="OutboundQueue"/>s (one reference each), and each session's real <see cref="Connection"/> send loop
/// (woken on a pool thread, as in the server) copies it into its output pipe, releases it, records the write's
/// metrics and flushes. Each connection runs over an in-memory transport (<see cref="InMemoryConnection"/>): where
/// Kestrel's socket transport would read the pipe and send, the benchmark reads the pipe and discards the bytes. One
/// operation is one update written by all N connections. Budget: 0 bytes per operation in steady state (frames,
/// messages, pipe blocks and the send loop's awaits are pooled or reused).
/// </summary>
/// <remarks>
/// <see cref="PlainQuote"/> is the common case: a 124-byte quote, under the compression threshold, so every session
/// gets the same plain frame. <see cref="CompressedBatch"/> is the other shared-frame case: a unique 1 KiB message for
/// deflate sessions, compressed once (lazily, by the first session's enqueue) and shared by all N. The time includes
/// each send loop's wake-up on the thread pool (one work item per connection and write, what the server pays), and
/// on two cores the benchmark thread's wait for the N writes competes with them.
/// </remarks>
// Min and median beside the mean: on a shared 2-core machine the fastest iteration is the closest to an
// uncontended figure (PERFORMANCE-NOTES: noise of 20-30% between runs, far more while other work runs).
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class SharedFrameBenchmarks
{
    private const int BatchBytes = 1024;

    private StreamServer _server = null!;
    private FramePool _pool = null!;
    private FrameBuilder _builder = null!;
    private InMemoryConnection[] _plain = null!;
    private InMemoryConnection[] _deflate = null!;
    private byte[] _quote = null!;
    private byte[] _batch = null!;
    private int[] _batchSeqOffsets = null!;
    private long _counter;

    [Params(1, 100)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = InMemoryConnection.CreateServer(new StreamOptions());
        _pool = _server.FramePool;
        _builder = _server.Frames;
        _quote = BenchmarkPayloads.Quote(seed: 7);
        _batch = BenchmarkPayloads.QuoteBatch(BatchBytes, seed: 7692);
        _batchSeqOffsets = BenchmarkPayloads.SeqOffsets(_batch);
        if (_quote.Length >= _builder.CompressionThresholdBytes || _batch.Length < _builder.CompressionThresholdBytes)
        {
            throw new InvalidOperationException("The quote must stay under the compression threshold and the batch over it.");
        }

        _plain = OpenConnections(compression: false);
        _deflate = OpenConnections(compression: true);

        // Prove the pipeline delivers every frame, compresses once for all sessions and returns every frame to the
        // pool, before timing it.
        long plain = PlainQuote();
        long compressions = _builder.CompressionCount;
        long compressed = CompressedBatch();
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
        foreach (InMemoryConnection connection in _plain.Concat(_deflate))
        {
            connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        // Every connection has finished: its queue is complete and its session left the registry.
        if (_server.Sessions.Count != 0)
        {
            throw new InvalidOperationException($"{_server.Sessions.Count} session(s) still registered after every connection ended.");
        }

        AssertNoFrameOutstanding();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Build a 124-byte quote frame once, enqueue it to every session, wait for every connection to write it. Returns bytes written.</summary>
    [Benchmark]
    public long PlainQuote()
    {
        using OutboundMessage message = _builder.CreateMessage(WebSocketOpcode.Text, _quote);
        return Deliver(message, _plain, compressed: false);
    }

    /// <summary>Build a unique 1 KiB message, compress it once for all deflate sessions, enqueue, wait for the writes. Returns bytes written.</summary>
    [Benchmark]
    public long CompressedBatch()
    {
        BenchmarkPayloads.Stamp(_batch, _batchSeqOffsets, ++_counter);
        using OutboundMessage message = _builder.CreateMessage(WebSocketOpcode.Text, _batch);
        return Deliver(message, _deflate, compressed: true);
    }

    // The router's part: one enqueue per subscriber (each takes its own reference; the publisher lets go when the
    // caller disposes the message), which wakes each connection's send loop. Then the transport's part, minus the
    // socket: wait for each connection's write and consume it.
    private static long Deliver(OutboundMessage message, InMemoryConnection[] connections, bool compressed)
    {
        foreach (InMemoryConnection connection in connections)
        {
            EnqueueResult result = connection.Session.TryEnqueue(message);
            if (result != EnqueueResult.Enqueued)
            {
                ThrowNotEnqueued(result);
            }
        }

        int frameBytes = message.GetFrame(compressed).Length;
        foreach (InMemoryConnection connection in connections)
        {
            connection.ReadExactly(frameBytes);
        }

        return (long)frameBytes * connections.Length;
    }

    private InMemoryConnection[] OpenConnections(bool compression)
    {
        var connections = new InMemoryConnection[Sessions];
        for (int i = 0; i < connections.Length; i++)
        {
            connections[i] = new InMemoryConnection(_server, WireEncoding.Json, compression);
        }

        return connections;
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
}
