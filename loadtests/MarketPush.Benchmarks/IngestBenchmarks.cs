using BenchmarkDotNet.Attributes;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;

namespace MarketPush.Benchmarks;

/// <summary>
/// Ingest stage, on a feed's ingest thread: the real <see cref="IngestPipeline.Process"/> for a mix of ticks as a feed
/// delivers them (quotes, trades, book levels collected into one book update per instrument, a status) on 8
/// instruments: seq assignment, the last-value cache (quote, trade, book apply with per-tier deltas, state) and the
/// hand-off to the sink, here a <see cref="CountingTickSink"/> so that only ingest is measured (the router's share
/// is in the fan-out benchmarks). One operation is one tick; an invocation is 64. Budget: 0 bytes per tick.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class IngestBenchmarks
{
    private const int Instruments = 8;
    private const int TicksPerInstrument = 8;
    private const int TicksPerInvoke = Instruments * TicksPerInstrument;

    private CountingTickSink _sink = null!;
    private IngestPipeline _pipeline = null!;
    private long _round;
    private long _timestamp = 1_763_800_000_000_000;

    [GlobalSetup]
    public void Setup()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(Instruments);
        _sink = new CountingTickSink();
        _pipeline = new IngestPipeline(new LastValueCache(catalog), new SequenceAssigner(catalog.Count), _sink);
        Ingest();

        // Every tick must have reached the sink as what it is: 2 quotes, 1 trade, 1 book update of 4 levels and
        // 1 status per instrument.
        if (_sink.Quotes != 2 * Instruments || _sink.Trades != Instruments || _sink.BookUpdates != Instruments
            || _sink.BookLevels != 4 * Instruments || _sink.Statuses != Instruments || _pipeline.InvalidTicks != 0)
        {
            throw new InvalidOperationException("The ingest pipeline did not hand every tick on.");
        }
    }

    [Benchmark(OperationsPerInvoke = TicksPerInvoke)]
    public long Ingest()
    {
        long round = ++_round;
        long size = 100 + (round & 31);
        IngestPipeline pipeline = _pipeline;
        for (int id = 0; id < Instruments; id++)
        {
            long ts = _timestamp += 1_000;
            long bid = 18_000 + (id * 100) + (round & 7);
            pipeline.Process(Tick.ForQuote(id, ts, new Quote(bid, size, bid + 2, size + 1)));
            pipeline.Process(Tick.ForTrade(id, ts, new Trade(bid + 1, 5, (round & 1) == 0 ? TradeSide.Buy : TradeSide.Sell)));
            pipeline.Process(Tick.ForBookLevel(id, ts, BookSide.Bid, bid, size, endsBookUpdate: false));
            pipeline.Process(Tick.ForBookLevel(id, ts, BookSide.Ask, bid + 2, size + 1, endsBookUpdate: false));
            pipeline.Process(Tick.ForBookLevel(id, ts, BookSide.Bid, bid - 1, size + 2, endsBookUpdate: false));
            pipeline.Process(Tick.ForBookLevel(id, ts, BookSide.Ask, bid + 3, size + 3, endsBookUpdate: true));
            pipeline.Process(Tick.ForQuote(id, ts, new Quote(bid, size + 4, bid + 2, size + 5)));
            pipeline.Process(Tick.ForStatus(id, ts, (round & 1) == 0 ? FeedState.Open : FeedState.Halted));
        }

        return pipeline.ProcessedTicks;
    }
}
