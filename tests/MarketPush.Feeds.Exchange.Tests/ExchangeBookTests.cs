using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Feeds.Exchange.Tests;

/// <summary><see cref="ExchangeBook"/>: full venue depth kept, only the server's 50-level window published, as differences.</summary>
public class ExchangeBookTests
{
    private static (ExchangeBook Book, OrderBook Server) Seeded(int levels)
    {
        var book = new ExchangeBook();
        var server = new OrderBook(2);
        book.BeginUpdate();
        for (int i = 0; i < levels; i++)
        {
            book.Set(BookSide.Bid, 10_000 - i, 1 + i);
            book.Set(BookSide.Ask, 10_001 + i, 1 + i);
        }

        Publish(book, server);
        return (book, server);
    }

    private static BookLevelChange[] Publish(ExchangeBook book, OrderBook server)
    {
        var changes = new BookLevelChange[4 * ExchangeBook.Window];
        int n = book.PublishChanges(changes);
        foreach (BookLevelChange change in changes.AsSpan(0, n))
        {
            server.Apply(change.Side, change.Price, change.Size);
        }

        return changes.AsSpan(0, n).ToArray();
    }

    [Fact]
    public void Snapshot_PublishesOnlyTheBest50PerSide_BestFirstAvailable()
    {
        (ExchangeBook book, OrderBook server) = Seeded(80);

        Assert.Equal(80, book.BidCount);
        Assert.Equal(book.GetBest(BookSide.Bid), server.Bids.ToArray());
        Assert.Equal(book.GetBest(BookSide.Ask), server.Asks.ToArray());
        Assert.Equal(50, server.Bids.Length);
        Assert.Equal(10_000, server.Bids[0].Price);
    }

    [Fact]
    public void RemovingTheBest_BringsTheNextDeeperLevelIntoTheWindow_RemovalsFirst()
    {
        (ExchangeBook book, OrderBook server) = Seeded(80);

        book.BeginUpdate();
        book.Set(BookSide.Bid, 10_000, 0);
        BookLevelChange[] changes = Publish(book, server);

        Assert.Equal([new BookLevelChange(BookSide.Bid, 10_000, 0), new BookLevelChange(BookSide.Bid, 9_950, 51)], changes);
        Assert.Equal(book.GetBest(BookSide.Bid), server.Bids.ToArray());
    }

    [Fact]
    public void ChangesDeeperThanTheWindow_PublishNothing()
    {
        (ExchangeBook book, OrderBook server) = Seeded(80);

        book.BeginUpdate();
        book.Set(BookSide.Ask, 10_075, 999);
        book.Set(BookSide.Bid, 9_930, 0);

        Assert.Empty(Publish(book, server));
        Assert.Equal(79, book.BidCount);
    }

    [Fact]
    public void ReplacingTheWholeBook_PublishesOnlyTheDifference()
    {
        (ExchangeBook book, OrderBook server) = Seeded(10);

        book.BeginUpdate();
        book.Clear();
        for (int i = 0; i < 10; i++)
        {
            book.Set(BookSide.Bid, 10_000 - i, i == 3 ? 77 : 1 + i); // one size changed
            book.Set(BookSide.Ask, 10_002 + i, 1 + i);                // every ask moved up one tick
        }

        BookLevelChange[] changes = Publish(book, server);

        Assert.Equal([new BookLevelChange(BookSide.Ask, 10_001, 0), new BookLevelChange(BookSide.Bid, 9_997, 77)], changes.Take(2));
        Assert.Equal(book.GetBest(BookSide.Bid), server.Bids.ToArray());
        Assert.Equal(book.GetBest(BookSide.Ask), server.Asks.ToArray());
    }
}
