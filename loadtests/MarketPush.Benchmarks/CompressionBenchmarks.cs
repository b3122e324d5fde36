using BenchmarkDotNet.Attributes;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Benchmarks;

/// <summary>
/// permessage-deflate on its own: <see cref="MessageDeflater.Compress"/> of one unique JSON-like message (the cost
/// paid once per message and wire variant, whatever the number of deflate subscribers), and
/// <see cref="MessageInflater.Inflate"/> of the result (the receive loop's cost for a compressed client message).
/// Issue 2's target is a unique 1 KiB message in at most 12 µs; 128 B and 16 KiB give context. Budget: 0 bytes per
/// operation (native compressor state, pooled scratch).
/// </summary>
/// <remarks>
/// Level 1 is <c>FrameBuilder.DefaultCompressionLevel</c>, what the server uses; level 6 (zlib's default) shows
/// what the ratio would cost. Before each compression a counter is stamped into the message's seq fields at its start,
/// middle and end, so no two compressed messages are the same (about 10 ns, included).
/// </remarks>
// Min and median beside the mean: on a shared 2-core machine the fastest iteration is the closest to an
// uncontended figure (PERFORMANCE-NOTES: noise of 20-30% between runs, far more while other work runs).
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class CompressionBenchmarks
{
    private MessageDeflater _deflater = null!;
    private MessageInflater _inflater = null!;
    private byte[] _payload = null!;
    private int[] _seqOffsets = null!;
    private byte[] _output = null!;
    private byte[] _compressed = null!;
    private byte[] _inflated = null!;
    private long _counter;

    [Params(128, 1024, 16384)]
    public int PayloadBytes { get; set; }

    [Params(1, 6)]
    public int Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _deflater = new MessageDeflater(Level);
        _inflater = new MessageInflater();
        _payload = BenchmarkPayloads.QuoteBatch(PayloadBytes, seed: 1951);
        _seqOffsets = BenchmarkPayloads.SeqOffsets(_payload);
        _output = new byte[MessageDeflater.GetMaxCompressedLength(PayloadBytes)];
        _inflated = new byte[PayloadBytes];

        // Inflate always sees one fixed compressed message; check it round-trips so the figure is for real work.
        int length = _deflater.Compress(_payload, _output);
        _compressed = _output.AsSpan(0, length).ToArray();
        if (_inflater.Inflate(_compressed, _inflated, out int written) != InflateStatus.Done
            || !_inflated.AsSpan(0, written).SequenceEqual(_payload))
        {
            throw new InvalidOperationException("The compressed message does not inflate back to the input.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _deflater.Dispose();
        _inflater.Dispose();
    }

    /// <summary>Compresses one unique message. Returns the compressed length.</summary>
    [Benchmark]
    public int Compress()
    {
        BenchmarkPayloads.Stamp(_payload, _seqOffsets, ++_counter);
        return _deflater.Compress(_payload, _output);
    }

    /// <summary>Inflates the compressed form of the message into a buffer of exactly its size (the cap).</summary>
    [Benchmark]
    public int Inflate()
    {
        _inflater.Inflate(_compressed, _inflated, out int written);
        return written;
    }
}
