using System.Text.Json;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Market;
using MarketPush.Engine.Tests.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>
/// Snapshots for a subscribe or a book resync are built with no session lock held, and an update that races the build
/// is never lost: the snapshot is rebuilt so it carries it, and the first live update follows it.
/// </summary>
public sealed class ResyncSnapshotTests : IDisposable
{
    private readonly RoutingTestKit _kit = new(slowConsumerMs: 10_000);

    [Fact]
    public void BookResync_SnapshotArrives_BuiltWithNoLockHeld_AndCarriesADeltaPublishedFromAnotherThreadDuringTheBuild()
    {
        _kit.FullBook(0, mid: 10_000, levels: 20);
        var source = new ObservedSnapshotSource(_kit.Router);
        TestSession session = _kit.NewSession(source, queueFrames: 2);
        source.Delivery = session.Slots;
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["book"],"depth":5}""");
        var client = new BookClient(5, decimals: 2);
        Apply(client, session.Drain()); // subscribed + snapshot (build 1)

        _kit.Book(0, (BookSide.Bid, 9_999, 500));   // seq 2, queued
        _kit.Book(0, (BookSide.Ask, 10_001, 600));  // seq 3, queued: queue full
        _kit.Book(0, (BookSide.Bid, 9_999, 700));   // seq 4, held
        _kit.Book(0, (BookSide.Bid, 10_000, 50));   // seq 5: a second delta, so a resync
        Apply(client, session.Drain(thenDrained: false));

        // While the resync snapshot (build 2) is being built on the send loop, the feed moves on: a delta published
        // by another thread, as the ingest thread would. It must not wait for this session (no lock is held), and the
        // snapshot that reaches the client must include it.
        source.AfterBuild = build =>
        {
            if (build == 2)
            {
                PublishOnIngestThread(() => _kit.Book(0, (BookSide.Ask, 10_002, 0))); // seq 6
            }
        };
        session.Slots.OnDrained();
        JsonElement resync = Assert.Single(session.Drain());

        Assert.True(resync.GetProperty("snapshot").GetBoolean());
        Assert.Equal(6, resync.GetProperty("seq").GetInt64());
        Assert.Equal([1L, 5L, 6L], source.Sequences); // the stale build (seq 5) was thrown away and built again
        Assert.Equal(0, source.CallsUnderLock);
        Apply(client, [resync]);
        Assert.Equal(_kit.Cache.GetBook(0).GetChecksum(5), client.Checksum);

        _kit.Book(0, (BookSide.Ask, 10_003, 9)); // seq 7: deltas continue from the snapshot
        Apply(client, session.Drain());
        Assert.Equal(7, client.LastSequence);
        Assert.Equal(_kit.Cache.GetBook(0).GetChecksum(5), client.Checksum);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void SubscribeSnapshot_WithAnUpdatePublishedWhileItIsBuilt_IsRebuilt_AndTheNextLiveUpdateFollowsIt()
    {
        _kit.Quote(0, bid: 10_000); // seq 1
        var source = new ObservedSnapshotSource(_kit.Router);
        TestSession session = _kit.NewSession(source);
        source.Delivery = session.Slots;
        source.AfterBuild = build =>
        {
            if (build == 1)
            {
                PublishOnIngestThread(() => _kit.Quote(0, bid: 10_050)); // seq 2, offered while the subscription is inactive
            }
        };

        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["quote"]}""");
        _kit.Quote(0, bid: 10_100); // seq 3, live

        List<JsonElement> messages = session.DrainAll();
        Assert.Equal(["subscribed", "quote", "quote"], messages.Select(m => m.GetProperty("type").GetString()));
        Assert.True(messages[1].GetProperty("snapshot").GetBoolean());
        Assert.Equal(2, messages[1].GetProperty("seq").GetInt64());
        Assert.Equal(100.50, messages[1].GetProperty("bid").GetDouble());
        Assert.False(messages[2].TryGetProperty("snapshot", out JsonElement live) && live.GetBoolean());
        Assert.Equal(3, messages[2].GetProperty("seq").GetInt64());
        Assert.Equal(0, source.CallsUnderLock);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void SubscribeSnapshot_ThatKeepsGoingStale_IsRetriedFromTheTimerWheel_AndStillArrivesBeforeAnyLiveUpdate()
    {
        _kit.Quote(0, bid: 10_000); // seq 1
        var source = new ObservedSnapshotSource(_kit.Router);
        TestSession session = _kit.NewSession(source);
        source.Delivery = session.Slots;
        // A symbol that ticks during every build: each attempt is stale by the time it would be queued.
        source.AfterBuild = build =>
        {
            if (build <= ConflatingDelivery.MaxSnapshotAttempts)
            {
                _kit.Quote(0, bid: 10_000 + build);
            }
        };

        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["quote"]}""");
        Assert.Equal(ConflatingDelivery.MaxSnapshotAttempts, source.Builds); // gave up spinning on the receive loop
        Assert.Equal(["subscribed"], session.Drain().Select(m => m.GetProperty("type").GetString()));
        Assert.Equal(1, session.Slots.RateWaitCount);

        _kit.Clock.Advance(_kit.Wheel.Resolution);
        _kit.Wheel.Tick(); // the retry, one tick later, with nothing racing it
        JsonElement snapshot = Assert.Single(session.Drain());
        Assert.True(snapshot.GetProperty("snapshot").GetBoolean());
        Assert.Equal(1 + ConflatingDelivery.MaxSnapshotAttempts, snapshot.GetProperty("seq").GetInt64());

        _kit.Quote(0, bid: 11_000);
        JsonElement live = Assert.Single(session.Drain());
        Assert.Equal(2 + ConflatingDelivery.MaxSnapshotAttempts, live.GetProperty("seq").GetInt64());
        Assert.Equal(0, session.Slots.RateWaitCount);
        Assert.Equal(0, source.CallsUnderLock);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void SubscribeWithoutSnapshot_BuildsNothing_TouchesTheRouterOutsideTheLock_AndDeliversTheNextUpdate()
    {
        _kit.Quote(0, bid: 10_000); // seq 1
        var source = new ObservedSnapshotSource(_kit.Router);
        TestSession session = _kit.NewSession(source);
        source.Delivery = session.Slots;

        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["quote"],"snapshot":false}""");
        _kit.Quote(0, bid: 10_100); // seq 2

        List<JsonElement> messages = session.DrainAll();
        Assert.Equal(["subscribed", "quote"], messages.Select(m => m.GetProperty("type").GetString()));
        Assert.Equal(2, messages[1].GetProperty("seq").GetInt64());
        Assert.Equal(0, source.Builds);
        Assert.Equal(0, source.CallsUnderLock);
        _kit.AssertNoLeaks(session);
    }

    public void Dispose() => _kit.Dispose();

    /// <summary>
    /// Runs <paramref name="publish"/> on another thread, as the ingest loop would, while the calling thread is inside a
    /// snapshot build: if the build held the session's lock, the router's delivery would block on it and time out.
    /// </summary>
    private static void PublishOnIngestThread(Action publish)
    {
        var ingest = new Thread(() => publish());
        ingest.Start();
        Assert.True(ingest.Join(TimeSpan.FromSeconds(10)), "the router's delivery waited for a lock held while a snapshot was built");
    }

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
            if (message.GetProperty("snapshot").GetBoolean())
            {
                client.ApplySnapshot(bids, asks, seq);
            }
            else
            {
                Assert.Equal(client.LastSequence + 1, seq);
                client.ApplyDelta(bids, asks, seq);
            }

            Assert.Equal(message.GetProperty("checksum").GetUInt32(), client.Checksum);
        }
    }

    private static BookLevel[] Levels(JsonElement side) =>
        [.. side.EnumerateArray().Select(l => new BookLevel((long)Math.Round(l[0].GetDouble() * 100), l[1].GetInt64()))];
}
