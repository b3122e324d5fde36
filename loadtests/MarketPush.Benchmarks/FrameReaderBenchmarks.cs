using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Benchmarks;

/// <summary>
/// Inbound path, first stage: <see cref="MessageReader"/> turning what a receive loop got from the socket into
/// messages. Input is 1,000 masked text frames of 20–100 bytes (ping/subscribe/unsubscribe commands), the traffic of
/// a chatty client, all already received: once as one segment (the fast path: header parsed from the span, payload
/// copied in one go) and once as 4 KiB segments, which is how a pipe hands it over, so about one frame in eighty has
/// its header or payload split and takes the slow paths. Results are per message (OperationsPerInvoke), and each
/// message is unmasked and UTF-8 validated, as on the server. Budget: 0 bytes per message.
/// </summary>
/// <remarks>
/// One reader serves every invocation, as one reader serves a connection's lifetime; it rents its message buffer from
/// the shared ArrayPool per message and returns it on the next call, which is part of what is measured.
/// </remarks>
// Min and median beside the mean: on a shared 2-core machine the fastest iteration is the closest to an
// uncontended figure (PERFORMANCE-NOTES: noise of 20-30% between runs, far more while other work runs).
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FrameReaderBenchmarks
{
    public const int FrameCount = 1000;
    private const int SegmentBytes = 4096;

    private MessageReader _reader = null!;
    private ReadOnlySequence<byte> _oneSegment;
    private ReadOnlySequence<byte> _segments;
    private int _payloadBytes;

    [GlobalSetup]
    public void Setup()
    {
        byte[][] commands = BenchmarkPayloads.ClientCommands(FrameCount, seed: 2);
        var random = new Random(6455);
        var wire = new byte[FrameCount * (FrameWriter.MaxHeaderLength + 100)];
        int used = 0;
        _payloadBytes = 0;
        foreach (byte[] command in commands)
        {
            uint maskKey = (uint)random.Next() | 1u; // any key; never 0, so the XOR work is real
            used += FrameWriter.WriteFrame(wire.AsSpan(used), WebSocketOpcode.Text, fin: true, compressed: false, command, maskKey);
            _payloadBytes += command.Length;
        }

        byte[] data = wire.AsSpan(0, used).ToArray();
        _oneSegment = new ReadOnlySequence<byte>(data);
        _segments = BufferSegment.Split(data, SegmentBytes);
        _reader = new MessageReader(new MessageReaderOptions(), inflater: null);

        // A benchmark that silently stopped at a violation would look very fast: prove both inputs read fully first.
        if (ReadAll(_oneSegment) != _payloadBytes || ReadAll(_segments) != _payloadBytes)
        {
            throw new InvalidOperationException("The reader did not return every frame's payload.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _reader.Dispose();

    /// <summary>All frames in one contiguous segment.</summary>
    [Benchmark(OperationsPerInvoke = FrameCount)]
    public int OneSegment() => ReadAll(_oneSegment);

    /// <summary>The same bytes in 4 KiB segments, as a pipe presents them.</summary>
    [Benchmark(OperationsPerInvoke = FrameCount)]
    public int FourKiBSegments() => ReadAll(_segments);

    // The receive loop's shape: Read until NeedMoreData, touching each payload. Returns the payload bytes seen.
    private int ReadAll(ReadOnlySequence<byte> buffer)
    {
        MessageReader reader = _reader;
        int payloadBytes = 0;
        while (true)
        {
            MessageReadStatus status = reader.Read(ref buffer);
            if (status == MessageReadStatus.Message)
            {
                payloadBytes += reader.Payload.Length;
            }
            else if (status == MessageReadStatus.NeedMoreData)
            {
                return payloadBytes;
            }
            else
            {
                ThrowUnexpected(status);
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowUnexpected(MessageReadStatus status) =>
        throw new InvalidOperationException($"Unexpected read status {status}.");
}
