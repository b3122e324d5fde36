using System.Text;
using System.Text.Json;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>The command handler with market data attached: lazy per-session state, limits, teardown.</summary>
public sealed class MarketCommandHandlerTests : IDisposable
{
    private readonly RoutingTestKit _kit = new(instruments: 4, slowConsumerMs: 500);
    private readonly CommandHandler _handler;

    public MarketCommandHandlerTests()
    {
        var limits = new SessionLimits { SlowConsumerMs = 500, MaxErrorReplies = 3, ErrorWindowMs = 10_000, MaxCommandsPerSecond = 1, CommandBurst = 3 };
        _handler = new CommandHandler(
            new ServerMessages(_kit.Frames, 15_000, _kit.Clock),
            new SubscriptionCommands(_kit.Router, _kit.Frames, _kit.Wheel, limits, metrics: null, _kit.Totals),
            timeProvider: _kit.Clock);
    }

    [Fact]
    public void Subscribe_CreatesTheSessionsMarketStateOnFirstUse_AndEndSessionTakesItAllBack()
    {
        _kit.Quote(0, bid: 10_000);
        Session session = NewSession();
        Send(session, """{"op":"ping","id":1}""");
        Assert.Null(session.Subscriptions); // a connection that never subscribes holds no market-data state

        Send(session, """{"op":"subscribe","id":2,"symbols":["SYM0000"],"channels":["quote","book"],"maxRate":1}""");
        _kit.Quote(0, bid: 10_001); // held by maxRate: the snapshot was this second's message
        _kit.Quote(0, bid: 10_002); // replaces it

        Assert.NotNull(session.Subscriptions);
        Assert.Equal(["pong", "subscribed", "quote"], Types(Drain(session)));
        Assert.Equal(1, session.Subscriptions.Updates.RateWaitCount);
        Assert.Equal(1, _kit.Router.CountSubscribers(0, MarketChannel.Quote));

        _handler.EndSession(session);
        _handler.EndSession(session);

        Assert.Equal(0, _kit.Router.CountSubscribers(0, MarketChannel.Quote));
        Assert.Equal(0, _kit.Router.CountSubscribers(0, MarketChannel.Book));
        session.Queue.Complete();
        Assert.True(_kit.Pool.Outstanding == 0, _kit.Pool.DescribeOutstanding());
    }

    [Fact]
    public void SymbolsOp_NeedsNoSubscriptionState()
    {
        Session session = NewSession(WireEncoding.MessagePack);

        _handler.Handle(session, WebSocketOpcode.Binary, [0x82, 0xA2, (byte)'o', (byte)'p', 0xA7, .. "symbols"u8, 0xA2, (byte)'i', (byte)'d', 0x07]);

        Assert.Null(session.Subscriptions);
        Assert.True(session.Queue.TryDequeue(int.MaxValue, out SharedFrame frame));
        Assert.Equal(0x82, frame.Bytes[0]); // FIN + binary
        frame.Release();
        session.Queue.Complete();
    }

    [Fact]
    public void MoreErrorRepliesThanAllowed_ClosesWith1008_BehindTheRepliesThatExplainIt()
    {
        Session session = NewSession();

        for (int i = 0; i < 4; i++)
        {
            Send(session, $$"""{"op":"nope","id":{{i}}}""");
        }

        var frames = new List<SharedFrame>();
        while (session.Queue.TryDequeue(int.MaxValue, out SharedFrame frame))
        {
            frames.Add(frame);
        }

        Assert.Equal(5, frames.Count);
        Assert.All(frames.Take(4), f => Assert.False(f.IsControl));
        Assert.True(frames[4].IsClose);
        Assert.Equal(CloseCodes.PolicyViolation, (ushort)((frames[4].Bytes[2] << 8) | frames[4].Bytes[3]));
        Assert.Equal(CloseCodes.PolicyViolation, session.CloseReason!.Code);
        frames.ForEach(f => f.Release());
        session.Queue.Complete();
    }

    [Fact]
    public void CommandsBeyondTheRate_GetRateLimited_WithTheirId_AndAreNotExecuted()
    {
        Session session = NewSession();

        for (int i = 0; i < 4; i++)
        {
            Send(session, $$"""{"op":"subscribe","id":{{i}},"symbols":["SYM000{{i}}"],"snapshot":false}""");
        }

        List<JsonElement> replies = Drain(session);
        Assert.Equal(["subscribed", "subscribed", "subscribed", "error"], Types(replies));
        Assert.Equal("rate_limited", replies[3].GetProperty("code").GetString());
        Assert.Equal(3, replies[3].GetProperty("id").GetInt64());
        Assert.False(session.Subscriptions!.TryGet(3, MarketChannel.Quote, out _));

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(1_000));
        Send(session, """{"op":"ping","id":9}""");
        Assert.Equal(["pong"], Types(Drain(session)));
        _handler.EndSession(session);
        session.Queue.Complete();
    }

    [Fact]
    public async Task SlowConsumer_IsClosedWith4001_AndLeavesTheRouterWithoutWaitingForItsConnectionToEnd()
    {
        Session session = NewSession(queueFrames: 2);
        Send(session, """{"op":"subscribe","symbols":["SYM0000","SYM0001"],"snapshot":false}""");
        _kit.Quote(0, bid: 10_000); // with the reply, the queue is full
        _kit.Quote(1, bid: 20_000); // held

        _kit.Clock.Advance(TimeSpan.FromMilliseconds(501));
        _kit.Quote(1, bid: 20_001);

        Assert.Equal(CloseCodes.SlowConsumer, session.CloseReason!.Code);
        await Eventually.WaitUntilAsync(() => _kit.Router.CountSubscribers(1, MarketChannel.Quote) == 0, "the closed session left the router", TimeSpan.FromSeconds(10));

        Assert.Equal(0, _kit.Router.CountSubscribers(0, MarketChannel.Quote));
        session.Queue.Complete();
        Assert.True(_kit.Pool.Outstanding == 0, _kit.Pool.DescribeOutstanding());
    }

    public void Dispose() => _kit.Dispose();

    private Session NewSession(WireEncoding encoding = WireEncoding.Json, int queueFrames = 1024) =>
        new(Session.CreateId(), encoding, compression: false, new OutboundQueue(queueFrames), _kit.Frames);

    private void Send(Session session, string json) => _handler.Handle(session, WebSocketOpcode.Text, Encoding.UTF8.GetBytes(json));

    private static List<JsonElement> Drain(Session session)
    {
        var messages = new List<JsonElement>();
        while (session.Queue.TryDequeue(int.MaxValue, out SharedFrame frame))
        {
            messages.Add(JsonDocument.Parse(RoutingTestKit.Payload(frame).ToArray()).RootElement.Clone());
            frame.Release();
        }

        return messages;
    }

    private static List<string?> Types(List<JsonElement> messages) => [.. messages.Select(m => m.GetProperty("type").GetString())];
}
