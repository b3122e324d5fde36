using System.Text.Json;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;

namespace MarketPush.Feeds.Exchange.Tests;

/// <summary>
/// <see cref="ExchangeFeed"/> against <see cref="FakeVenue"/>: the subscription, the mapping into quotes, trades and
/// books, and recovery from what real venues do: skipped sequence numbers, dropped connections, silence, refusal.
/// The book check throughout: the server-side 50-level book built from the feed's ticks equals the venue's top 50.
/// </summary>
public class ExchangeFeedTests
{
    private const int Timeout = 30_000;
    private const string Btc = "BTC-USD";
    private const string Eth = "ETH-USD";

    private static InstrumentCatalog Catalog() => new(
    [
        new Instrument(0, "CB:" + Btc, 2, 1, "Bitcoin"),
        new Instrument(1, "CB:" + Eth, 2, 1, "Ether"),
    ]);

    /// <summary>60 levels a side (more than the server's 50), a 0.50 spread.</summary>
    private static async Task<FakeVenue> StartVenueAsync()
    {
        FakeVenue venue = await FakeVenue.StartAsync(Btc, Eth);
        venue.Seed(Btc, Enumerable.Range(0, 60).SelectMany(static i => new[] { ("buy", 60_000.00m - (i * 0.5m), 0.1m + i), ("sell", 60_000.50m + (i * 0.5m), 0.2m + i) }));
        venue.Seed(Eth, Enumerable.Range(0, 10).SelectMany(static i => new[] { ("buy", 3_000.00m - (i * 0.01m), 1m), ("sell", 3_000.01m + (i * 0.01m), 2m) }));
        return venue;
    }

    private static ExchangeFeed Feed(FakeVenue venue, InstrumentCatalog catalog, TimeSpan? silence = null, TimeSpan? reconnect = null) =>
        new(new ExchangeFeedOptions
        {
            Url = venue.Url,
            Products = [Btc, Eth],
            SilenceTimeout = silence ?? TimeSpan.FromSeconds(5),
            ReconnectInitialDelay = reconnect ?? TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromSeconds(2),
        }, catalog);

    private static void AssertBookMatchesVenue(FeedRun run, FakeVenue venue, string product, int id)
    {
        (List<(decimal Price, decimal Size)> bids, List<(decimal Price, decimal Size)> asks) = venue.Book(product);
        (BookLevel[] serverBids, BookLevel[] serverAsks) = run.Book(id);
        Assert.Equal(bids.Take(50).Select(Scaled), serverBids);
        Assert.Equal(asks.Take(50).Select(Scaled), serverAsks);
    }

    private static BookLevel Scaled((decimal Price, decimal Size) level) => new((long)(level.Price * 100), (long)(level.Size * 100_000_000));

    private static bool BookMatches(FeedRun run, FakeVenue venue, string product, int id)
    {
        try
        {
            AssertBookMatchesVenue(run, venue, product, id);
            return true;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return false;
        }
    }

    private static int Snapshots(List<Tick> ticks, int id) => ticks.Count(t => t.Kind == TickKind.BookLevel && t.InstrumentId == id && t.EndsBookUpdate);

    [Fact(Timeout = Timeout)]
    public async Task Connects_AndSubscribesToTickerMatchesAndLevel2_ForEveryProduct()
    {
        await using FakeVenue venue = await StartVenueAsync();
        await using var run = new FeedRun(Feed(venue, Catalog()), Catalog());

        await FeedRun.WaitUntilAsync(() => !venue.ClientMessages.IsEmpty, "the subscribe message");

        using JsonDocument subscribe = JsonDocument.Parse(venue.ClientMessages.First());
        Assert.Equal("subscribe", subscribe.RootElement.GetProperty("type").GetString());
        Assert.Equal([Btc, Eth], subscribe.RootElement.GetProperty("product_ids").EnumerateArray().Select(static e => e.GetString()));
        string?[] channels = [.. subscribe.RootElement.GetProperty("channels").EnumerateArray().Select(static e => e.GetString())];
        Assert.Contains("ticker", channels);
        Assert.Contains("matches", channels);
        Assert.Contains("level2", channels);
    }

    [Fact(Timeout = Timeout)]
    public async Task MapsTickerToQuotes_MatchesToTrades_AndSnapshotPlusUpdatesToTheServersBook()
    {
        await using FakeVenue venue = await StartVenueAsync();
        InstrumentCatalog catalog = Catalog();
        await using var run = new FeedRun(Feed(venue, catalog), catalog);
        await run.WaitForAsync(t => Snapshots(t, 0) == 1 && Snapshots(t, 1) == 1, "both snapshots");

        // The snapshot: the best 50 of 60 levels per side, as one book update.
        List<Tick> snapshot = [.. run.Ticks.Where(static t => t.InstrumentId == 0)];
        Assert.Equal(100, snapshot.Count);
        Assert.True(snapshot[^1].EndsBookUpdate);
        AssertBookMatchesVenue(run, venue, Btc, 0);
        AssertBookMatchesVenue(run, venue, Eth, 1);

        await venue.TickerAsync(Btc, 60_000.00m, 0.5m, 60_000.50m, 1.25m);
        await venue.MatchAsync(Btc, 60_000.25m, 0.01m, makerSide: "sell");
        await run.WaitForAsync(static t => t.Any(static x => x.Kind == TickKind.Trade), "the trade");

        Tick quote = run.Ticks.Single(static t => t.Kind == TickKind.Quote);
        Assert.Equal(0, quote.InstrumentId);
        Assert.Equal(new Quote(6_000_000, 50_000_000, 6_000_050, 125_000_000), quote.Quote);
        Assert.Equal(DateTimeOffset.Parse("2025-11-21T14:30:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1000 + 123_456, quote.Timestamp);
        Tick trade = run.Ticks.Single(static t => t.Kind == TickKind.Trade);
        Assert.Equal(new Trade(6_000_025, 1_000_000, TradeSide.Buy), trade.Trade); // the maker sold: the aggressor bought

        // Removing the best bid brings the 51st level into the server's 50-level window.
        int before = run.Ticks.Count;
        await venue.L2UpdateAsync(Btc, [("buy", 60_000.00m, 0m), ("sell", 60_000.25m, 2m)]);
        await run.WaitForAsync(t => t.Count > before && t[^1].EndsBookUpdate, "the update");
        Tick[] update = [.. run.Ticks.Skip(before)];
        Assert.Equal(4, update.Length); // best bid removed, 51st bid in, new best ask in, 50th ask out
        Assert.Single(update, static t => t.EndsBookUpdate);
        AssertBookMatchesVenue(run, venue, Btc, 0);
    }

    [Fact(Timeout = Timeout)]
    public async Task SkippedSequenceNumber_ResubscribesThatProductForAFreshSnapshot_AndTheBookEndsUpRight()
    {
        await using FakeVenue venue = await StartVenueAsync();
        InstrumentCatalog catalog = Catalog();
        await using var run = new FeedRun(Feed(venue, catalog), catalog);
        await run.WaitForAsync(t => Snapshots(t, 0) == 1 && Snapshots(t, 1) == 1, "both snapshots");

        await venue.L2UpdateAsync(Btc, [("buy", 60_000.00m, 0m), ("buy", 59_999.50m, 7m)], lose: true); // never sent
        await venue.L2UpdateAsync(Btc, [("sell", 60_000.50m, 9m)]);                                   // reveals the gap

        await FeedRun.WaitUntilAsync(() => run.Feed.Snapshots == 3, "the fresh snapshot");
        await FeedRun.WaitUntilAsync(() => BookMatches(run, venue, Btc, 0), "the book to match the venue's");
        Assert.Equal(1, run.Feed.SequenceGaps);
        Assert.Equal(1, run.Feed.Resyncs);
        Assert.Equal(1, venue.Accepted); // resynced on the same connection

        string[] sent = [.. venue.ClientMessages];
        Assert.Equal(3, sent.Length);
        Assert.Equal("""{"type":"unsubscribe","product_ids":["BTC-USD"],"channels":["level2"]}""", sent[1]);
        Assert.Equal("""{"type":"subscribe","product_ids":["BTC-USD"],"channels":["level2"]}""", sent[2]);

        // Updates flow again afterwards, and the other product was never disturbed.
        await venue.L2UpdateAsync(Btc, [("buy", 59_999.00m, 0m)]);
        await venue.L2UpdateAsync(Eth, [("sell", 3_000.01m, 0m)]);
        await FeedRun.WaitUntilAsync(() => BookMatches(run, venue, Btc, 0) && BookMatches(run, venue, Eth, 1), "both books to follow");
        Assert.Equal(2, Snapshots(run.Ticks, 1)); // ETH-USD: its first snapshot and this update, no resync
    }

    [Theory(Timeout = Timeout)]
    [InlineData("ticker")]
    [InlineData("heartbeat")]
    public async Task AGapSeenOnAnotherChannel_AlsoResyncsTheBook(string revealedBy)
    {
        await using FakeVenue venue = await StartVenueAsync();
        InstrumentCatalog catalog = Catalog();
        await using var run = new FeedRun(Feed(venue, catalog), catalog);
        await run.WaitForAsync(t => Snapshots(t, 0) == 1, "the snapshot");

        await venue.L2UpdateAsync(Btc, [("buy", 60_000.00m, 0m)], lose: true);
        if (revealedBy == "ticker")
        {
            await venue.TickerAsync(Btc, 59_999.50m, 1m, 60_000.50m, 1m);
        }
        else
        {
            await venue.HeartbeatAsync(Btc);
        }

        await FeedRun.WaitUntilAsync(() => run.Feed.Resyncs == 1 && BookMatches(run, venue, Btc, 0), "the resync");
    }

    [Fact(Timeout = Timeout)]
    public async Task DroppedConnection_AnnouncesStale_Reconnects_AndTheNewSnapshotFixesTheBook()
    {
        await using FakeVenue venue = await StartVenueAsync();
        InstrumentCatalog catalog = Catalog();
        await using var run = new FeedRun(Feed(venue, catalog), catalog);
        await run.WaitForAsync(t => Snapshots(t, 0) == 1 && Snapshots(t, 1) == 1, "both snapshots");

        await venue.DropConnectionsAsync();
        await venue.L2UpdateAsync(Btc, [("buy", 60_000.00m, 0m), ("sell", 60_000.50m, 0m), ("sell", 60_000.75m, 3m)]); // while we are away

        await run.WaitForAsync(static t => t.Count(static x => x.Kind == TickKind.Status && x.State == FeedState.Stale) == 2, "stale for both products");
        await FeedRun.WaitUntilAsync(() => venue.Accepted == 2 && run.Feed.Snapshots == 4, "the reconnect and its snapshots");
        await FeedRun.WaitUntilAsync(() => BookMatches(run, venue, Btc, 0), "the book to catch up");
        AssertBookMatchesVenue(run, venue, Eth, 1);
        Assert.Equal(2, run.Feed.Connections);
        Assert.Equal(2, venue.ClientMessages.Count(static m => m.Contains("\"ticker\"", StringComparison.Ordinal))); // subscribed again

        // The catch-up is published as the difference, not as a second copy of the book, after an "open".
        List<Tick> btc = [.. run.Ticks.Where(static t => t.InstrumentId == 0)];
        Assert.InRange(btc.Count(static t => t.Kind == TickKind.BookLevel) - 100, 1, 8);
        Assert.Equal([FeedState.Stale, FeedState.Open], btc.Where(static t => t.Kind == TickKind.Status).Select(static t => t.State));
    }

    [Fact(Timeout = Timeout)]
    public async Task SilentVenue_IsTakenForDead_AndTheFeedReconnects()
    {
        await using FakeVenue venue = await StartVenueAsync();
        InstrumentCatalog catalog = Catalog();
        await using var run = new FeedRun(Feed(venue, catalog, silence: TimeSpan.FromMilliseconds(300)), catalog);
        await run.WaitForAsync(t => Snapshots(t, 0) == 1, "the snapshot");

        venue.StallConnections(); // the socket stays open, nothing arrives
        await venue.L2UpdateAsync(Btc, [("buy", 60_000.00m, 0m)]);

        await FeedRun.WaitUntilAsync(() => venue.Accepted == 2 && BookMatches(run, venue, Btc, 0), "a new connection with the current book");
        Assert.Contains("no message from the venue for 0.3 s", run.Feed.LastDisconnectReason, StringComparison.Ordinal);
        Assert.Contains(run.Ticks, static t => t.Kind == TickKind.Status && t.State == FeedState.Stale && t.InstrumentId == 0);
    }

    [Fact(Timeout = Timeout)]
    public async Task RefusedConnections_AreRetriedWithGrowingJitteredDelays_UntilTheVenueIsBack()
    {
        await using FakeVenue venue = await StartVenueAsync();
        venue.RejectUpgrades = true;
        InstrumentCatalog catalog = Catalog();
        await using var run = new FeedRun(Feed(venue, catalog, reconnect: TimeSpan.FromMilliseconds(40)), catalog);

        await FeedRun.WaitUntilAsync(() => venue.Attempts.Count >= 6, "six attempts");
        DateTime[] attempts = [.. venue.Attempts];
        for (int k = 0; k < 5; k++)
        {
            // Delay k is in [ceiling/2, ceiling] with ceiling = 40 ms × 2^k: never sooner than half of it.
            double gap = (attempts[k + 1] - attempts[k]).TotalMilliseconds;
            Assert.True(gap >= (40 << k) / 2 * 0.9, $"retry {k + 1} came after {gap:0} ms");
        }

        Assert.DoesNotContain(run.Ticks, static t => t.Kind == TickKind.Status); // never live: nothing to announce

        venue.RejectUpgrades = false;
        await run.WaitForAsync(t => Snapshots(t, 0) == 1, "the snapshot once the venue is back");
    }

    [Fact(Timeout = Timeout)]
    public async Task BadMessages_AreCountedAndSkipped_AndTheFeedCarriesOn()
    {
        await using FakeVenue venue = await StartVenueAsync();
        InstrumentCatalog catalog = Catalog();
        await using var run = new FeedRun(Feed(venue, catalog), catalog);
        await run.WaitForAsync(t => Snapshots(t, 0) == 1, "the snapshot");

        await venue.SendRawAsync("this is not json");
        await venue.SendRawAsync("""{"type":"ticker","product_id":"BTC-USD","best_bid":"60000.123","best_ask":"60000.50"}""");
        await venue.SendRawAsync("""{"type":"error","message":"Failed to subscribe","reason":"level2 requires authentication"}""");
        await venue.SendRawAsync("""{"type":"ticker","product_id":"DOGE-USD","best_bid":"0.1","best_ask":"0.2"}""");
        await venue.TickerAsync(Btc, 60_000.00m, 1m, 60_000.50m, 1m);

        await run.WaitForAsync(static t => t.Any(static x => x.Kind == TickKind.Quote), "the good quote");
        Assert.Equal(3, run.Feed.BadMessages);
        Assert.Single(run.Ticks, static t => t.Kind == TickKind.Quote);
        Assert.Equal(1, venue.Accepted);
    }
}
