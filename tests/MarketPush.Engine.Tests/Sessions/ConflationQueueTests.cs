using System.Text.Json;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Market;
using MarketPush.Engine.Tests.Routing;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Messages;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>Backpressure: a session whose queue is at its bound keeps the newest update per symbol and channel.</summary>
public sealed class ConflationQueueTests : IDisposable
{
    private readonly RoutingTestKit _kit = new(slowConsumerMs: 1_000);

    [Fact]
    public void FullQueue_KeepsOnlyTheNewestQuotePerSymbol_AndSendsItOnceTheQueueDrains()
    {
        TestSession session = _kit.NewSession(queueFrames: 3);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001"],"snapshot":false}""");
        Assert.Single(session.Drain()); // subscribed

        _kit.Quote(0, bid: 10_000); // seq 1, queued
        _kit.Quote(1, bid: 20_000); // seq 1, queued
        _kit.Quote(0, bid: 10_001); // seq 2, queued: the queue is now at its 3 frames
        _kit.Quote(0, bid: 10_002); // seq 3, held
        _kit.Quote(1, bid: 20_001); // seq 2, held
        _kit.Quote(0, bid: 10_003); // seq 4, replaces seq 3
        _kit.Quote(0, bid: 10_004); // seq 5, replaces seq 4

        Assert.Equal(3, session.Queue.Count);
        Assert.Equal(2, session.Slots.QueueWaitCount);
        List<JsonElement> first = session.Drain(thenDrained: false);
        Assert.Equal([("SYM0000", 1L), ("SYM0001", 1L), ("SYM0000", 2L)], Keys(first));

        session.Slots.OnDrained(); // what the send loop does after its write
        List<JsonElement> second = session.Drain();

        // Held values go out in the order their keys started waiting, each the newest of its key.
        Assert.Equal([("SYM0000", 5L), ("SYM0001", 2L)], Keys(second));
        Assert.Equal(100.04, second[0].GetProperty("bid").GetDouble());
        Assert.Equal(2, session.Slots.Conflated);
        Assert.Equal(5, session.Slots.Enqueued);
        Assert.Equal(0, session.Slots.Dropped);
        Assert.Equal(2, _kit.Totals.Conflated);
        Assert.Empty(session.Closes);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void ServerTotals_GetTheFirstConflationAtOnce_ThenBatches_AndEveryCountOnceTheSendLoopComesBack()
    {
        TestSession session = _kit.NewSession(queueFrames: 1);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"snapshot":false}""");
        session.Drain();
        _kit.Quote(0, bid: 10_000); // queued
        _kit.Quote(0, bid: 10_001); // held

        _kit.Quote(0, bid: 10_002); // the first conflation after a quiet spell: counted server-wide at once
        Assert.Equal(1, _kit.Totals.Conflated);

        for (int i = 0; i < 10; i++)
        {
            _kit.Quote(0, bid: 10_003 + i);
        }

        Assert.Equal(11, session.Slots.Conflated);
        Assert.Equal(1, _kit.Totals.Conflated); // a busy session hands its counts over in batches

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(DeliveryCounters.ReportIntervalMs));
        _kit.Quote(0, bid: 10_020);
        Assert.Equal(12, _kit.Totals.Conflated); // ...at least every ReportIntervalMs

        _kit.Quote(0, bid: 10_021);
        _kit.Quote(0, bid: 10_022);
        List<JsonElement> sent = session.DrainAll(); // the send loop comes back: nothing stays uncounted
        Assert.Equal(14, _kit.Totals.Conflated);
        Assert.Equal(session.Slots.Conflated, _kit.Totals.Conflated);
        Assert.Equal([("SYM0000", 1L), ("SYM0000", 16L)], Keys(sent));
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void ServerTotals_GetTheCountsOfASessionThatEnds_WhileItsQueueIsStillFull()
    {
        TestSession session = _kit.NewSession(queueFrames: 1);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001"],"channels":["quote","book"],"snapshot":false}""");
        session.Drain();
        _kit.Quote(0, bid: 10_000); // queued
        for (int i = 0; i < 5; i++)
        {
            _kit.Quote(0, bid: 10_001 + i); // held, then 4 conflations
            _kit.Book(1, (BookSide.Bid, 9_990 - i, 100)); // held, then a resync (1 conflation), then 3 skipped deltas
        }

        session.Slots.Complete();

        Assert.Equal(5, session.Slots.Conflated);
        Assert.Equal(session.Slots.Conflated, _kit.Totals.Conflated);
        Assert.Equal(session.Slots.Dropped, _kit.Totals.Dropped);
        Assert.Equal(4, _kit.Totals.Dropped);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void WhileOthersWaitForSpace_ANewKeyJoinsTheLine_InsteadOfOvertaking()
    {
        TestSession session = _kit.NewSession(queueFrames: 1);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001","SYM0002"],"snapshot":false}""");
        session.Drain();

        _kit.Quote(0, bid: 10_000); // queued
        _kit.Quote(1, bid: 20_000); // held: queue full
        Assert.Single(session.Drain(thenDrained: false));
        _kit.Quote(2, bid: 30_000); // the queue has room, but SYM0001 waits first

        Assert.Equal(0, session.Queue.Count);
        Assert.Equal([("SYM0001", 1L)], Keys(session.Drain(thenDrained: true).Concat(session.Drain()).ToList()));
        Assert.Equal([("SYM0002", 1L)], Keys(session.DrainAll()));
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void FullQueue_SkippedBookDelta_MakesTheNextBookMessageASnapshot_AndTheClientBookStaysExact()
    {
        _kit.FullBook(0, mid: 10_000, levels: 20);
        TestSession session = _kit.NewSession(queueFrames: 2);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["book"],"depth":5}""");
        var client = new BookClient(5, decimals: 2);
        Apply(client, session.Drain()); // subscribed + snapshot

        _kit.Book(0, (BookSide.Bid, 9_999, 500));   // delta, queued
        _kit.Book(0, (BookSide.Ask, 10_001, 600));  // delta, queued: queue full
        _kit.Book(0, (BookSide.Bid, 9_999, 700));   // held
        _kit.Book(0, (BookSide.Bid, 10_000, 50));   // would replace the held delta: resync instead
        _kit.Book(0, (BookSide.Ask, 10_002, 0));    // skipped, the snapshot will carry it

        List<JsonElement> queued = session.Drain(thenDrained: false);
        Assert.All(queued, m => Assert.False(m.GetProperty("snapshot").GetBoolean()));
        Apply(client, queued);
        session.Slots.OnDrained();
        JsonElement resync = Assert.Single(session.Drain());

        Assert.True(resync.GetProperty("snapshot").GetBoolean());
        Assert.Equal(6, resync.GetProperty("seq").GetInt64());
        Apply(client, [resync]);
        Assert.Equal(_kit.Cache.GetBook(0).GetChecksum(5), client.Checksum);
        Assert.Equal(100.00, client.Bids[0].Price / 100.0);

        // Deltas continue from the snapshot, and the client's book keeps matching.
        _kit.Book(0, (BookSide.Ask, 10_003, 9));
        Apply(client, session.Drain());
        Assert.Equal(_kit.Cache.GetBook(0).GetChecksum(5), client.Checksum);
        Assert.Equal(1, session.Slots.Conflated);
        Assert.Equal(2, session.Slots.Dropped);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void QueueFullLongerThanSlowConsumerLimit_ClosesWith4001_AndReleasesWhatItHeld()
    {
        TestSession session = _kit.NewSession(queueFrames: 1);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001"],"snapshot":false}""");
        session.Drain();
        _kit.Quote(0, bid: 10_000); // queued, queue full
        _kit.Quote(1, bid: 20_000); // held: the slow-consumer clock starts

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(999));
        _kit.Quote(1, bid: 20_001);
        Assert.Empty(session.Closes);

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(2));
        _kit.Quote(1, bid: 20_002);

        DisconnectReason reason = Assert.Single(session.Closes);
        Assert.Equal(CloseCodes.SlowConsumer, reason.Code);
        Assert.True(session.Slots.ClosedAsSlowConsumer);
        Assert.Equal(0, session.Slots.QueueWaitCount);
        Assert.Equal(1, _kit.Totals.SlowConsumerCloses);
        long dropped = session.Slots.Dropped;
        _kit.Quote(1, bid: 20_003); // refused: the session is closing
        Assert.Equal(dropped + 1, session.Slots.Dropped);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void SlowButProgressingConsumer_IsConflated_NotClosed()
    {
        TestSession session = _kit.NewSession(queueFrames: 2);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001","SYM0002"],"snapshot":false}""");
        session.Drain();

        // Three symbols tick every 10 ms; the client completes a write only every 400 ms, so the queue is always
        // full, but it is never stuck for the whole second the limit allows.
        for (int step = 1; step <= 300; step++)
        {
            _kit.Quote(step % 3, bid: 10_000 + step);
            _kit.Clock.Advance(TimeSpan.FromMilliseconds(10));
            if (step % 40 == 0)
            {
                session.Drain();
            }
        }

        Assert.Empty(session.Closes);
        Assert.True(session.Slots.Conflated > 200, $"conflated {session.Slots.Conflated}");
        List<JsonElement> rest = session.DrainAll();
        // Whatever was skipped, each symbol's newest value arrives.
        Assert.Contains(rest, m => m.GetProperty("symbol").GetString() == "SYM0000" && m.GetProperty("seq").GetInt64() == 100);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void CheckSlowConsumer_ClosesAStuckSession_EvenWhenNoUpdateArrives()
    {
        TestSession session = _kit.NewSession(queueFrames: 1);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001"],"snapshot":false}""");
        session.Drain();
        _kit.Quote(0, bid: 10_000);
        _kit.Quote(1, bid: 20_000);

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(session.Slots.CheckSlowConsumer());
        _kit.Clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.True(session.Slots.CheckSlowConsumer());
        Assert.False(session.Slots.CheckSlowConsumer());

        Assert.Equal(CloseCodes.SlowConsumer, Assert.Single(session.Closes).Code);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void SlowConsumerDeadline_OnTheSharedWheel_ClosesAStuckSession_CountingFromItsLastCompletedWrite()
    {
        TestSession session = _kit.NewSession(queueFrames: 1);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001","SYM0002"],"snapshot":false}""");
        session.Drain();
        _kit.Quote(0, bid: 10_000);
        _kit.Quote(1, bid: 20_000); // held: deadline in 1 s
        _kit.Quote(2, bid: 30_000); // held

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Single(session.Drain()); // a write completed: SYM0001 moves in, SYM0002 still waits; clock restarts
        _kit.Clock.Advance(TimeSpan.FromMilliseconds(500));
        _kit.Wheel.Tick();               // the first deadline passed, but the session made progress since
        Assert.Empty(session.Closes);

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(510));
        _kit.Wheel.Tick();               // 1.01 s since the last completed write

        Assert.Equal(CloseCodes.SlowConsumer, Assert.Single(session.Closes).Code);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void SubscribeSnapshotsThatDoNotFit_AreSentLater_AsSnapshotsOfTheNewestValue()
    {
        for (int i = 0; i < 4; i++)
        {
            _kit.Quote(i, bid: 10_000 + i);
        }

        TestSession session = _kit.NewSession(queueFrames: 2);
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001","SYM0002","SYM0003"]}""");
        _kit.Quote(3, bid: 13_000); // newer than the snapshot that did not fit

        List<JsonElement> all = session.DrainAll();

        Assert.Equal("subscribed", all[0].GetProperty("type").GetString());
        List<JsonElement> quotes = all.Skip(1).ToList();
        Assert.Equal(4, quotes.Count);
        Assert.All(quotes, q => Assert.True(q.GetProperty("snapshot").GetBoolean()));
        JsonElement last = quotes.Single(q => q.GetProperty("symbol").GetString() == "SYM0003");
        Assert.Equal(130.00, last.GetProperty("bid").GetDouble());
        Assert.Equal(2, last.GetProperty("seq").GetInt64());
        _kit.AssertNoLeaks(session);
    }

    public void Dispose() => _kit.Dispose();

    private static List<(string, long)> Keys(List<JsonElement> messages) =>
        [.. messages.Select(m => (m.GetProperty("symbol").GetString()!, m.GetProperty("seq").GetInt64()))];

    private static void Apply(BookClient client, IEnumerable<JsonElement> messages)
    {
        foreach (JsonElement message in messages)
        {
            if (message.GetProperty("type").GetString() != "book")
            {
                continue;
            }

            BookLevel[] bids = Levels(message.GetProperty("bids"));
            BookLevel[] asks = Levels(message.GetProperty("asks"));
            long seq = message.GetProperty("seq").GetInt64();
            Assert.True(seq > client.LastSequence, $"seq {seq} after {client.LastSequence}");
            if (message.GetProperty("snapshot").GetBoolean())
            {
                client.ApplySnapshot(bids, asks, seq);
            }
            else
            {
                Assert.True(client.LastSequence > 0, "a delta before any snapshot");
                client.ApplyDelta(bids, asks, seq);
            }

            Assert.Equal(message.GetProperty("checksum").GetUInt32(), client.Checksum);
        }
    }

    private static BookLevel[] Levels(JsonElement side) =>
        [.. side.EnumerateArray().Select(l => new BookLevel((long)Math.Round(l[0].GetDouble() * 100), l[1].GetInt64()))];
}
