using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Feeds;

public class SyntheticFeedTests
{
    private const int Timeout = 30_000;

    [Fact]
    public void SameSeed_ProducesTheSameTicks_AndAnotherSeedDoesNot()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateDefault();
        Tick[] first = Generate(new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = 42 }), 20_000);
        Tick[] second = Generate(new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = 42 }), 20_000);
        Tick[] other = Generate(new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = 43 }), 20_000);

        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.True(Same(first[i], second[i]), $"tick {i}: {first[i]} vs {second[i]}");
        }

        Assert.Contains(Enumerable.Range(0, Math.Min(first.Length, other.Length)), i => !Same(first[i], other[i]));
    }

    [Fact]
    public void Events_VisitInstrumentsRoundRobin_SoTheQuoteRateIsSpreadEvenly()
    {
        var feed = new SyntheticFeed(InstrumentCatalog.CreateGenerated(7), new SyntheticFeedOptions { Seed = 5 });
        var quotes = new int[7];
        var scratch = new Tick[SyntheticFeed.MaxTicksPerEvent];
        for (int e = 0; e < 7 * 100; e++)
        {
            int n = feed.WriteNextEvent(scratch, 0);
            Assert.Equal(1, scratch.AsSpan(0, n).ToArray().Count(static t => t.Kind == TickKind.Quote));
            quotes[scratch.AsSpan(0, n).ToArray().Single(static t => t.Kind == TickKind.Quote).InstrumentId]++;
        }

        Assert.All(quotes, static q => Assert.Equal(100, q));
    }

    [Fact]
    public void TradesAndBookUpdates_ComeInTheConfiguredProportionToQuotes()
    {
        var feed = new SyntheticFeed(InstrumentCatalog.CreateDefault(), new SyntheticFeedOptions { Seed = 9 });
        var scratch = new Tick[SyntheticFeed.MaxTicksPerEvent];
        int quotes = 0, trades = 0, books = 0;
        for (int e = 0; e < 40_000; e++)
        {
            int n = feed.WriteNextEvent(scratch, 0);
            foreach (Tick tick in scratch.AsSpan(0, n))
            {
                quotes += tick.Kind == TickKind.Quote ? 1 : 0;
                trades += tick.Kind == TickKind.Trade ? 1 : 0;
                books += tick.EndsBookUpdate ? 1 : 0;
            }
        }

        Assert.Equal(40_000, quotes);
        Assert.InRange(trades / (double)quotes, 0.18, 0.22);
        Assert.InRange(books / (double)quotes, 0.47, 0.56); // 0.5 scheduled plus the rare early flush
    }

    /// <summary>
    /// What a market-data consumer relies on, checked through the real ingest stage: the quote is the top of the
    /// feed's book, trades print at or inside the quote, books stay uncrossed on the tick grid with 50 levels a
    /// side, and after every book update the server's book is exactly the feed's.
    /// </summary>
    [Theory]
    [InlineData(false, 7UL)]
    [InlineData(true, 8UL)]
    public void Market_StaysRealisticAndConsistent_AndIngestRebuildsTheFeedsBookExactly(bool generated, ulong seed)
    {
        InstrumentCatalog catalog = generated ? InstrumentCatalog.CreateGenerated(50) : InstrumentCatalog.CreateDefault();
        var feed = new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = (long)seed });
        var cache = new LastValueCache(catalog);
        var sink = new LastQuoteSink();
        var pipeline = new IngestPipeline(cache, new SequenceAssigner(catalog.Count), sink);
        var scratch = new Tick[Math.Max(SyntheticFeed.MaxTicksPerEvent, SyntheticFeed.MaxSnapshotTicks)];
        var feedBids = new BookLevel[50];
        var feedAsks = new BookLevel[50];

        for (int id = 0; id < catalog.Count; id++)
        {
            Process(pipeline, scratch, feed.WriteSnapshot(id, scratch, 1));
        }

        for (int e = 0; e < 30_000; e++)
        {
            int n = feed.WriteNextEvent(scratch, 2);
            Span<Tick> ticks = scratch.AsSpan(0, n);
            int id = ticks[0].InstrumentId;
            Instrument instrument = catalog[id];
            Quote before = sink.Quotes[id];

            foreach (Tick tick in ticks)
            {
                Assert.Equal(id, tick.InstrumentId);
                if (tick.Kind == TickKind.Trade)
                {
                    Assert.InRange(tick.Trade.Price, before.BidPrice, before.AskPrice);
                    Assert.True(tick.Trade.Size > 0);
                    Assert.Equal(0, tick.Trade.Price % instrument.TickSize);
                }
            }

            Process(pipeline, scratch, n);

            int bidCount = feed.CopyBook(id, BookSide.Bid, feedBids);
            int askCount = feed.CopyBook(id, BookSide.Ask, feedAsks);
            Quote quote = sink.Quotes[id];
            Assert.Equal(new Quote(feedBids[0].Price, feedBids[0].Size, feedAsks[0].Price, feedAsks[0].Size), quote);
            Assert.True(quote.BidPrice < quote.AskPrice, $"{instrument} crossed: {quote}");
            Assert.True(quote.BidPrice > 0);
            Assert.Equal(50, askCount);
            Assert.True(bidCount == 50 || feedBids[bidCount - 1].Price <= feedBids[0].Price / 2, $"{instrument} has only {bidCount} bids far from zero");
            for (int i = 1; i < bidCount; i++)
            {
                Assert.True(feedBids[i].Price < feedBids[i - 1].Price && feedBids[i].Size > 0);
            }

            if (ticks[^1].EndsBookUpdate)
            {
                OrderBook book = cache.GetBook(id);
                Assert.Equal(feedBids.AsSpan(0, bidCount).ToArray(), book.Bids.ToArray());
                Assert.Equal(feedAsks.AsSpan(0, askCount).ToArray(), book.Asks.ToArray());
            }
        }
    }

    [Fact]
    public async Task RunAsync_WritesEveryInstrumentsBookFirst_ThenPacedEvents_UntilCancelled()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(20);
        var feed = new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = 3, QuotesPerSecond = 2_000 });
        var channel = Channel.CreateBounded<Tick>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        using var stop = new CancellationTokenSource();
        long startMicros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Task run = feed.RunAsync(channel.Writer, stop.Token);
        var received = new List<Tick>();
        while (received.Count(static t => t.Kind == TickKind.Quote) < catalog.Count + 200)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            received.Add(await channel.Reader.ReadAsync(timeout.Token));
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromMilliseconds(Timeout));
        double elapsedSeconds = clock.Elapsed.TotalSeconds;
        long endMicros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + 1000;

        // First every instrument's snapshot: its levels as one book update, then its quote.
        List<int> snapshotOrder = [.. received.Where(static t => t.Kind == TickKind.Quote).Take(catalog.Count).Select(static t => t.InstrumentId)];
        Assert.Equal(Enumerable.Range(0, catalog.Count), snapshotOrder);
        Assert.Equal(100, received.TakeWhile(static t => t.Kind == TickKind.BookLevel).Count());

        // The pacing never runs ahead of the clock (it may fall behind on a busy machine).
        Assert.InRange(feed.EventsGenerated, 200, (2_000 * elapsedSeconds) + 1);
        Assert.All(received, t => Assert.InRange(t.Timestamp, startMicros - 1000, endMicros));
        for (int i = 1; i < received.Count; i++)
        {
            Assert.True(received[i].Timestamp >= received[i - 1].Timestamp);
        }
    }

    [Fact]
    public async Task RunAsync_ReturnsWhenCancelled_WhileTheChannelIsFull()
    {
        var feed = new SyntheticFeed(InstrumentCatalog.CreateGenerated(5), new SyntheticFeedOptions { QuotesPerSecond = 0 });
        var channel = Channel.CreateBounded<Tick>(16);
        using var stop = new CancellationTokenSource();

        Task run = feed.RunAsync(channel.Writer, stop.Token);
        await Eventually.WaitUntilAsync(() => channel.Reader.Count == 16, "the feed filled the channel");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromMilliseconds(Timeout));
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task RunAsync_StampsEachEventWithTheWallClockAtWriteTime_EvenWhenTheWallClockIsStepped()
    {
        // The monotonic clock stands still while the wall clock is stepped an hour ahead: a ts derived from "wall clock
        // at start + monotonic elapsed" would stay at the start time, and a client on this host would see an hour of
        // negative latency.
        var time = new SteppableWallClock(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        long before = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        long after = before + (3_600L * 1_000_000);
        var feed = new SyntheticFeed(InstrumentCatalog.CreateGenerated(3), new SyntheticFeedOptions { QuotesPerSecond = 0 }, time);
        var channel = Channel.CreateBounded<Tick>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        using var stop = new CancellationTokenSource(Timeout);

        Task run = feed.RunAsync(channel.Writer, stop.Token);
        var first = new List<Tick>();
        for (int i = 0; i < 64; i++)
        {
            first.Add(await channel.Reader.ReadAsync(stop.Token));
        }

        time.Step(TimeSpan.FromHours(1));
        var later = new List<Tick>();
        while (later.Count(t => t.Timestamp == after) < 20)
        {
            later.Add(await channel.Reader.ReadAsync(stop.Token));
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromMilliseconds(Timeout));
        Assert.All(first, t => Assert.Equal(before, t.Timestamp));
        // Only events written before the step (at most the one the full channel held back, and what was queued) keep
        // the old time; everything after it carries the new wall-clock time.
        Assert.All(later, t => Assert.Contains(t.Timestamp, new[] { before, after }));
        Assert.True(later.SkipWhile(t => t.Timestamp == before).All(t => t.Timestamp == after));
    }

    [Fact]
    public async Task RunAsync_AtALowRate_WakesOncePerEventSlot_NotEvery20Ms()
    {
        // 4 events a second: the pacing timer's period is the event spacing (250 ms), not the old 20 ms poll, so an idle
        // server with a slow feed does not wake 50 times a second.
        var timers = new TimerCountingTimeProvider();
        var feed = new SyntheticFeed(InstrumentCatalog.CreateGenerated(2), new SyntheticFeedOptions { QuotesPerSecond = 4 }, timers);
        var channel = Channel.CreateUnbounded<Tick>();
        using var stop = new CancellationTokenSource();

        Task run = feed.RunAsync(channel.Writer, stop.Token);
        await Eventually.WaitUntilAsync(() => timers.PendingTimers == 1, "the pacing timer is armed");
        for (int slot = 1; slot <= 4; slot++)
        {
            timers.Advance(TimeSpan.FromMilliseconds(250)); // one event slot: the timer fires once, on this thread
            await Eventually.WaitUntilAsync(() => feed.EventsGenerated >= slot, $"event {slot}");
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromMilliseconds(Timeout));

        Assert.Equal(TimeSpan.FromMilliseconds(250), Assert.Single(timers.CreatedPeriods));
        Assert.Equal(4, feed.EventsGenerated); // one per slot over a second of (fake) time
    }

    [Fact]
    public void WriteNextEvent_AllocatesNothing_AfterWarmUp()
    {
        var feed = new SyntheticFeed(InstrumentCatalog.CreateDefault(), new SyntheticFeedOptions { Seed = 4 });
        var scratch = new Tick[SyntheticFeed.MaxTicksPerEvent];
        for (int e = 0; e < 20_000; e++)
        {
            feed.WriteNextEvent(scratch, e);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int e = 0; e < 20_000; e++)
        {
            feed.WriteNextEvent(scratch, e);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Pcg32_IsReproducibleAndRoughlyUniform()
    {
        var a = new Pcg32(2024);
        var b = new Pcg32(2024);
        var counts = new int[10];
        for (int i = 0; i < 100_000; i++)
        {
            int value = a.Next(10);
            Assert.Equal(value, b.Next(10));
            counts[value]++;
        }

        Assert.All(counts, static c => Assert.InRange(c, 9_500, 10_500));
        Assert.NotEqual(new Pcg32(1).NextUInt32(), new Pcg32(2).NextUInt32());
    }

    private static Tick[] Generate(SyntheticFeed feed, int events)
    {
        var ticks = new List<Tick>();
        var scratch = new Tick[Math.Max(SyntheticFeed.MaxTicksPerEvent, SyntheticFeed.MaxSnapshotTicks)];
        for (int id = 0; id < feed.Catalog.Count; id++)
        {
            ticks.AddRange(scratch.AsSpan(0, feed.WriteSnapshot(id, scratch, 0)).ToArray());
        }

        for (int e = 0; e < events; e++)
        {
            ticks.AddRange(scratch.AsSpan(0, feed.WriteNextEvent(scratch, e)).ToArray());
        }

        return [.. ticks];
    }

    private static bool Same(Tick a, Tick b) => a.Kind == b.Kind && a.ToString() == b.ToString();

    private static void Process(IngestPipeline pipeline, Tick[] ticks, int count)
    {
        for (int i = 0; i < count; i++)
        {
            pipeline.Process(ticks[i]);
        }
    }

    /// <summary>
    /// System time, except the wall clock, which the test steps; the monotonic clock stands still. Not FakeTimeProvider:
    /// its timestamp follows its wall clock (Advance and AdjustTime move both), and this test needs the two apart, to
    /// catch a stamp computed as "wall clock at start + monotonic elapsed".
    /// </summary>
    private sealed class SteppableWallClock(DateTimeOffset start) : TimeProvider
    {
        private long _utcTicks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

        public override long GetTimestamp() => 1_000_000;

        public void Step(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
    }

    private sealed class LastQuoteSink : ITickSink
    {
        public Dictionary<int, Quote> Quotes { get; } = [];

        public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote) => Quotes[instrument.Id] = quote;

        public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade)
        {
        }

        public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update)
        {
        }

        public void OnStatus(Instrument instrument, FeedState state, long timestamp)
        {
        }
    }
}
