using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Tests.Market;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Ingest;

public class IngestPipelineTests
{
    private const int Timeout = 30_000;

    private readonly InstrumentCatalog _catalog = InstrumentCatalog.CreateGenerated(3);
    private readonly RecordingSink _sink = new();
    private readonly LastValueCache _cache;
    private readonly IngestPipeline _pipeline;

    public IngestPipelineTests()
    {
        _cache = new LastValueCache(_catalog);
        _pipeline = new IngestPipeline(_cache, new SequenceAssigner(_catalog.Count), _sink);
    }

    [Fact]
    public void Seq_StartsAtOne_AndCountsPerInstrumentAndChannel()
    {
        _pipeline.Process(Tick.ForQuote(0, 10, new Quote(100, 1, 101, 1)));
        _pipeline.Process(Tick.ForQuote(0, 11, new Quote(100, 2, 101, 1)));
        _pipeline.Process(Tick.ForTrade(0, 12, new Trade(100, 5, TradeSide.Sell)));
        _pipeline.Process(Tick.ForQuote(1, 13, new Quote(200, 1, 201, 1)));
        _pipeline.Process(Tick.ForBookLevel(0, 14, BookSide.Bid, 100, 2, endsBookUpdate: true));
        _pipeline.Process(Tick.ForQuote(0, 15, new Quote(100, 3, 101, 1)));

        Assert.Equal(
            [(MarketChannel.Quote, "SYM0000", 1L), (MarketChannel.Quote, "SYM0000", 2L), (MarketChannel.Trade, "SYM0000", 1L), (MarketChannel.Quote, "SYM0001", 1L), (MarketChannel.Book, "SYM0000", 1L), (MarketChannel.Quote, "SYM0000", 3L)],
            _sink.Records.Select(static r => (r.Channel!.Value, r.Symbol, r.Sequence)));
        Assert.Equal([10L, 11, 12, 13, 14, 15], _sink.Records.Select(static r => r.Timestamp));
    }

    [Fact]
    public void LastValueCache_HoldsTheNewestValues_WithTheirSeq()
    {
        Assert.False(_cache.TryGetQuote(0, out _));
        Assert.False(_cache.TryGetTrade(0, out _));
        Assert.False(_cache.TryGetBook(0, 10, new BookLevel[10], new BookLevel[10], out _));

        _pipeline.Process(Tick.ForQuote(0, 10, new Quote(100, 1, 101, 1)));
        _pipeline.Process(Tick.ForQuote(0, 11, new Quote(99, 1, 101, 1)));
        _pipeline.Process(Tick.ForTrade(0, 12, new Trade(100, 5, TradeSide.Buy)));

        Assert.True(_cache.TryGetQuote(0, out SequencedQuote quote));
        Assert.Equal(new SequencedQuote(2, 11, new Quote(99, 1, 101, 1)), quote);
        Assert.True(_cache.TryGetTrade(0, out SequencedTrade trade));
        Assert.Equal(new SequencedTrade(1, 12, new Trade(100, 5, TradeSide.Buy)), trade);
        Assert.False(_cache.TryGetQuote(1, out _));
    }

    [Fact]
    public void BookLevelTicks_ArePublishedOnceAtTheEndOfTheUpdate_WithPerTierDeltasAndChecksums()
    {
        _pipeline.Process(Tick.ForBookLevel(2, 1, BookSide.Bid, 1000, 10, endsBookUpdate: false));
        _pipeline.Process(Tick.ForBookLevel(2, 2, BookSide.Bid, 999, 20, endsBookUpdate: false));
        Assert.Empty(_sink.Records);
        _pipeline.Process(Tick.ForBookLevel(2, 3, BookSide.Ask, 1001, 30, endsBookUpdate: true));

        RecordingSink.Record record = Assert.Single(_sink.Records);
        Assert.Equal((MarketChannel.Book, 1L, 3L), (record.Channel!.Value, record.Sequence, record.Timestamp));
        Assert.Equal([new BookLevel(1000, 10)], record.Book![1].Bids);
        Assert.Equal([new BookLevel(1000, 10), new BookLevel(999, 20)], record.Book[5].Bids);

        var bids = new BookLevel[1];
        var asks = new BookLevel[1];
        Assert.True(_cache.TryGetBook(2, 1, bids, asks, out BookSnapshot snapshot));
        Assert.Equal(new BookSnapshot(1, 3, 1, 1, record.Book[1].Checksum), snapshot);
        Assert.Equal(new BookLevel(1001, 30), asks[0]);
    }

    [Fact]
    public void AnUpdateInterruptedByAnotherInstrument_IsPublishedInParts_EachACorrectBook()
    {
        _pipeline.Process(Tick.ForBookLevel(0, 1, BookSide.Bid, 1000, 10, endsBookUpdate: false));
        _pipeline.Process(Tick.ForBookLevel(1, 2, BookSide.Bid, 500, 10, endsBookUpdate: true));
        _pipeline.Process(Tick.ForBookLevel(0, 3, BookSide.Bid, 999, 10, endsBookUpdate: true));

        Assert.Equal([("SYM0000", 1L), ("SYM0001", 1L), ("SYM0000", 2L)], _sink.Records.Select(static r => (r.Symbol, r.Sequence)));
        Assert.Equal(2, _cache.GetBook(0).Bids.Length);
    }

    [Fact]
    public void Status_UpdatesTheCacheAndReachesTheSink()
    {
        _pipeline.Process(Tick.ForStatus(1, 77, FeedState.Halted));

        Assert.Equal(FeedState.Halted, _cache.GetState(1));
        RecordingSink.Record record = Assert.Single(_sink.Records);
        Assert.Equal((FeedState.Halted, 77L), (record.State!.Value, record.Timestamp));
    }

    [Fact]
    public void TicksForUnknownInstruments_AreCountedAndDropped()
    {
        _pipeline.Process(Tick.ForQuote(3, 1, default));
        _pipeline.Process(Tick.ForQuote(-1, 1, default));

        Assert.Empty(_sink.Records);
        Assert.Equal(2, _pipeline.InvalidTicks);
        Assert.Equal(2, _pipeline.ProcessedTicks);
    }

    [Fact]
    public async Task RunAsync_DrainsTheChannel_AndPublishesAnUnfinishedUpdateWhenTheFeedCompletes()
    {
        var channels = new IngestChannels();
        IngestChannel channel = channels.Open("test", capacity: 8);
        Task run = _pipeline.RunAsync(channel.Reader, CancellationToken.None);

        for (int i = 0; i < 100; i++)
        {
            await WriteAsync(channel, Tick.ForQuote(0, i, new Quote(i, 1, i + 1, 1)));
        }

        await WriteAsync(channel, Tick.ForBookLevel(0, 100, BookSide.Ask, 5, 5, endsBookUpdate: false));
        channel.Complete();
        await run.WaitAsync(TimeSpan.FromMilliseconds(Timeout));

        Assert.Equal(101, _sink.Records.Count);
        Assert.Equal(Enumerable.Range(1, 100).Select(static i => (long)i), _sink.Records.Take(100).Select(static r => r.Sequence));
        Assert.Equal(MarketChannel.Book, _sink.Records[^1].Channel);
    }

    [Fact]
    public async Task RunAsync_ReturnsWhenCancelled()
    {
        IngestChannel channel = new IngestChannels().Open("idle");
        using var stop = new CancellationTokenSource();
        Task run = _pipeline.RunAsync(channel.Reader, stop.Token);

        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromMilliseconds(Timeout));
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public void Process_AllocatesNothing_AfterWarmUp()
    {
        var pipeline = new IngestPipeline(new LastValueCache(_catalog), new SequenceAssigner(_catalog.Count), new NullSink());
        Tick[] ticks =
        [
            Tick.ForQuote(0, 1, new Quote(100, 1, 101, 1)),
            Tick.ForTrade(0, 1, new Trade(100, 1, TradeSide.Buy)),
            Tick.ForBookLevel(0, 1, BookSide.Bid, 100, 1, endsBookUpdate: false),
            Tick.ForBookLevel(0, 1, BookSide.Bid, 100, 2, endsBookUpdate: true),
        ];
        foreach (Tick tick in ticks)
        {
            pipeline.Process(tick);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            foreach (Tick tick in ticks)
            {
                pipeline.Process(tick);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Feed → channel → ingest end to end: clients of every depth, some joining mid-stream from a snapshot, apply
    /// every delta with a higher seq than they hold, and match every checksum the server publishes.
    /// </summary>
    [Fact]
    public async Task SyntheticFeedThroughIngest_ClientsOfEveryDepthMatchEveryChecksum_IncludingLateJoiners()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateDefault();
        var cache = new LastValueCache(catalog);
        var clients = new Dictionary<(int Id, int Depth), BookClient>();
        int messages = 0;
        var sink = new CallbackSink((instrument, sequence, update) =>
        {
            foreach (int depth in BookDepth.Tiers)
            {
                if (!clients.TryGetValue((instrument.Id, depth), out BookClient? client))
                {
                    // Joins after a random number of updates, from the book as the server holds it now.
                    if ((sequence + depth) % 7 != 0)
                    {
                        continue;
                    }

                    client = clients[(instrument.Id, depth)] = new BookClient(depth, instrument.Decimals);
                    client.ApplySnapshot(update.Book.GetBids(depth), update.Book.GetAsks(depth), sequence);
                }
                else
                {
                    Assert.Equal(client.LastSequence + 1, sequence);
                    client.ApplyDelta(update.GetBids(depth), update.GetAsks(depth), sequence);
                }

                Assert.Equal(update.GetChecksum(depth), client.Checksum);
                messages++;
            }
        });
        var pipeline = new IngestPipeline(cache, new SequenceAssigner(catalog.Count), sink);
        var feed = new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = 11, QuotesPerSecond = 0 });

        // The production path: the feed runs supervised, writing into the ingest channel the supervisor opened.
        var channels = new IngestChannels();
        await using var supervisor = new FeedSupervisor(catalog, channels);
        supervisor.Add(feed, new SupervisedFeedOptions { ChannelCapacity = 4096, StaleAfter = TimeSpan.FromHours(1) });
        IngestChannel channel = Assert.Single(channels.Channels);

        Task ingest = pipeline.RunAsync(channel.Reader, CancellationToken.None);
        supervisor.Start();
        await Eventually.WaitUntilAsync(() => feed.EventsGenerated >= 50_000 || ingest.IsCompleted, "50,000 events went through", TimeSpan.FromMilliseconds(Timeout));

        await supervisor.StopAsync().WaitAsync(TimeSpan.FromMilliseconds(Timeout)); // stops the feed, completes the channel
        await ingest.WaitAsync(TimeSpan.FromMilliseconds(Timeout)); // rethrows an assertion failed inside the sink

        Assert.True(messages > 50_000, $"only {messages} book messages checked");
        Assert.Equal(0, channel.Dropped);
    }

    /// <summary>Writes one tick, waiting for room like a feed in wait mode.</summary>
    private static async Task WriteAsync(IngestChannel channel, Tick tick)
    {
        while (!channel.TryWrite(tick))
        {
            Assert.True(await channel.WaitToWriteAsync(), "the channel completed");
        }
    }

    private sealed class NullSink : ITickSink
    {
        public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote)
        {
        }

        public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade)
        {
        }

        public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update) => _ = update.GetChecksum(10);

        public void OnStatus(Instrument instrument, FeedState state, long timestamp)
        {
        }
    }

    private sealed class CallbackSink(Action<Instrument, long, BookUpdate> onBook) : ITickSink
    {
        public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote)
        {
        }

        public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade)
        {
        }

        public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update) => onBook(instrument, sequence, (BookUpdate)update); // the ingest stage hands the router its BookUpdate

        public void OnStatus(Instrument instrument, FeedState state, long timestamp)
        {
        }
    }
}
