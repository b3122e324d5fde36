using System.Text.Json;
using MarketPush.Engine.Tests.Market;
using MarketPush.Engine.Tests.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>maxRate: at most maxRate updates in any one-second window, the newest pending value within 1/maxRate s.</summary>
public sealed class ConflationRateTests : IDisposable
{
    private readonly RoutingTestKit _kit = new();

    [Theory]
    [InlineData(4.0)]
    [InlineData(10.0)]
    [InlineData(2.5)]
    public void MaxRate_SendsAtMostRatePerSecond_AndEachNewestValueWithinOneInterval(double maxRate)
    {
        TestSession session = _kit.NewSession();
        session.Subscribe($$"""{"op":"subscribe","symbols":["SYM0000"],"snapshot":false,"maxRate":{{maxRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""");
        session.Drain();
        var sent = new List<(double AtMs, long Seq)>();
        var published = new List<(double AtMs, long Seq)>();
        double now = 0;

        // A quote every 7 ms for 3 s, the clock moving 1 ms at a time with the wheel ticking as its loop would.
        for (int ms = 0; ms < 3_000; ms++)
        {
            if (ms % 7 == 0)
            {
                _kit.Quote(0, bid: 10_000 + ms);
                published.Add((now, published.Count + 1));
            }

            _kit.Wheel.Tick();
            foreach (JsonElement quote in session.Drain())
            {
                sent.Add((now, quote.GetProperty("seq").GetInt64()));
            }

            _kit.Clock.Advance(TimeSpan.FromMilliseconds(1));
            now++;
        }

        for (int i = 0; i < 10; i++)
        {
            _kit.Clock.Advance(TimeSpan.FromMilliseconds(100));
            _kit.Wheel.Tick();
            sent.AddRange(session.Drain().Select(q => (now, q.GetProperty("seq").GetInt64())));
        }

        // At most maxRate sends in any one-second window (checked at every send).
        for (int i = 0; i < sent.Count; i++)
        {
            int inWindow = sent.Count(s => s.AtMs >= sent[i].AtMs && s.AtMs < sent[i].AtMs + 1_000);
            Assert.True(inWindow <= Math.Ceiling(maxRate), $"{inWindow} sends in the second from {sent[i].AtMs} ms at maxRate {maxRate}");
        }

        // Strictly increasing seq, and the last value published is the last one sent.
        Assert.Equal(sent.Select(s => s.Seq).Order(), sent.Select(s => s.Seq));
        Assert.Equal(published[^1].Seq, sent[^1].Seq);

        // Every value that was newest at some moment went out (itself or a newer one) within 1/maxRate + one wheel tick.
        double budgetMs = (1_000 / maxRate) + _kit.Wheel.Resolution.TotalMilliseconds + 1;
        foreach ((double atMs, long seq) in published)
        {
            (double AtMs, long Seq) first = sent.First(s => s.Seq >= seq);
            Assert.True(first.AtMs - atMs <= budgetMs, $"seq {seq} published at {atMs} ms, covered at {first.AtMs} ms");
        }

        // Fewer sends than updates, and the difference was counted as conflation (by maxRate).
        Assert.True(sent.Count < published.Count);
        Assert.Equal(published.Count - sent.Count, session.Slots.Conflated);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void MaxRate_FirstUpdateGoesOutAtOnce_AndTheHeldOneOnlyWhenTheWheelSaysSo()
    {
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"snapshot":false,"maxRate":2}""");
        session.Drain();

        _kit.Quote(0, bid: 10_000);
        Assert.Single(session.Drain());
        _kit.Clock.Advance(TimeSpan.FromMilliseconds(100));
        _kit.Quote(0, bid: 10_001);
        _kit.Quote(0, bid: 10_002);
        _kit.Clock.Advance(TimeSpan.FromMilliseconds(398));
        _kit.Wheel.Tick();
        Assert.Empty(session.Drain());

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(7));
        _kit.Wheel.Tick();

        JsonElement held = Assert.Single(session.Drain());
        Assert.Equal(3, held.GetProperty("seq").GetInt64());
        Assert.Equal(0, _kit.Wheel.Count);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void MaxRate_BookSkippingADelta_SendsASnapshotNext_AndTheClientBookMatchesEveryChecksum()
    {
        _kit.FullBook(0, mid: 10_000, levels: 20);
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["book"],"depth":10,"maxRate":5}""");
        var client = new BookClient(10, decimals: 2);
        var snapshots = 0;
        var deltas = 0;

        for (int ms = 0; ms < 2_000; ms++)
        {
            if (ms % 30 == 0)
            {
                _kit.Book(0, (BookSide.Bid, 9_999 - (ms % 4), 100 + ms), (BookSide.Ask, 10_001 + (ms % 3), 200 + ms));
            }

            _kit.Wheel.Tick();
            foreach (JsonElement message in session.Drain())
            {
                if (message.GetProperty("type").GetString() != "book")
                {
                    continue;
                }

                long seq = message.GetProperty("seq").GetInt64();
                Assert.True(seq > client.LastSequence);
                BookLevel[] bids = Levels(message.GetProperty("bids"));
                BookLevel[] asks = Levels(message.GetProperty("asks"));
                if (message.GetProperty("snapshot").GetBoolean())
                {
                    snapshots++;
                    client.ApplySnapshot(bids, asks, seq);
                }
                else
                {
                    // A delta is only ever sent right after the one before it.
                    Assert.Equal(client.LastSequence + 1, seq);
                    deltas++;
                    client.ApplyDelta(bids, asks, seq);
                }

                Assert.Equal(message.GetProperty("checksum").GetUInt32(), client.Checksum);
            }

            _kit.Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(snapshots > 2, $"{snapshots} snapshots");
        Assert.True(snapshots + deltas <= 11, $"{snapshots + deltas} book messages in 2 s at maxRate 5");
        Assert.True(session.Slots.Dropped > 0);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void LaterSubscribe_ReplacesMaxRate_AndZeroMeansEveryUpdate()
    {
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"snapshot":false,"maxRate":1}""");
        session.Drain();
        _kit.Quote(0, bid: 10_000);
        _kit.Quote(0, bid: 10_001); // held for a second
        Assert.Single(session.Drain());

        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"maxRate":0}""");
        Assert.Single(session.Drain()); // subscribed; no second snapshot
        _kit.Wheel.Tick();
        _kit.Clock.Advance(TimeSpan.FromMilliseconds(6));
        _kit.Wheel.Tick();
        JsonElement released = Assert.Single(session.Drain());
        Assert.Equal(2, released.GetProperty("seq").GetInt64());

        _kit.Quote(0, bid: 10_002);
        _kit.Quote(0, bid: 10_003);
        Assert.Equal(2, session.Drain().Count);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Unsubscribe_WhileAValueIsHeld_ReleasesIt_AndCancelsItsTimer()
    {
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"snapshot":false,"maxRate":1}""");
        _kit.Quote(0, bid: 10_000);
        _kit.Quote(0, bid: 10_001);
        Assert.Equal(1, _kit.Wheel.Count);

        session.Unsubscribe("""{"op":"unsubscribe","symbols":["SYM0000"]}""");
        _kit.Clock.Advance(TimeSpan.FromMilliseconds(2_000));
        _kit.Wheel.Tick();

        Assert.Equal(0, _kit.Wheel.Count);
        List<JsonElement> messages = session.Drain();
        Assert.Equal(["subscribed", "quote", "unsubscribed"], messages.Select(m => m.GetProperty("type").GetString()));
        _kit.AssertNoLeaks(session);
    }

    public void Dispose() => _kit.Dispose();

    private static BookLevel[] Levels(JsonElement side) =>
        [.. side.EnumerateArray().Select(l => new BookLevel((long)Math.Round(l[0].GetDouble() * 100), l[1].GetInt64()))];
}
