using System.Text.Json;
using MarketPush.Engine.Tests.Market;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Routing;

public sealed class SubscriptionCommandsTests : IDisposable
{
    private readonly RoutingTestKit _kit = new(instruments: 6, maxSubscriptions: 7);

    [Fact]
    public void Subscribe_RepliesSubscribed_ThenOneSnapshotPerChannelThatHasAValue_ThenLiveUpdates()
    {
        _kit.Quote(0, bid: 10_000);
        _kit.Quote(0, bid: 10_001);
        _kit.FullBook(0, mid: 10_000, levels: 12);
        TestSession session = _kit.NewSession();

        session.Subscribe("""{"op":"subscribe","id":1,"symbols":["SYM0000"],"channels":["book","quote","trade"]}""");
        _kit.Quote(0, bid: 10_002);

        List<JsonElement> messages = session.Drain();
        Assert.Equal(["subscribed", "quote", "book", "quote"], messages.Select(m => m.GetProperty("type").GetString()));
        JsonElement subscribed = messages[0];
        Assert.Equal(1, subscribed.GetProperty("id").GetInt64());
        Assert.Equal(["SYM0000"], subscribed.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["quote", "trade", "book"], subscribed.GetProperty("channels").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(0, subscribed.GetProperty("rejected").GetArrayLength());
        Assert.True(messages[1].GetProperty("snapshot").GetBoolean());
        Assert.Equal(2, messages[1].GetProperty("seq").GetInt64());
        Assert.Equal(10, messages[2].GetProperty("bids").GetArrayLength()); // default depth
        Assert.True(messages[2].GetProperty("snapshot").GetBoolean());
        Assert.False(messages[3].TryGetProperty("snapshot", out _));
        Assert.Equal(3, messages[3].GetProperty("seq").GetInt64());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void SubscribingAgain_SendsNoSecondSnapshot_AndDoesNotDuplicateUpdates()
    {
        _kit.Quote(1, bid: 10_000);
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0001"]}""");
        session.Drain();

        session.Subscribe("""{"op":"subscribe","id":2,"symbols":["SYM0001","SYM0001"]}""");
        _kit.Quote(1, bid: 10_001);

        List<JsonElement> messages = session.Drain();
        Assert.Equal(["subscribed", "quote"], messages.Select(m => m.GetProperty("type").GetString()));
        Assert.Equal(["SYM0001"], messages[0].GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(2, messages[1].GetProperty("seq").GetInt64());
        Assert.Equal(1, _kit.Router.CountSubscribers(1, MarketChannel.Quote));
        Assert.Equal(1, session.Table.Count);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Subscribe_RejectsUnknownSymbols_AndSymbolsPastTheConnectionLimit_AllOrNothingPerSymbol()
    {
        TestSession session = _kit.NewSession();

        // Limit 7 pairs: two symbols × 3 channels fit, the third symbol's 3 would not (even though 1 would).
        session.Subscribe("""{"op":"subscribe","id":5,"symbols":["SYM0000","sym0001","ZZZZ","SYM0001","SYM0002"],"channels":["quote","trade","book"]}""");

        JsonElement reply = Assert.Single(session.Drain());
        Assert.Equal(["SYM0000", "SYM0001"], reply.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        var rejected = reply.GetProperty("rejected").EnumerateArray()
            .Select(r => (r.GetProperty("symbol").GetString(), r.GetProperty("reason").GetString())).ToList();
        Assert.Equal([("sym0001", "unknown_symbol"), ("ZZZZ", "unknown_symbol"), ("SYM0002", "limit")], rejected);
        Assert.Equal(6, session.Table.Count);

        // One more pair still fits.
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0003"]}""");
        Assert.Equal(0, Assert.Single(session.Drain()).GetProperty("rejected").GetArrayLength());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Subscribe_WithoutSnapshot_StartsWithTheNextLiveUpdate()
    {
        _kit.Quote(2, bid: 10_000);
        TestSession session = _kit.NewSession();

        session.Subscribe("""{"op":"subscribe","symbols":["SYM0002"],"snapshot":false}""");
        _kit.Quote(2, bid: 10_001);

        List<JsonElement> messages = session.Drain();
        Assert.Equal(["subscribed", "quote"], messages.Select(m => m.GetProperty("type").GetString()));
        Assert.Equal(2, messages[1].GetProperty("seq").GetInt64());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void LiveUpdateAlreadyInTheSnapshot_IsNotSentAgain()
    {
        // The cache already holds seq 2 while the router has not been called for it yet (ingest updates the cache
        // first): a subscriber that snapshots now must not get seq 2 again as a live update.
        _kit.Quote(3, bid: 10_000);
        var quote = new Quote(10_050, 1, 10_060, 1);
        _kit.Cache.SetQuote(3, 2, _kit.NextTimestamp(), quote);
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0003"]}""");

        _kit.Router.OnQuote(_kit.Catalog[3], 2, _kit.NextTimestamp(), quote);
        _kit.Router.OnQuote(_kit.Catalog[3], 3, _kit.NextTimestamp(), quote);

        List<JsonElement> messages = session.Drain();
        Assert.Equal([2L, 3L], messages.Skip(1).Select(m => m.GetProperty("seq").GetInt64()));
        Assert.True(messages[1].GetProperty("snapshot").GetBoolean());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Subscribe_WithANewDepth_SendsABookSnapshotAtTheNewDepth_ThenItsDeltas()
    {
        _kit.FullBook(0, mid: 10_000, levels: 30);
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["book"],"depth":5}""");
        session.Drain();

        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["book"],"depth":20,"snapshot":false}""");
        _kit.Book(0, (BookSide.Bid, 10_000 - 15, 999));

        List<JsonElement> messages = session.Drain();
        Assert.Equal(["subscribed", "book", "book"], messages.Select(m => m.GetProperty("type").GetString()));
        Assert.True(messages[1].GetProperty("snapshot").GetBoolean());
        Assert.Equal(20, messages[1].GetProperty("bids").GetArrayLength());
        var client = new BookClient(20, 2);
        client.ApplySnapshot(Levels(messages[1].GetProperty("bids")), Levels(messages[1].GetProperty("asks")), 1);
        client.ApplyDelta(Levels(messages[2].GetProperty("bids")), Levels(messages[2].GetProperty("asks")), 2);
        Assert.Equal(messages[2].GetProperty("checksum").GetUInt32(), client.Checksum);
        Assert.Equal(1, _kit.Router.CountSubscribers(0, MarketChannel.Book));
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Unsubscribe_StopsUpdates_DefaultsToAllChannels_AndEchoesTheRequest()
    {
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001"],"channels":["quote","trade"],"snapshot":false}""");
        session.Drain();

        session.Unsubscribe("""{"op":"unsubscribe","id":9,"symbols":["SYM0000","NOPE"]}""");
        _kit.Quote(0, bid: 10_000);
        _kit.Trade(0, price: 10_000);
        _kit.Quote(1, bid: 20_000);

        List<JsonElement> messages = session.Drain();
        Assert.Equal(["unsubscribed", "quote"], messages.Select(m => m.GetProperty("type").GetString()));
        Assert.Equal(9, messages[0].GetProperty("id").GetInt64());
        Assert.Equal(["SYM0000", "NOPE"], messages[0].GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["quote", "trade", "book"], messages[0].GetProperty("channels").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("SYM0001", messages[1].GetProperty("symbol").GetString());
        Assert.Equal(0, _kit.Router.CountSubscribers(0, MarketChannel.Quote));
        Assert.Equal(2, session.Table.Count);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Symbols_ListsInstrumentsByCaseSensitivePrefix()
    {
        TestSession session = _kit.NewSession();

        _kit.Commands.Symbols(session.Queue, session.Slots.Variant.Encoding, compression: false, RoutingTestKit.Command("""{"op":"symbols","id":3,"prefix":"SYM000"}"""));
        _kit.Commands.Symbols(session.Queue, session.Slots.Variant.Encoding, compression: false, RoutingTestKit.Command("""{"op":"symbols","prefix":"sym"}"""));
        _kit.Commands.Symbols(session.Queue, session.Slots.Variant.Encoding, compression: false, RoutingTestKit.Command("""{"op":"symbols"}"""));

        List<JsonElement> replies = session.Drain();
        Assert.Equal(6, replies[0].GetProperty("symbols").GetArrayLength());
        JsonElement first = replies[0].GetProperty("symbols")[0];
        Assert.Equal("SYM0000", first.GetProperty("symbol").GetString());
        Assert.Equal(2, first.GetProperty("decimals").GetInt32());
        Assert.Equal(3, replies[0].GetProperty("id").GetInt64());
        Assert.Equal(0, replies[1].GetProperty("symbols").GetArrayLength());
        Assert.Equal(6, replies[2].GetProperty("symbols").GetArrayLength());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void RemoveAll_TakesEverySubscriptionOutOfTheRouter_AndRefusesLaterSubscribes()
    {
        TestSession session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000","SYM0001"],"channels":["quote","book"],"maxRate":1}""");
        _kit.Quote(0, bid: 10_000);
        _kit.Quote(0, bid: 10_001); // held by maxRate

        Assert.Equal(4, _kit.Commands.RemoveAll(session.Table));
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0002"]}""");

        Assert.Equal(0, _kit.Router.CountSubscribers(0, MarketChannel.Quote));
        Assert.Equal(0, _kit.Router.CountSubscribers(1, MarketChannel.Book));
        Assert.Equal(0, _kit.Router.CountSubscribers(2, MarketChannel.Quote));
        Assert.Equal(0, _kit.Wheel.Count);
        Assert.True(session.Table.IsClosed);
        _kit.AssertNoLeaks(session);
    }

    public void Dispose() => _kit.Dispose();

    private static BookLevel[] Levels(JsonElement side) =>
        [.. side.EnumerateArray().Select(l => new BookLevel((long)Math.Round(l[0].GetDouble() * 100), l[1].GetInt64()))];
}
