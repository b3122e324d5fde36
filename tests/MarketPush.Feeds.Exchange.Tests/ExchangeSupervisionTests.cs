using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Feeds.Exchange.Tests;

/// <summary>The exchange feed configured like the server does it: in a <see cref="FeedSet"/> beside a synthetic feed, under its CB: namespace, supervised.</summary>
public class ExchangeSupervisionTests
{
    private const int Timeout = 30_000;

    [Fact(Timeout = Timeout)]
    public async Task ConfiguredExchangeFeed_PublishesUnderItsNamespace_NextToAnotherFeed_AndGoesStaleAndBackOnADrop()
    {
        await using FakeVenue venue = await FakeVenue.StartAsync("BTC-USD", "ETH-USD");
        venue.Seed("BTC-USD", [("buy", 60_000.00m, 1m), ("sell", 60_000.50m, 2m)]);
        venue.Seed("ETH-USD", [("buy", 3_000.00m, 1m), ("sell", 3_000.01m, 2m)]);
        FeedConfiguration configuration = FeedConfiguration.Create(
        [
            new FeedSettings { Kind = FeedKind.Synthetic, Symbols = 2, Rate = 50 },
            FeedConfiguration.ParseFeedFlag($"exchange:{venue.Url}?products=BTC-USD,ETH-USD") with
            {
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
            },
        ]);

        var channels = new IngestChannels();
        FeedSet set = await FeedSet.BuildAsync(configuration, [.. FeedSet.BuiltInFactories, new ExchangeFeedFactory()], channels);
        Assert.Equal(["SYM0000", "SYM0001", "CB:BTC-USD", "CB:ETH-USD"], set.Catalog.Instruments.Select(static i => i.Symbol));
        SupervisedFeed exchange = set.Supervisor.Feeds[1];
        Assert.Equal(FeedOverflowMode.DropOldest, exchange.Options.Overflow);

        var cache = new LastValueCache(set.Catalog);
        var sink = new StatusSink();
        var ingest = new IngestLoops(channels, cache, new SequenceAssigner(set.Catalog.Count), sink);
        ingest.Start();
        set.Start();
        try
        {
            await FeedRun.WaitUntilAsync(() => cache.GetBook(2).Bids.Length == 1 && exchange.IsLive && set.IsLive, "the venue's book in the cache");
            Assert.Equal(new BookLevel(6_000_000, 100_000_000), cache.GetBook(2).Bids[0]);

            await venue.DropConnectionsAsync();
            await FeedRun.WaitUntilAsync(() => exchange.GetAnnouncedState(2) == FeedState.Stale && sink.Has("CB:BTC-USD", FeedState.Stale), "CB:BTC-USD announced stale");
            Assert.Equal(FeedState.Open, set.Supervisor.Feeds[0].GetAnnouncedState(0)); // the synthetic feed carries on

            // The fresh snapshot after reconnecting equals the old book: nothing to publish but the news that it is live again.
            await FeedRun.WaitUntilAsync(() => ((ExchangeFeed)exchange.Adapter).Snapshots == 4, "the reconnect's snapshots");
            await FeedRun.WaitUntilAsync(() => sink.Has("CB:BTC-USD", FeedState.Open) && sink.Has("CB:ETH-USD", FeedState.Open), "both open again");
            Assert.Equal(FeedState.Open, exchange.GetAnnouncedState(2));
            await venue.TickerAsync("BTC-USD", 60_000.00m, 1m, 60_000.50m, 2m);
            await FeedRun.WaitUntilAsync(() => cache.TryGetQuote(2, out _), "the quote after the reconnect");
        }
        finally
        {
            await set.DisposeAsync();
            await ingest.DisposeAsync();
        }
    }

    private sealed class StatusSink : ITickSink
    {
        private readonly List<(string Symbol, FeedState State)> _statuses = [];

        public bool Has(string symbol, FeedState state)
        {
            lock (_statuses)
            {
                return _statuses.Contains((symbol, state));
            }
        }

        public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote)
        {
        }

        public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade)
        {
        }

        public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update)
        {
        }

        public void OnStatus(Instrument instrument, FeedState state, long timestamp)
        {
            lock (_statuses)
            {
                _statuses.Add((instrument.Symbol, state));
            }
        }
    }
}
