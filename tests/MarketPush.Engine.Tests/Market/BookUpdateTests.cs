using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Market;

public class BookUpdateTests
{
    [Fact]
    public void Apply_ANewBestBid_IsSentToDepth1AsTheNewLevelAndTheRemovalOfTheOldBest()
    {
        var book = new OrderBook(2);
        var update = new BookUpdate();
        update.Apply(book, [new(BookSide.Bid, 100, 5), new(BookSide.Bid, 99, 5), new(BookSide.Ask, 101, 5)]);

        update.Apply(book, [new(BookSide.Bid, 100, 5)]); // no change at all
        Assert.False(update.HasChanges(1));
        Assert.False(update.HasChanges(50));

        update.Apply(book, [new(BookSide.Bid, 100, 0)]);
        update.Apply(book, [new(BookSide.Bid, 100, 8)]);

        Assert.Equal([new BookLevel(100, 8), new BookLevel(99, 0)], update.GetBids(1).ToArray());
        Assert.Equal([new BookLevel(100, 8)], update.GetBids(5).ToArray());
        Assert.True(update.GetAsks(1).IsEmpty);
    }

    [Fact]
    public void Apply_AChangeBelowAWindow_IsInvisibleToThatTier()
    {
        var book = new OrderBook(2);
        var update = new BookUpdate();
        update.Apply(book, [.. Enumerable.Range(0, 50).Select(i => new BookLevelChange(BookSide.Ask, 1000 + i, 10))]);

        update.Apply(book, [new(BookSide.Ask, 1007, 11)]); // eighth level

        Assert.False(update.HasChanges(1));
        Assert.False(update.HasChanges(5));
        Assert.True(update.HasChanges(10));
        Assert.Equal([new BookLevel(1007, 11)], update.GetAsks(20).ToArray());
        Assert.Equal(book.GetChecksum(5), update.GetChecksum(5));
    }

    [Fact]
    public void Apply_RemovingALevelInsideAWindow_BringsTheNextLevelIn()
    {
        var book = new OrderBook(2);
        var update = new BookUpdate();
        update.Apply(book, [new(BookSide.Bid, 100, 1), new(BookSide.Bid, 99, 2), new(BookSide.Bid, 98, 3), new(BookSide.Bid, 97, 4), new(BookSide.Bid, 96, 5), new(BookSide.Bid, 95, 6)]);

        update.Apply(book, [new(BookSide.Bid, 98, 0)]);

        Assert.Equal([new BookLevel(98, 0), new BookLevel(95, 6)], update.GetBids(5).ToArray());
        Assert.Equal([new BookLevel(98, 0)], update.GetBids(10).ToArray());
    }

    /// <summary>
    /// The book integrity guarantee: a client of each depth that applies every delta (and keeps only its best
    /// N) holds exactly the server's top N after every update, its CRC equals the update's checksum, and no delta
    /// level is wasted on a change the client would not see.
    /// </summary>
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void ClientsOfEveryDepth_ApplyingDeltas_HoldTheServersTopN_AndMatchEveryChecksum(ulong seed)
    {
        const int Decimals = 2;
        var book = new OrderBook(Decimals);
        var update = new BookUpdate();
        Dictionary<int, BookClient> clients = BookDepth.Tiers.ToArray().ToDictionary(static d => d, static d => new BookClient(d, Decimals));
        var random = new Pcg32(seed);
        var changes = new List<BookLevelChange>();
        long mid = 100_000;
        int fullest = 0;

        for (int sequence = 1; sequence <= 4000; sequence++)
        {
            // Walk the mid now and then so whole windows shift; touch 1-8 levels anywhere within ±120 steps,
            // which is beyond 50 levels, so levels enter and leave every window.
            mid += random.Next(3) - 1;
            changes.Clear();
            int count = 1 + random.Next(8);
            for (int i = 0; i < count; i++)
            {
                bool bid = random.Next(2) == 0;
                long distance = random.Next(4) == 0 ? random.Next(120) : random.Next(12);
                long price = bid ? mid - 1 - distance : mid + 1 + distance;
                long size = random.Next(3) == 0 ? 0 : 1 + random.Next(500);
                changes.Add(new BookLevelChange(bid ? BookSide.Bid : BookSide.Ask, price, size));
            }

            // Levels that crossed the new mid are pulled, as an exchange's matching would.
            foreach (BookLevel level in book.Bids)
            {
                if (level.Price >= mid)
                {
                    changes.Add(new BookLevelChange(BookSide.Bid, level.Price, 0));
                }
            }

            foreach (BookLevel level in book.Asks)
            {
                if (level.Price <= mid)
                {
                    changes.Add(new BookLevelChange(BookSide.Ask, level.Price, 0));
                }
            }

            update.Apply(book, changes.ToArray());
            fullest = Math.Max(fullest, Math.Min(book.Bids.Length, book.Asks.Length));

            foreach ((int depth, BookClient client) in clients)
            {
                int noOps = client.ApplyDelta(update.GetBids(depth), update.GetAsks(depth), sequence);

                Assert.Equal(0, noOps);
                Assert.Equal(book.GetBids(depth).ToArray(), client.Bids);
                Assert.Equal(book.GetAsks(depth).ToArray(), client.Asks);
                Assert.Equal(update.GetChecksum(depth), client.Checksum);
                Assert.Equal(update.HasChanges(depth), update.GetBids(depth).Length + update.GetAsks(depth).Length > 0);
            }
        }

        Assert.Equal(OrderBook.MaxLevels, fullest); // the walk did fill both sides, so every window was exercised
    }

    [Fact]
    public void Apply_AllocatesNothing_AfterWarmUp()
    {
        var book = new OrderBook(2);
        var update = new BookUpdate();
        BookLevelChange[] fill = [.. Enumerable.Range(0, 50).Select(i => new BookLevelChange(BookSide.Bid, 1000 - i, 10))];
        BookLevelChange[] change = [new(BookSide.Bid, 1001, 5), new(BookSide.Bid, 1001, 0)];
        update.Apply(book, fill);
        update.Apply(book, change);
        _ = update.GetChecksum(50);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            update.Apply(book, change);
            _ = update.GetChecksum(1) + update.GetChecksum(50);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
