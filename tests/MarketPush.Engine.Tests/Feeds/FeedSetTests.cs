using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Tests.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary><see cref="FeedSet"/>: one catalog over several feeds' namespaces, each feed's ticks reaching the sink under its own symbols, and recording.</summary>
public class FeedSetTests
{
    private const int Timeout = 30_000;

    private static string WriteCapture(CaptureTools.TempDirectory dir)
    {
        string path = dir.File("two.csv.lz4");
        Instrument[] recorded = [new(0, "AAPL", 2, 1, "Apple"), new(1, "SYM0001", 2, 1, "Same name as a generated one")];
        using CsvCaptureWriter writer = CsvCaptureWriter.Create(path, recorded);
        for (int i = 0; i < 100; i++)
        {
            writer.Write(recorded[i % 2], Tick.ForTrade(i % 2, 1_000_000 + i, new Trade(10_000 + i, 1, TradeSide.Buy)));
        }

        return path;
    }

    [Fact(Timeout = Timeout)]
    public async Task Catalog_HoldsEveryFeedsInstrumentsUnderItsPrefix_InConfigurationOrder()
    {
        using var dir = new CaptureTools.TempDirectory();
        FeedConfiguration configuration = FeedConfiguration.Create(
        [
            new FeedSettings { Kind = FeedKind.Replay, Path = WriteCapture(dir), Prefix = "R:" },
            new FeedSettings { Kind = FeedKind.Synthetic, Symbols = 3 },
        ]);

        await using FeedSet set = await FeedSet.BuildAsync(configuration, FeedSet.BuiltInFactories, new IngestChannels());

        Assert.Equal(["R:AAPL", "R:SYM0001", "SYM0000", "SYM0001", "SYM0002"], set.Catalog.Instruments.Select(static i => i.Symbol));
        Assert.Equal([0, 1], set.Supervisor.Feeds[0].InstrumentIds);
        Assert.Equal([2, 3, 4], set.Supervisor.Feeds[1].InstrumentIds);
        Assert.Equal(["replay", "synthetic"], set.Supervisor.Feeds.Select(static f => f.Name));
    }

    [Fact(Timeout = Timeout)]
    public async Task ASymbolTwoFeedsWouldPublish_IsAConfigurationError_NamingThePrefix()
    {
        using var dir = new CaptureTools.TempDirectory();
        FeedConfiguration configuration = FeedConfiguration.Create(
        [
            new FeedSettings { Key = "Feeds:0", Kind = FeedKind.Synthetic, Symbols = 3 },
            new FeedSettings { Key = "Feeds:1", Kind = FeedKind.Replay, Path = WriteCapture(dir) },
        ]);

        FeedConfigurationException error = await Assert.ThrowsAsync<FeedConfigurationException>(() => FeedSet.BuildAsync(configuration, FeedSet.BuiltInFactories, new IngestChannels()));
        Assert.Equal("Feeds:1:Prefix: symbol 'SYM0001' is also published by feed 'synthetic'; give one of the feeds its own Prefix", error.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task AKindWithoutAFactory_IsRefused()
    {
        FeedConfiguration configuration = FeedConfiguration.Create([FeedConfiguration.ParseFeedFlag("exchange:wss://venue/?products=BTC-USD")]);

        FeedConfigurationException error = await Assert.ThrowsAsync<FeedConfigurationException>(() => FeedSet.BuildAsync(configuration, FeedSet.BuiltInFactories, new IngestChannels()));
        Assert.Equal("--feed: exchange feeds are not available in this build", error.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task Running_EachFeedsTicksReachTheSinkUnderItsOwnSymbols_AndTheRecordingHoldsThemAll()
    {
        using var dir = new CaptureTools.TempDirectory();
        string recording = dir.File("all.csv.lz4");
        FeedConfiguration configuration = FeedConfiguration.Create(
        [
            new FeedSettings { Kind = FeedKind.Replay, Path = WriteCapture(dir), Prefix = "R:", Speed = ReplayFeedOptions.MaxSpeed, StaleAfter = TimeSpan.FromHours(1) },
            new FeedSettings { Kind = FeedKind.Synthetic, Symbols = 3, Rate = 0, StaleAfter = TimeSpan.FromHours(1) },
        ],
        recording);
        var sink = new LockedRecordingSink();
        var channels = new IngestChannels();
        FeedSet set = await FeedSet.BuildAsync(configuration, FeedSet.BuiltInFactories, channels);
        var cache = new LastValueCache(set.Catalog);
        await using var ingest = new IngestLoops(channels, cache, new SequenceAssigner(set.Catalog.Count), sink);
        ingest.Start();
        set.Start();

        await Eventually.WaitUntilAsync(() => sink.Count(static r => r.Symbol.StartsWith("R:", StringComparison.Ordinal)) >= 100 && sink.Count(static r => r.Symbol == "SYM0002") > 10, "both feeds delivered");
        await Eventually.WaitUntilAsync(() => set.Supervisor.Feeds[0].State == SupervisedFeedState.Completed, "the replay to end");

        // The replay ended, so the set is no longer live, and /readyz says which feed and why.
        Assert.False(set.IsLive);
        using (var health = System.Text.Json.JsonDocument.Parse(set.GetHealthJson()))
        {
            Assert.False(health.RootElement.GetProperty("live").GetBoolean());
            System.Text.Json.JsonElement[] feeds = [.. health.RootElement.GetProperty("feeds").EnumerateArray()];
            Assert.Equal(("replay", "completed", false), (feeds[0].GetProperty("name").GetString(), feeds[0].GetProperty("state").GetString(), feeds[0].GetProperty("live").GetBoolean()));
            Assert.Equal(("synthetic", "running", true), (feeds[1].GetProperty("name").GetString(), feeds[1].GetProperty("state").GetString(), feeds[1].GetProperty("live").GetBoolean()));
            Assert.Equal(recording, health.RootElement.GetProperty("recording").GetProperty("path").GetString());
        }

        await set.DisposeAsync();
        await ingest.DisposeAsync(); // the loops drain what the feeds queued before they stopped

        Assert.Equal(100, sink.Count(static r => r.Symbol.StartsWith("R:", StringComparison.Ordinal) && r.Channel == MarketChannel.Trade));
        Assert.True(cache.TryGetTrade(1, out SequencedTrade last)); // R:SYM0001, the replay's last trade of it
        Assert.Equal(10_099, last.Trade.Price);
        Assert.True(cache.GetBook(4).Bids.Length > 0); // SYM0002: the generator's book landed on its offset id

        IReadOnlyList<CaptureSymbol> symbols = await CsvCaptureReader.ReadSymbolsAsync(recording);
        Assert.Equal(set.Catalog.Instruments.Select(static i => i.Symbol), symbols.Select(static s => s.Symbol));
        using CsvCaptureReader reader = CsvCaptureReader.Open(recording);
        var buffer = new Tick[1_000_000];
        int recorded = reader.Read(buffer);
        Assert.Equal(set.Recorder!.Recorded, recorded);
        Assert.Equal(100, buffer.Take(recorded).Count(static t => t.InstrumentId < 2));
    }

    /// <summary>The sink is called from two ingest loops at once here (two feeds): serialise the list.</summary>
    private sealed class LockedRecordingSink : ITickSink
    {
        private readonly RecordingSink _inner = new();

        public int Count(Func<RecordingSink.Record, bool> predicate)
        {
            lock (_inner)
            {
                return _inner.Records.Count(predicate);
            }
        }

        public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote)
        {
            lock (_inner) { _inner.OnQuote(instrument, sequence, timestamp, quote); }
        }

        public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade)
        {
            lock (_inner) { _inner.OnTrade(instrument, sequence, timestamp, trade); }
        }

        public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update)
        {
            lock (_inner) { _inner.OnBook(instrument, sequence, timestamp, update); }
        }

        public void OnStatus(Instrument instrument, FeedState state, long timestamp)
        {
            lock (_inner) { _inner.OnStatus(instrument, state, timestamp); }
        }
    }
}
