using System.Threading.Channels;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Tests.Ingest;
using MarketPush.Protocol.Messages;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>
/// <see cref="FeedSupervisor"/>: isolation and restart with backoff, staleness announced to the sink (<c>stale</c>,
/// then <c>open</c> before the next update), liveness for <c>/readyz</c>, and what a full ingest channel does to a
/// live feed (drop oldest, counted, books repaired) and to a replay (wait, nothing lost).
/// </summary>
public class SupervisorTests
{
    private const int Timeout = 30_000;

    private static Tick Quote(int id, long bid, long t = 1) => Tick.ForQuote(id, t, new Quote(bid, 100, bid + 2, 100));

    /// <summary>Runs everything queued in a feed's channel through a real ingest pipeline into <paramref name="sink"/>.</summary>
    private static void Drain(SupervisedFeed feed, IngestPipeline pipeline)
    {
        while (feed.Reader.TryRead(out Tick tick))
        {
            pipeline.Process(tick);
        }
    }

    private static List<Tick> DrainTicks(SupervisedFeed feed)
    {
        var ticks = new List<Tick>();
        while (feed.Reader.TryRead(out Tick tick))
        {
            ticks.Add(tick);
        }

        return ticks;
    }

    [Fact(Timeout = Timeout)]
    public async Task CrashingFeed_IsRestartedWithGrowingBackoff_WhileAnotherFeedCarriesOn()
    {
        var clock = new TimerCountingTimeProvider();
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(4);
        var crashing = new SupervisorTestFeed("crashy", static (_, start, _) => throw new InvalidOperationException($"boom {start}"));
        // Timers: the supervisor's staleness check and coarse clock, plus the restart delay when one is pending (== 3).
        var steady = new SupervisorTestFeed("steady");
        await using var supervisor = new FeedSupervisor(catalog, new IngestChannels(), timeProvider: clock);
        SupervisedFeed down = supervisor.Add(crashing, new SupervisedFeedOptions
        {
            InstrumentIds = [0, 1],
            RestartInitialDelay = TimeSpan.FromSeconds(1),
            RestartMaxDelay = TimeSpan.FromSeconds(8),
        });
        SupervisedFeed up = supervisor.Add(steady, new SupervisedFeedOptions { InstrumentIds = [2, 3] });
        supervisor.Start();
        await Eventually.WaitUntilAsync(() => steady.Writer is not null, "the steady feed started");

        double[] ceilings = [1, 2, 4, 8, 8];
        for (int failure = 1; failure <= ceilings.Length; failure++)
        {
            await Eventually.WaitUntilAsync(() => down.State == SupervisedFeedState.Restarting && down.Failures == failure && clock.PendingTimers == 3, $"failure {failure} backs off");
            Assert.InRange(down.NextRestartDelay.TotalSeconds, ceilings[failure - 1] / 2, ceilings[failure - 1]);
            Assert.Equal($"boom {failure}", down.LastError?.Message);

            // The other feed is untouched: its ticks still flow.
            steady.Write(Quote(2, 1000 + failure));
            Assert.True(up.Reader.TryRead(out Tick passed));
            Assert.Equal(1000 + failure, passed.Quote.BidPrice);
            Assert.Equal(SupervisedFeedState.Running, up.State);

            clock.Advance(down.NextRestartDelay);
            await Eventually.WaitUntilAsync(() => crashing.Starts == failure + 1, $"restart {failure}");
        }

        Assert.Equal(ceilings.Length, down.Restarts);

        // Its symbols were announced stale the moment it first went down.
        List<Tick> announced = DrainTicks(down);
        Assert.Equal([(0, FeedState.Stale), (1, FeedState.Stale)], announced.Take(2).Select(static t => (t.InstrumentId, t.State)));
    }

    [Fact(Timeout = Timeout)]
    public async Task HealthyRun_ResetsTheBackoff()
    {
        var clock = new TimerCountingTimeProvider();
        var release = new TaskCompletionSource();
        var feed = new SupervisorTestFeed("flaky", async (_, start, _) =>
        {
            if (start == 3)
            {
                await release.Task; // the third run lasts a while, then fails
            }

            throw new IOException($"lost upstream {start}");
        });
        await using var supervisor = new FeedSupervisor(InstrumentCatalog.CreateGenerated(1), new IngestChannels(), timeProvider: clock);
        SupervisedFeed supervised = supervisor.Add(feed, new SupervisedFeedOptions
        {
            RestartInitialDelay = TimeSpan.FromSeconds(1),
            RestartMaxDelay = TimeSpan.FromSeconds(60),
            RestartResetAfter = TimeSpan.FromSeconds(30),
        });
        supervisor.Start();

        for (int failure = 1; failure <= 2; failure++)
        {
            await Eventually.WaitUntilAsync(() => supervised.Failures == failure && clock.PendingTimers == 3, $"failure {failure}");
            clock.Advance(supervised.NextRestartDelay);
        }

        await Eventually.WaitUntilAsync(() => feed.Starts == 3, "the third run");
        clock.Advance(TimeSpan.FromSeconds(31));
        release.SetResult();
        await Eventually.WaitUntilAsync(() => supervised.Failures == 3 && supervised.State == SupervisedFeedState.Restarting, "failure 3");

        Assert.InRange(supervised.NextRestartDelay.TotalSeconds, 0.5, 1); // back to the initial delay, not 4 s
    }

    [Fact(Timeout = Timeout)]
    public async Task BadCaptureFile_IsNotRestarted()
    {
        using var dir = new CaptureTools.TempDirectory();
        string path = dir.File("bad.csv");
        await File.WriteAllTextAsync(path, "# marketpush-capture v1\ntime_us,symbol,kind,f1,f2,f3,f4\n1,SYM0000,trade,1.00,1,sideways\n");
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(1);
        await using var supervisor = new FeedSupervisor(catalog, new IngestChannels());
        SupervisedFeed feed = supervisor.Add(new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed }, catalog));
        supervisor.Start();

        await Eventually.WaitUntilAsync(() => feed.State == SupervisedFeedState.Failed, "the replay failed");
        Assert.Equal(0, feed.Restarts);
        CaptureFormatException error = Assert.IsType<CaptureFormatException>(feed.LastError);
        Assert.Equal($"{path}: line 3 (byte 56): bad trade side 'sideways' (buy, sell or unknown)", error.Message);
        Assert.False(supervisor.IsLive);
    }

    [Fact(Timeout = Timeout)]
    public async Task SilentSymbol_IsAnnouncedStale_ThenOpenJustBeforeItsNextUpdate()
    {
        var clock = new TimerCountingTimeProvider();
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(2);
        var feed = new SupervisorTestFeed("venue");
        var sink = new RecordingSink();
        var pipeline = new IngestPipeline(new LastValueCache(catalog), new SequenceAssigner(catalog.Count), sink);
        await using var supervisor = new FeedSupervisor(catalog, new IngestChannels(), timeProvider: clock);
        SupervisedFeed supervised = supervisor.Add(feed, new SupervisedFeedOptions { StaleAfter = TimeSpan.FromSeconds(5) });
        supervisor.Start();
        await Eventually.WaitUntilAsync(() => feed.Writer is not null, "the feed started");

        feed.Write(Quote(0, 100));
        feed.Write(Quote(1, 200));
        clock.Advance(TimeSpan.FromSeconds(3));
        feed.Write(Quote(1, 201));
        clock.Advance(TimeSpan.FromSeconds(3.5)); // SYM0000 silent for 6.5 s, SYM0001 for 3.5 s
        Drain(supervised, pipeline);

        Assert.Equal(
            ["quote SYM0000", "quote SYM0001", "quote SYM0001", "status SYM0000 Stale"],
            sink.Records.Select(Describe));
        Assert.Equal(FeedState.Stale, supervised.GetAnnouncedState(0));

        clock.Advance(TimeSpan.FromSeconds(10)); // still silent: announced once, not again
        feed.Write(Quote(0, 105));
        Drain(supervised, pipeline);

        Assert.Equal(
            ["quote SYM0000", "quote SYM0001", "quote SYM0001", "status SYM0000 Stale", "status SYM0001 Stale", "status SYM0000 Open", "quote SYM0000"],
            sink.Records.Select(Describe));
    }

    [Fact(Timeout = Timeout)]
    public async Task FeedGoingDown_MakesItsSymbolsStaleAtOnce_AndTheyReopenWithTheRestartedFeedsData()
    {
        var clock = new TimerCountingTimeProvider();
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(3);
        var fail = new TaskCompletionSource();
        var feed = new SupervisorTestFeed("venue", async (writer, start, ct) =>
        {
            writer.TryWrite(Quote(0, 100 + start));
            if (start == 1)
            {
                await fail.Task;
                throw new IOException("connection reset");
            }

            await Task.Delay(Timeout, ct);
        });
        await using var supervisor = new FeedSupervisor(catalog, new IngestChannels(), timeProvider: clock);
        SupervisedFeed supervised = supervisor.Add(feed, new SupervisedFeedOptions { InstrumentIds = [0, 1], StaleAfter = TimeSpan.FromMinutes(5) });
        supervisor.Start();
        await Eventually.WaitUntilAsync(() => supervised.IsLive, "the first update");

        fail.SetResult();
        await Eventually.WaitUntilAsync(() => supervised.State == SupervisedFeedState.Restarting && clock.PendingTimers == 3, "the crash");
        Assert.False(supervised.IsLive);
        Assert.False(supervisor.IsLive);
        List<Tick> ticks = DrainTicks(supervised);
        Assert.Equal(["quote 0", "status 0 Stale", "status 1 Stale"], ticks.Select(DescribeTick));

        clock.Advance(supervised.NextRestartDelay);
        await Eventually.WaitUntilAsync(() => supervised.IsLive, "the restarted feed's first update");
        Assert.Equal(["status 0 Open", "quote 0"], DrainTicks(supervised).Select(DescribeTick));
        Assert.Equal(FeedState.Stale, supervised.GetAnnouncedState(1)); // no data for it yet
    }

    [Fact(Timeout = Timeout)]
    public async Task IsLive_NeedsARunningFeedThatDeliveredWithinStaleAfter()
    {
        var clock = new TimerCountingTimeProvider();
        var feed = new SupervisorTestFeed("venue");
        await using var supervisor = new FeedSupervisor(InstrumentCatalog.CreateGenerated(1), new IngestChannels(), timeProvider: clock);
        supervisor.Add(feed, new SupervisedFeedOptions { StaleAfter = TimeSpan.FromSeconds(5) });
        Assert.False(supervisor.IsLive);
        supervisor.Start();
        await Eventually.WaitUntilAsync(() => feed.Writer is not null, "the feed started");

        Assert.False(supervisor.IsLive); // running, but nothing delivered yet
        feed.Write(Quote(0, 1));
        Assert.True(supervisor.IsLive);
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.False(supervisor.IsLive);
        feed.Write(Quote(0, 2));
        Assert.True(supervisor.IsLive);

        await supervisor.StopAsync();
        Assert.False(supervisor.IsLive);
        Assert.Equal(SupervisedFeedState.Stopped, supervisor.Feeds[0].State);
    }

    [Fact(Timeout = Timeout)]
    public async Task LiveFeed_DropsTheOldestWhenIngestIsFull_CountsIt_AndItsBooksStillEndUpExact()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(3);
        using var metrics = new MarketPushMetrics();
        // This test's meter only: tests running beside it publish the same instrument from their own meters.
        using var droppedMetric = new MetricCollector<long>(metrics.Meter, MetricNames.IngestDroppedUpdatesTotal);

        var feed = new SupervisorTestFeed("venue");
        await using var supervisor = new FeedSupervisor(catalog, new IngestChannels(), metrics);
        SupervisedFeed supervised = supervisor.Add(feed, new SupervisedFeedOptions { Overflow = FeedOverflowMode.DropOldest, ChannelCapacity = 64 });
        supervisor.Start();
        await Eventually.WaitUntilAsync(() => feed.Writer is not null, "the feed started");

        // The venue's truth, while nobody reads the channel: 3 instruments, books within 40 price levels per side.
        var random = new Random(11);
        var books = new SortedDictionary<long, long>[3, 2];
        var quotes = new Quote[3];
        for (int i = 0; i < 3; i++)
        {
            books[i, 0] = [];
            books[i, 1] = [];
        }

        for (int step = 0; step < 5_000; step++)
        {
            int id = random.Next(3);
            switch (random.Next(4))
            {
                case 0:
                    quotes[id] = new Quote(random.Next(100, 140), random.Next(1, 9), random.Next(140, 180), random.Next(1, 9));
                    feed.Write(Tick.ForQuote(id, step, quotes[id]));
                    break;
                case 1:
                    feed.Write(Tick.ForTrade(id, step, new Trade(random.Next(100, 180), 1, TradeSide.Buy)));
                    break;
                default:
                    int levels = random.Next(1, 5);
                    for (int l = 0; l < levels; l++)
                    {
                        var side = (BookSide)random.Next(2);
                        long price = side == BookSide.Bid ? random.Next(100, 140) : random.Next(140, 180);
                        long size = random.Next(3) == 0 ? 0 : random.Next(1, 1000);
                        if (size == 0) { books[id, (int)side].Remove(price); } else { books[id, (int)side][price] = size; }
                        feed.Write(Tick.ForBookLevel(id, step, side, price, size, l == levels - 1));
                    }

                    break;
            }
        }

        Assert.True(supervised.DroppedTicks > 1_000, $"only {supervised.DroppedTicks} drops");
        Assert.Equal(supervised.DroppedTicks, droppedMetric.GetMeasurementSnapshot().Sum(m => m.Value));

        // Ingest catches up; the next write finds room and re-sends what the drops took away.
        var cache = new LastValueCache(catalog);
        var pipeline = new IngestPipeline(cache, new SequenceAssigner(catalog.Count), new RecordingSink());
        Drain(supervised, pipeline);
        Assert.True(supervised.PendingRepairs > 64, $"{supervised.PendingRepairs} repairs pending");
        for (int round = 0; supervised.PendingRepairs > 0; round++)
        {
            Assert.True(round < 1_000, "the repair does not converge");
            feed.Write(Tick.ForTrade(0, 9_999, new Trade(150, 1, TradeSide.Sell))); // the feed goes on; each write finds room
            Drain(supervised, pipeline);
        }

        Assert.True(supervised.RepairedTicks > 0);
        Assert.True(supervised.LostTrades > 0);
        for (int id = 0; id < 3; id++)
        {
            OrderBook book = cache.GetBook(id);
            Assert.Equal(books[id, 0].Reverse().Select(static kv => new BookLevel(kv.Key, kv.Value)), book.Bids.ToArray());
            Assert.Equal(books[id, 1].Select(static kv => new BookLevel(kv.Key, kv.Value)), book.Asks.ToArray());
            Assert.True(cache.TryGetQuote(id, out SequencedQuote quote));
            Assert.Equal(quotes[id], quote.Quote);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Replay_WaitsWhenIngestIsFull_AndLosesNothing_ThenItsSymbolsGoStaleAtTheEnd()
    {
        using var dir = new CaptureTools.TempDirectory();
        string path = dir.File("session.csv.lz4");
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(2);
        const int events = 3_000;
        using (CsvCaptureWriter writer = CsvCaptureWriter.Create(path, catalog.Instruments))
        {
            for (int i = 0; i < events; i++)
            {
                writer.Write(catalog[i % 2], Quote(i % 2, 1_000 + i, 1_000_000 + i));
            }
        }

        await using var supervisor = new FeedSupervisor(catalog, new IngestChannels());
        SupervisedFeed feed = supervisor.Add(
            new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed }, catalog),
            new SupervisedFeedOptions { Overflow = FeedOverflowMode.Wait, ChannelCapacity = 16 });
        supervisor.Start();

        var received = new List<Tick>();
        while (received.Count < events + 2)
        {
            received.Add(await feed.Reader.ReadAsync());
            if (received.Count % 256 == 0)
            {
                await Task.Delay(2); // a slow ingest: the replay must wait, not drop
            }
        }

        Assert.Equal(0, feed.DroppedTicks);
        Assert.Equal(Enumerable.Range(0, events).Select(static i => 1_000L + i), received.Take(events).Select(static t => t.Quote.BidPrice));
        Assert.Equal([(0, FeedState.Stale), (1, FeedState.Stale)], received.Skip(events).Select(static t => (t.InstrumentId, t.State)));
        await Eventually.WaitUntilAsync(() => feed.State == SupervisedFeedState.Completed, "the replay completed");
        Assert.Equal(0, feed.Restarts);
    }

    [Fact(Timeout = Timeout)]
    public async Task Recording_ThenReplayingTheFile_GivesTheSameEventsInTheSameOrder()
    {
        using var dir = new CaptureTools.TempDirectory();
        string path = dir.File("recorded.csv.lz4");
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(20);
        var recorder = new FeedRecorder(path, catalog);
        var live = new List<Tick>();
        await using (var supervisor = new FeedSupervisor(catalog, new IngestChannels(), recorder: recorder))
        {
            SupervisedFeed feed = supervisor.Add(
                new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = 3, QuotesPerSecond = 0 }),
                new SupervisedFeedOptions { ChannelCapacity = 1024, StaleAfter = TimeSpan.FromHours(1) });
            supervisor.Start();
            while (live.Count < 20_000)
            {
                live.Add(await feed.Reader.ReadAsync());
            }

            await supervisor.StopAsync(); // stops the feed, completes the channel and the recording
            await foreach (Tick tick in feed.Reader.ReadAllAsync())
            {
                live.Add(tick);
            }
        }

        Assert.Equal(live.Count, recorder.Recorded);
        Assert.Equal(0, recorder.Dropped);

        // The file holds the feed's own timestamps...
        using (CsvCaptureReader reader = CsvCaptureReader.Open(path))
        {
            var buffer = new Tick[live.Count + 1];
            Assert.Equal(live.Count, reader.Read(buffer));
            Assert.Equal(live.Select(static t => t.Timestamp), buffer.Take(live.Count).Select(static t => t.Timestamp));
        }

        // ...and a replay of it gives the same events (rebased times aside) in the same order.
        var replay = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed }, catalog);
        var channel = Channel.CreateUnbounded<Tick>();
        await replay.RunAsync(channel.Writer, CancellationToken.None);
        var replayed = new List<Tick>();
        while (channel.Reader.TryRead(out Tick tick))
        {
            replayed.Add(tick);
        }

        Assert.Equal(live.Select(static t => t.WithTimestamp(0).ToString()), replayed.Select(static t => t.WithTimestamp(0).ToString()));
    }

    [Fact]
    public void Instruments_BelongToOneFeedOnly()
    {
        var supervisor = new FeedSupervisor(InstrumentCatalog.CreateGenerated(3), new IngestChannels());
        supervisor.Add(new SupervisorTestFeed("a"), new SupervisedFeedOptions { InstrumentIds = [0, 1] });

        Assert.Contains("already belongs to another feed", Assert.Throws<ArgumentException>(() =>
            supervisor.Add(new SupervisorTestFeed("b"), new SupervisedFeedOptions { InstrumentIds = [1, 2] })).Message, StringComparison.Ordinal);
        Assert.Contains("already supervised", Assert.Throws<ArgumentException>(() =>
            supervisor.Add(new SupervisorTestFeed("a"), new SupervisedFeedOptions { InstrumentIds = [2] })).Message, StringComparison.Ordinal);
    }

    private static string Describe(RecordingSink.Record record) =>
        record.State is { } state ? $"status {record.Symbol} {state}" : $"{record.Channel!.Value.ToString().ToLowerInvariant()} {record.Symbol}";

    private static string DescribeTick(Tick tick) =>
        tick.Kind == TickKind.Status ? $"status {tick.InstrumentId} {tick.State}" : $"{tick.Kind.ToString().ToLowerInvariant()} {tick.InstrumentId}";
}
