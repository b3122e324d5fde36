using System.Text.Json;
using MarketPush.Engine.Tests.Market;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Routing;

public sealed class SubscriptionRouterTests : IDisposable
{
    private readonly RoutingTestKit _kit = new();

    [Fact]
    public void Quote_ToManySubscribersOfBothEncodings_IsEncodedOncePerEncoding_AndSharedAsOneMessage()
    {
        FakeSubscriber[] json = Subscribers(100, MarketChannel.Quote, WireEncoding.Json);
        FakeSubscriber[] msgpack = Subscribers(40, MarketChannel.Quote, WireEncoding.MessagePack);

        _kit.Quote(0, bid: 10_000);

        Assert.Equal(1, _kit.Json.Quotes);
        Assert.Equal(1, _kit.MessagePack.Quotes);
        Assert.Equal(2, _kit.Router.MessagesBuilt);
        Assert.All(json, s => Assert.Same(json[0].Updates.Single().Message, s.Updates.Single().Message));
        Assert.All(msgpack, s => Assert.Same(msgpack[0].Updates.Single().Message, s.Updates.Single().Message));
        Assert.Equal(0x88, msgpack[0].Updates[0].Bytes[0]); // a MessagePack map of the 8 quote fields
        JsonElement quote = JsonDocument.Parse(json[0].Updates[0].Payload).RootElement;
        Assert.Equal("quote", quote.GetProperty("type").GetString());
        Assert.Equal("SYM0000", quote.GetProperty("symbol").GetString());
        Assert.Equal(1, quote.GetProperty("seq").GetInt64());
        Assert.Equal(100.00, quote.GetProperty("bid").GetDouble());
        Assert.False(quote.TryGetProperty("snapshot", out _));
        Assert.Equal(140, _kit.Router.Offers);
    }

    [Fact]
    public void Update_WithoutSubscribers_IsNotEncodedAtAll()
    {
        Subscribers(3, MarketChannel.Quote, WireEncoding.Json, instrumentId: 1);

        _kit.Quote(0, bid: 10_000);
        _kit.Trade(0, price: 10_001);
        _kit.FullBook(0, mid: 10_000, levels: 5);

        Assert.Equal(0, _kit.Json.Total + _kit.MessagePack.Total);
        Assert.Equal(0, _kit.Router.MessagesBuilt);
    }

    [Fact]
    public void Trade_GoesOnlyToTradeSubscribersOfItsInstrument()
    {
        FakeSubscriber[] trades = Subscribers(2, MarketChannel.Trade, WireEncoding.Json);
        FakeSubscriber[] quotes = Subscribers(2, MarketChannel.Quote, WireEncoding.Json);
        FakeSubscriber[] otherInstrument = Subscribers(2, MarketChannel.Trade, WireEncoding.Json, instrumentId: 2);

        _kit.Trade(0, price: 10_001, size: 7);

        Assert.All(trades, s => Assert.Single(s.Updates));
        Assert.All(quotes, s => Assert.Empty(s.Updates));
        Assert.All(otherInstrument, s => Assert.Empty(s.Updates));
        Assert.Equal(1, _kit.Json.Trades);
        JsonElement trade = JsonDocument.Parse(trades[0].Updates[0].Payload).RootElement;
        Assert.Equal(100.01, trade.GetProperty("price").GetDouble());
        Assert.Equal("buy", trade.GetProperty("side").GetString());
    }

    [Fact]
    public void Book_IsEncodedOncePerEncodingAndDepth_AndEachDepthGetsTheDeltaForItsWindow()
    {
        var depths = new Dictionary<int, FakeSubscriber[]>();
        foreach (int depth in BookDepth.Tiers)
        {
            depths[depth] = Subscribers(3, MarketChannel.Book, WireEncoding.Json, depth: depth);
        }

        FakeSubscriber[] msgpack = Subscribers(2, MarketChannel.Book, WireEncoding.MessagePack, depth: 10);

        _kit.FullBook(0, mid: 10_000, levels: 50);

        Assert.Equal(BookDepth.Tiers.Length, _kit.Json.Books);
        Assert.Equal(1, _kit.MessagePack.Books);
        foreach ((int depth, FakeSubscriber[] group) in depths)
        {
            Assert.All(group, s => Assert.Same(group[0].Updates.Single().Message, s.Updates.Single().Message));
            JsonElement book = JsonDocument.Parse(group[0].Updates[0].Payload).RootElement;
            Assert.Equal(depth, book.GetProperty("bids").GetArrayLength());
            Assert.Equal(depth, book.GetProperty("asks").GetArrayLength());
            Assert.False(book.GetProperty("snapshot").GetBoolean());

            // A client of this depth that applies the delta to an empty book holds exactly the checksum's book.
            var client = new BookClient(depth, decimals: 2);
            client.ApplyDelta(Levels(book.GetProperty("bids")), Levels(book.GetProperty("asks")), book.GetProperty("seq").GetInt64());
            Assert.Equal(book.GetProperty("checksum").GetUInt32(), client.Checksum);
        }

        Assert.Single(msgpack[0].Updates);
    }

    [Fact]
    public void Book_ChangeBelowADepthsWindow_SendsNothingToThatDepth()
    {
        _kit.FullBook(0, mid: 10_000, levels: 50);
        FakeSubscriber top = Subscribers(1, MarketChannel.Book, WireEncoding.Json, depth: 1)[0];
        FakeSubscriber deep = Subscribers(1, MarketChannel.Book, WireEncoding.Json, depth: 50)[0];

        // Level 30 of the bids changes size: invisible at depth 1.
        _kit.Book(0, (BookSide.Bid, 10_000 - 30, 555));

        Assert.Empty(top.Updates);
        JsonElement delta = JsonDocument.Parse(Assert.Single(deep.Updates).Payload).RootElement;
        Assert.Equal(1, delta.GetProperty("bids").GetArrayLength());
        Assert.Equal(0, delta.GetProperty("asks").GetArrayLength());
    }

    [Fact]
    public void Remove_StopsDelivery_OnlyForThatSubscriber()
    {
        FakeSubscriber[] subscribers = Subscribers(3, MarketChannel.Quote, WireEncoding.Json);

        Assert.True(_kit.Router.Remove(subscribers[1], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0)));
        Assert.False(_kit.Router.Remove(subscribers[1], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0)));
        _kit.Quote(0, bid: 10_000);

        Assert.Single(subscribers[0].Updates);
        Assert.Empty(subscribers[1].Updates);
        Assert.Single(subscribers[2].Updates);
        Assert.Equal(2, _kit.Router.CountSubscribers(0, MarketChannel.Quote));
    }

    [Fact]
    public void Update_CarriesOneClockReading_SharedByEverySubscriber()
    {
        FakeSubscriber[] subscribers = Subscribers(3, MarketChannel.Quote, WireEncoding.Json);
        long first = _kit.Clock.GetTimestamp();

        _kit.Quote(0, bid: 10_000);
        _kit.Clock.Advance(TimeSpan.FromMilliseconds(250));
        _kit.Quote(0, bid: 10_001);

        // maxRate spacing and the slow-consumer deadline are measured on this reading, taken once per update.
        long second = first + (250 * _kit.Clock.TimestampFrequency / 1000);
        Assert.All(subscribers, s => Assert.Equal([first, second], s.Timestamps));
    }

    [Fact]
    public void ThrowingSubscriber_DoesNotStopTheFanOut()
    {
        FakeSubscriber[] subscribers = Subscribers(3, MarketChannel.Quote, WireEncoding.Json);
        subscribers[0].Throw = true;

        _kit.Quote(0, bid: 10_000);

        Assert.Single(subscribers[1].Updates);
        Assert.Single(subscribers[2].Updates);
        Assert.Equal(1, _kit.Router.SubscriberErrors);
    }

    [Fact]
    public void Status_ReachesASubscriberOnce_EvenWhenItHoldsSeveralChannelsOfTheSymbol()
    {
        var session = _kit.NewSession();
        session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["quote","trade","book"]}""");
        session.Drain();

        _kit.Ingest.Process(MarketPush.Engine.Ingest.Tick.ForStatus(0, _kit.NextTimestamp(), FeedState.Halted));

        JsonElement status = Assert.Single(session.Drain());
        Assert.Equal("status", status.GetProperty("type").GetString());
        Assert.Equal("halted", status.GetProperty("state").GetString());
        Assert.Equal(1, _kit.Json.Statuses);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void CreateSnapshot_OfTheBook_CarriesTheTopLevelsAndTheirChecksum()
    {
        _kit.FullBook(1, mid: 20_000, levels: 30);
        Instrument instrument = _kit.Catalog[1];

        using var message = _kit.Router.CreateSnapshot(instrument, MarketChannel.Book, new WireVariant(WireEncoding.Json, deflate: false, 5), out long sequence);

        Assert.NotNull(message);
        Assert.Equal(1, sequence);
        JsonElement book = JsonDocument.Parse(RoutingTestKit.Payload(message.GetFrame(false)).ToArray()).RootElement;
        Assert.True(book.GetProperty("snapshot").GetBoolean());
        Assert.Equal(5, book.GetProperty("bids").GetArrayLength());
        Assert.Equal(199.99, book.GetProperty("bids")[0][0].GetDouble());
        Assert.Equal(200.01, book.GetProperty("asks")[0][0].GetDouble());
        var client = new BookClient(5, 2);
        client.ApplySnapshot(Levels(book.GetProperty("bids")), Levels(book.GetProperty("asks")), sequence);
        Assert.Equal(book.GetProperty("checksum").GetUInt32(), client.Checksum);
    }

    [Fact]
    public void CreateSnapshot_WithoutAValueYet_IsNull()
    {
        using var message = _kit.Router.CreateSnapshot(_kit.Catalog[0], MarketChannel.Trade, new WireVariant(WireEncoding.Json, deflate: false, 0), out long sequence);

        Assert.Null(message);
        Assert.Equal(0, sequence);
    }

    [Fact]
    public void FanOut_ToRealSessions_AllocatesNothingPerUpdate()
    {
        var sessions = new List<TestSession>();
        for (int i = 0; i < 50; i++)
        {
            TestSession session = _kit.NewSession(encoding: i % 2 == 0 ? WireEncoding.Json : WireEncoding.MessagePack);
            session.Subscribe("""{"op":"subscribe","symbols":["SYM0000"],"channels":["quote","book"],"depth":5}""");
            sessions.Add(session);
        }

        _kit.FullBook(0, mid: 10_000, levels: 20);
        var level = new (BookSide Side, long Price, long Size)[1];
        for (int warmup = 0; warmup < 200; warmup++)
        {
            PublishRound(warmup);
            DrainAll(sessions);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 500; round++)
        {
            PublishRound(round);
            DrainAll(sessions);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        _kit.AssertNoLeaks([.. sessions]);

        void PublishRound(int round)
        {
            _kit.Quote(0, bid: 10_000 + (round % 3));
            level[0] = (BookSide.Bid, 9_999, 100 + (round % 7));
            _kit.Book(0, level);
        }

        static void DrainAll(List<TestSession> sessions)
        {
            foreach (TestSession session in sessions)
            {
                while (session.Queue.TryDequeue(int.MaxValue, out MarketPush.Engine.Buffers.SharedFrame frame))
                {
                    frame.Release();
                }
            }
        }
    }

    public void Dispose() => _kit.Dispose();

    private FakeSubscriber[] Subscribers(int count, MarketChannel channel, WireEncoding encoding, int instrumentId = 0, int depth = 10)
    {
        var subscribers = new FakeSubscriber[count];
        for (int i = 0; i < count; i++)
        {
            subscribers[i] = new FakeSubscriber();
            _kit.Router.Add(subscribers[i], instrumentId, channel, new WireVariant(encoding, deflate: false, channel == MarketChannel.Book ? depth : 0));
        }

        return subscribers;
    }

    private static BookLevel[] Levels(JsonElement side) =>
        [.. side.EnumerateArray().Select(l => new BookLevel((long)Math.Round(l[0].GetDouble() * 100), l[1].GetInt64()))];
}
