using System.Buffers;
using BenchmarkDotNet.Attributes;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Encodings.MessagePack;
using MarketPush.Protocol.Messages;

namespace MarketPush.Benchmarks;

/// <summary>
/// The router's encode step, on the ingest thread: each server message type written once by
/// <see cref="JsonMessageWriter.Instance"/> and <see cref="MessagePackMessageWriter.Instance"/> into one reused
/// <see cref="ArrayBufferWriter{T}"/>, as the router's per-thread update buffer is reused. The router encodes each
/// update once per wire variant, so this cost is paid once per update, not per subscriber.
/// Budget: 0 bytes per operation (the interface promises the tick messages allocate nothing).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class MessageEncodingBenchmarks
{
    private const long Timestamp = 1_763_800_000_123_456;
    private const long Sequence = 123_456_789;

    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Instrument _instrument = new(0, "AAPL", 2, 1, "Apple Inc.");
    private readonly Quote _quote = new(18_912, 300, 18_914, 500);
    private readonly Trade _trade = new(18_913, 25, TradeSide.Sell);
    private readonly BookLevel[] _bids10 = Levels(18_912, -1, 10);
    private readonly BookLevel[] _asks10 = Levels(18_914, 1, 10);
    private readonly BookLevel[] _bids50 = Levels(18_912, -1, 50);
    private readonly BookLevel[] _asks50 = Levels(18_914, 1, 50);

    public static IEnumerable<string> Encodings => ["json", "msgpack"];

    [ParamsSource(nameof(Encodings))]
    public string Encoding { get; set; } = "json";

    private IMarketMessageWriter _writer = JsonMessageWriter.Instance;

    [GlobalSetup]
    public void Setup() =>
        _writer = Encoding == "msgpack" ? MessagePackMessageWriter.Instance : JsonMessageWriter.Instance;

    [Benchmark]
    public int Quote()
    {
        _buffer.ResetWrittenCount();
        _writer.WriteQuote(_buffer, _instrument, Sequence, Timestamp, _quote, snapshot: false);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Trade()
    {
        _buffer.ResetWrittenCount();
        _writer.WriteTrade(_buffer, _instrument, Sequence, Timestamp, _trade, snapshot: false);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int BookDelta10()
    {
        _buffer.ResetWrittenCount();
        _writer.WriteBook(_buffer, _instrument, Sequence, Timestamp, _bids10, _asks10, snapshot: false, checksum: 0xDEADBEEF);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int BookSnapshot50()
    {
        _buffer.ResetWrittenCount();
        _writer.WriteBook(_buffer, _instrument, Sequence, Timestamp, _bids50, _asks50, snapshot: true, checksum: 0xDEADBEEF);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Status()
    {
        _buffer.ResetWrittenCount();
        _writer.WriteStatus(_buffer, _instrument, FeedState.Halted, Timestamp);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Heartbeat()
    {
        _buffer.ResetWrittenCount();
        _writer.WriteHeartbeat(_buffer, Timestamp);
        return _buffer.WrittenCount;
    }

    // Best first: bids descending, asks ascending, one tick apart, sizes varying so no two levels encode alike.
    private static BookLevel[] Levels(long best, int step, int count)
    {
        var levels = new BookLevel[count];
        for (int i = 0; i < count; i++)
        {
            levels[i] = new BookLevel(best + (step * i), 100 + (i * 37));
        }

        return levels;
    }
}
