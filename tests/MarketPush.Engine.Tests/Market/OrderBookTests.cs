using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Market;

public class OrderBookTests
{
    [Fact]
    public void Apply_KeepsBidsHighestFirstAndAsksLowestFirst()
    {
        var book = new OrderBook(2);
        foreach (long price in new long[] { 100, 102, 101 })
        {
            book.Apply(BookSide.Bid, price, price);
            book.Apply(BookSide.Ask, price + 10, price);
        }

        Assert.Equal([new(102, 102), new(101, 101), new(100, 100)], book.Bids.ToArray());
        Assert.Equal([new(110, 100), new(111, 101), new(112, 102)], book.Asks.ToArray());
    }

    [Fact]
    public void Apply_SetsSizesRemovesOnZero_AndReportsWhetherAnythingChanged()
    {
        var book = new OrderBook(2);
        Assert.True(book.Apply(BookSide.Bid, 100, 5));
        Assert.False(book.Apply(BookSide.Bid, 100, 5));
        Assert.True(book.Apply(BookSide.Bid, 100, 7));
        Assert.False(book.Apply(BookSide.Bid, 99, 0));
        Assert.True(book.Apply(BookSide.Bid, 100, 0));

        Assert.True(book.Bids.IsEmpty);
    }

    [Fact]
    public void Apply_WhenASideIsFull_ABetterLevelPushesOutTheWorst_AndAWorseOneIsIgnored()
    {
        var book = new OrderBook(2);
        for (int i = 0; i < OrderBook.MaxLevels; i++)
        {
            book.Apply(BookSide.Ask, 200 + i, 1);
        }

        Assert.False(book.Apply(BookSide.Ask, 1000, 1));
        Assert.True(book.Apply(BookSide.Ask, 199, 1));

        Assert.Equal(OrderBook.MaxLevels, book.Asks.Length);
        Assert.Equal(199, book.Asks[0].Price);
        Assert.Equal(248, book.Asks[^1].Price);
    }

    [Fact]
    public void Apply_RejectsNegativeSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderBook(2).Apply(BookSide.Bid, 1, -1));
    }

    [Fact]
    public void GetChecksum_AlwaysEqualsTheChecksumOfTheCurrentTopN_ThroughRandomChanges()
    {
        var book = new OrderBook(3);
        var random = new Pcg32(99);
        for (int step = 0; step < 5000; step++)
        {
            BookSide side = random.Next(2) == 0 ? BookSide.Bid : BookSide.Ask;
            long price = side == BookSide.Bid ? 10_000 - random.Next(80) : 10_001 + random.Next(80);
            book.Apply(side, price, random.Next(4) == 0 ? 0 : 1 + random.Next(1000));

            int depth = BookDepth.Tiers[random.Next(BookDepth.TierCount)];
            Assert.Equal(BookChecksum.Compute(book.GetBids(depth), book.GetAsks(depth), 3), book.GetChecksum(depth));
        }
    }

    [Fact]
    public void GetChecksum_RejectsADepthThatIsNotATier()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderBook(2).GetChecksum(7));
    }
}
