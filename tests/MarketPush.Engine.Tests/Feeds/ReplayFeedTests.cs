using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary><see cref="ReplayFeed"/>: order, pacing by recorded time and speed, rebased <c>ts</c>, waiting on a full channel, looping, and bad files.</summary>
public class ReplayFeedTests
{
    private const int Timeout = 30_000;
    private const long T0 = 1_700_000_000_000_000;

    private static readonly Instrument[] s_recorded =
    [
        new(0, "AAPL", 2, 1, "Apple"),
        new(1, "BTC-USD", 2, 1, "Bitcoin"),
        new(2, "GONE", 2, 1, "Not in the catalog"),
    ];

    /// <summary>The catalog the replays run against: AAPL and BTC-USD (BTC-USD with more decimals than recorded), no GONE.</summary>
    private static InstrumentCatalog Catalog(string prefix = "") => new(
    [
        new Instrument(0, prefix + "MSFT", 2, 1, "Microsoft"),
        new Instrument(1, prefix + "AAPL", 2, 1, "Apple"),
        new Instrument(2, prefix + "BTC-USD", 4, 1, "Bitcoin"),
    ]);

    /// <summary>A small capture: a book snapshot, then quotes, trades and book changes over <paramref name="seconds"/> seconds.</summary>
    private static List<(Instrument Instrument, Tick Tick)> Events(int seconds = 2, int perSecond = 50)
    {
        var events = new List<(Instrument, Tick)>
        {
            (s_recorded[0], Tick.ForBookLevel(0, T0, BookSide.Bid, 18_900, 100, false)),
            (s_recorded[0], Tick.ForBookLevel(0, T0, BookSide.Bid, 18_899, 200, false)),
            (s_recorded[0], Tick.ForBookLevel(0, T0, BookSide.Ask, 18_902, 300, true)),
        };
        int count = seconds * perSecond;
        for (int i = 0; i < count; i++)
        {
            long t = T0 + ((long)i * 1_000_000 / perSecond);
            events.Add((s_recorded[i % 3], (i % 4) switch
            {
                0 => Tick.ForQuote(i % 3, t, new Quote(18_900 + i, 100 + i, 18_902 + i, 200)),
                1 => Tick.ForTrade(i % 3, t, new Trade(18_901 + i, 10 + i, TradeSide.Sell)),
                2 => Tick.ForBookLevel(i % 3, t, BookSide.Ask, 18_903 + i, i, true),
                _ => Tick.ForStatus(i % 3, t, FeedState.Open),
            }));
        }

        return events;
    }

    private static string WriteCapture(CaptureTools.TempDirectory dir, List<(Instrument Instrument, Tick Tick)> events, string name = "replay.csv.lz4")
    {
        string path = dir.File(name);
        using CsvCaptureWriter writer = CsvCaptureWriter.Create(path, s_recorded);
        foreach ((Instrument instrument, Tick tick) in events)
        {
            writer.Write(instrument, tick);
        }

        return path;
    }

    private static async Task<List<Tick>> RunToEndAsync(ReplayFeed feed, int capacity = 1024)
    {
        var channel = Channel.CreateBounded<Tick>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var received = new List<Tick>();
        Task run = Task.Run(async () =>
        {
            try
            {
                await feed.RunAsync(channel.Writer, CancellationToken.None);
            }
            finally
            {
                channel.Writer.Complete();
            }
        });
        await foreach (Tick tick in channel.Reader.ReadAllAsync())
        {
            received.Add(tick);
        }

        await run;
        return received;
    }

    /// <summary>What a tick says apart from time and instrument id, for comparing recorded with replayed events.</summary>
    private static string Content(Tick tick) => tick.WithTimestamp(0).ToString().Split(' ', 3)[2];

    [Fact(Timeout = Timeout)]
    public async Task MaxSpeed_DeliversEveryKnownEventInFileOrder_WithTimesRebasedToNow()
    {
        using var dir = new CaptureTools.TempDirectory();
        List<(Instrument Instrument, Tick Tick)> events = Events();
        string path = WriteCapture(dir, events);
        InstrumentCatalog catalog = Catalog();
        var feed = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed }, catalog);

        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        List<Tick> received = await RunToEndAsync(feed, capacity: 16);
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + 1000;

        var expected = events.Where(static e => e.Instrument.Symbol != "GONE").ToList();
        Assert.Equal(expected.Count, received.Count);
        Assert.Equal(events.Count - expected.Count, feed.UnknownSymbolEvents);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Instrument.Symbol, catalog[received[i].InstrumentId].Symbol);
            Assert.InRange(received[i].Timestamp, before - 1000, after);
            if (expected[i].Instrument.Symbol == "AAPL")
            {
                Assert.Equal(Content(expected[i].Tick), Content(received[i]));
            }
        }

        Assert.Equal(expected.Count, feed.EventsPlayed);
        Assert.Equal(1, feed.Passes);
    }

    [Fact(Timeout = Timeout)]
    public async Task Prices_AreRescaledToTheCatalogsDecimals_AndThePrefixSelectsTheNamespace()
    {
        using var dir = new CaptureTools.TempDirectory();
        string path = WriteCapture(dir, [(s_recorded[1], Tick.ForTrade(1, T0, new Trade(6_000_012, 3, TradeSide.Buy)))]);
        InstrumentCatalog catalog = Catalog("R:");
        var feed = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed, SymbolPrefix = "R:" }, catalog);

        Tick trade = Assert.Single(await RunToEndAsync(feed));

        Assert.Equal("R:BTC-USD", catalog[trade.InstrumentId].Symbol);
        Assert.Equal(600_001_200, trade.Trade.Price); // 60000.12 at 4 decimals
    }

    [Fact(Timeout = Timeout)]
    public async Task Speed10_SpacesTimestampsByTheRecordedGapsDividedBy10_AndNeverEmitsEarly()
    {
        using var dir = new CaptureTools.TempDirectory();
        List<(Instrument Instrument, Tick Tick)> events =
        [
            (s_recorded[0], Tick.ForQuote(0, T0, new Quote(1, 1, 2, 1))),
            (s_recorded[0], Tick.ForQuote(0, T0 + 1_000_000, new Quote(2, 1, 3, 1))),
            (s_recorded[0], Tick.ForQuote(0, T0 + 3_000_000, new Quote(3, 1, 4, 1))),
        ];
        string path = WriteCapture(dir, events);
        var feed = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = 10 }, Catalog());

        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        List<Tick> received = await RunToEndAsync(feed);
        TimeSpan took = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        Assert.Equal(3, received.Count);
        Assert.Equal(100_000, received[1].Timestamp - received[0].Timestamp);
        Assert.Equal(300_000, received[2].Timestamp - received[0].Timestamp);
        Assert.True(took >= TimeSpan.FromMilliseconds(290), $"3 s of events at 10x took only {took.TotalMilliseconds} ms");
    }

    [Fact(Timeout = Timeout)]
    public async Task StartDelay_HoldsTheFirstEvent_AndTheTimelineStartsAfterIt()
    {
        using var dir = new CaptureTools.TempDirectory();
        string path = WriteCapture(dir, [(s_recorded[0], Tick.ForQuote(0, T0, new Quote(1, 1, 2, 1)))]);
        var feed = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed, StartDelay = TimeSpan.FromMilliseconds(300) }, Catalog());

        long started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        Tick quote = Assert.Single(await RunToEndAsync(feed));

        Assert.True(quote.Timestamp - started >= 290_000, $"the first event came {quote.Timestamp - started} µs after the start");
    }

    [Fact(Timeout = Timeout)]
    public async Task FullChannel_MakesTheReplayWait_AndNothingIsLost()
    {
        using var dir = new CaptureTools.TempDirectory();
        List<(Instrument Instrument, Tick Tick)> events = Events(seconds: 4, perSecond: 500);
        string path = WriteCapture(dir, events);
        var channel = Channel.CreateBounded<Tick>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.Wait });
        var feed = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed }, Catalog());

        Task run = feed.RunAsync(channel.Writer, CancellationToken.None);
        var received = new List<Tick>();
        while (!run.IsCompleted || channel.Reader.Count > 0)
        {
            if (channel.Reader.TryRead(out Tick tick))
            {
                received.Add(tick);
                if (received.Count % 500 == 0)
                {
                    await Task.Delay(5); // a slow consumer: the channel stays full for a while
                }
            }
            else
            {
                await Task.WhenAny(run, channel.Reader.WaitToReadAsync().AsTask());
            }
        }

        await run;
        Assert.Equal(events.Count(static e => e.Instrument.Symbol != "GONE"), received.Count);
        Assert.Equal(feed.EventsPlayed, received.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task Loop_EmptiesTheBooksBetweenPasses_AndContinuesTheTimeline()
    {
        using var dir = new CaptureTools.TempDirectory();
        List<(Instrument Instrument, Tick Tick)> events = Events(seconds: 1, perSecond: 40);
        string path = WriteCapture(dir, events);
        InstrumentCatalog catalog = Catalog();
        var feed = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = 1_000, Loop = true }, catalog);
        var channel = Channel.CreateUnbounded<Tick>();
        using var stop = new CancellationTokenSource();

        Task run = feed.RunAsync(channel.Writer, stop.Token);
        int perPass = events.Count(static e => e.Instrument.Symbol != "GONE");
        var received = new List<Tick>();
        while (feed.Passes < 3)
        {
            received.Add(await channel.Reader.ReadAsync());
        }

        await stop.CancelAsync();
        await run;
        while (channel.Reader.TryRead(out Tick rest))
        {
            received.Add(rest);
        }

        // Pass 1, then one removal per level left in each book, then pass 2 identical to pass 1.
        var books = new Dictionary<int, Dictionary<(BookSide, long), long>>();
        for (int i = 0; i < perPass; i++)
        {
            Tick tick = received[i];
            if (tick.Kind == TickKind.BookLevel)
            {
                Dictionary<(BookSide, long), long> book = books.TryGetValue(tick.InstrumentId, out var b) ? b : books[tick.InstrumentId] = [];
                if (tick.Level.Size == 0) { book.Remove((tick.BookSide, tick.Level.Price)); } else { book[(tick.BookSide, tick.Level.Price)] = tick.Level.Size; }
            }
        }

        int levels = books.Values.Sum(static b => b.Count);
        Assert.True(levels > 0);
        Tick[] clear = [.. received.Skip(perPass).Take(levels)];
        Assert.All(clear, static t => Assert.Equal(0, t.Level.Size));
        Assert.Equal(books.Count, clear.Count(static t => t.EndsBookUpdate));
        Assert.Equal(
            received.Take(perPass).Select(static t => Content(t) + t.InstrumentId),
            received.Skip(perPass + levels).Take(perPass).Select(static t => Content(t) + t.InstrumentId));
        for (int i = 1; i < received.Count; i++)
        {
            Assert.True(received[i].Timestamp >= received[i - 1].Timestamp, $"ts went back at {i}");
        }

        // The second pass starts right after the first one's recorded length (1 s at 1000x = 1 ms), not back at its start.
        Assert.True(received[perPass + levels].Timestamp > received[perPass - 1].Timestamp);
    }

    [Fact(Timeout = Timeout)]
    public async Task CutOffFile_PlaysEveryEventBeforeTheCut_ThenFailsNamingTheFileAndOffset()
    {
        using var dir = new CaptureTools.TempDirectory();
        List<(Instrument Instrument, Tick Tick)> events = Events(seconds: 100, perSecond: 400);
        string path = WriteCapture(dir, events);
        byte[] whole = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, whole.AsSpan(0, whole.Length / 2).ToArray());
        var feed = new ReplayFeed(new ReplayFeedOptions { Path = path, Speed = ReplayFeedOptions.MaxSpeed }, Catalog());
        var channel = Channel.CreateUnbounded<Tick>();

        CaptureFormatException error = await Assert.ThrowsAsync<CaptureFormatException>(() => feed.RunAsync(channel.Writer, CancellationToken.None));

        Assert.StartsWith(path + ": truncated LZ4 frame", error.Message, StringComparison.Ordinal);
        Assert.Contains($"(byte {whole.Length / 2} of the file)", error.Message, StringComparison.Ordinal);
        var expected = events.Where(static e => e.Instrument.Symbol != "GONE").ToList();
        int delivered = channel.Reader.Count;
        Assert.Equal(feed.EventsPlayed, delivered);
        Assert.True(delivered > expected.Count / 3, $"only {delivered} of {expected.Count} events were played");
        for (int i = 0; i < delivered; i++)
        {
            Assert.True(channel.Reader.TryRead(out Tick tick));
            Assert.Equal(expected[i].Tick.Kind, tick.Kind); // the prefix, in order
            if (expected[i].Instrument.Symbol == "AAPL")
            {
                Assert.Equal(Content(expected[i].Tick), Content(tick));
            }
        }
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("10", 10.0)]
    [InlineData("0.5", 0.5)]
    [InlineData("max", double.PositiveInfinity)]
    [InlineData("MAX", double.PositiveInfinity)]
    public void ParseSpeed_TakesPositiveNumbersAndMax(string text, double expected) => Assert.Equal(expected, ReplayFeedOptions.ParseSpeed(text));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("fast")]
    [InlineData("")]
    public void ParseSpeed_RefusesAnythingElse(string text) =>
        Assert.Contains("is not a replay speed", Assert.Throws<FormatException>(() => ReplayFeedOptions.ParseSpeed(text)).Message, StringComparison.Ordinal);
}
