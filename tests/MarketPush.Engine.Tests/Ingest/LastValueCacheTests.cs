using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Ingest;

public class LastValueCacheTests
{
    [Fact]
    public async Task TryGetBook_FromAnotherThread_NeverSeesHalfAnUpdate()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(1);
        var cache = new LastValueCache(catalog);
        var update = new BookUpdate();
        var changes = new BookLevelChange[100];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long written = 0;

        // Update n sets all 100 levels to size n: a torn read would show two different sizes.
        Task writer = Task.Run(() =>
        {
            for (long n = 1; n <= 5_000 && !stop.IsCancellationRequested; n++)
            {
                for (int i = 0; i < 50; i++)
                {
                    changes[i] = new BookLevelChange(BookSide.Bid, 10_000 - i, n);
                    changes[50 + i] = new BookLevelChange(BookSide.Ask, 10_001 + i, n);
                }

                cache.ApplyBook(0, n, n * 10, changes, update);
                Volatile.Write(ref written, n);
            }
        });

        var bids = new BookLevel[50];
        var asks = new BookLevel[50];
        int reads = 0;
        while (!writer.IsCompleted)
        {
            if (!cache.TryGetBook(0, 50, bids, asks, out BookSnapshot snapshot))
            {
                continue;
            }

            reads++;
            Assert.Equal((50, 50), (snapshot.BidCount, snapshot.AskCount));
            Assert.All(bids, level => Assert.Equal(snapshot.Sequence, level.Size));
            Assert.All(asks, level => Assert.Equal(snapshot.Sequence, level.Size));
            Assert.Equal(snapshot.Sequence * 10, snapshot.Timestamp);
            Assert.Equal(BookChecksum.Compute(bids, asks, 2), snapshot.Checksum);
        }

        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(reads > 0);
        Assert.Equal(5_000, Volatile.Read(ref written));
    }

    [Fact]
    public void TryGetBook_CopiesOnlyTheRequestedDepth_WithItsChecksum()
    {
        var cache = new LastValueCache(InstrumentCatalog.CreateGenerated(1));
        cache.ApplyBook(0, 4, 40, [new(BookSide.Bid, 100, 1), new(BookSide.Bid, 99, 2), new(BookSide.Ask, 101, 3)], new BookUpdate());

        var bids = new BookLevel[1];
        var asks = new BookLevel[1];
        Assert.True(cache.TryGetBook(0, 1, bids, asks, out BookSnapshot snapshot));

        Assert.Equal(new BookSnapshot(4, 40, 1, 1, BookChecksum.Compute([new(100, 1)], [new(101, 3)], 2)), snapshot);
        Assert.Equal(cache.GetBook(0).GetChecksum(1), snapshot.Checksum);
    }
}
