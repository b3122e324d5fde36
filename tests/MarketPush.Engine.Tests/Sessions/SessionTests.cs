using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Buffers;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Sessions;

public sealed class SessionTests : IDisposable
{
    private readonly SessionTestKit _kit = new();

    [Fact]
    public void TryEnqueue_GivesEachSessionItsVariant_CompressedOrPlain()
    {
        Session deflate = _kit.NewSession(compression: true);
        Session plain = _kit.NewSession(compression: false);
        byte[] payload = new byte[1000];
        using (OutboundMessage message = _kit.Frames.CreateMessage(WebSocketOpcode.Text, payload))
        {
            Assert.Equal(EnqueueResult.Enqueued, deflate.TryEnqueue(message));
            Assert.Equal(EnqueueResult.Enqueued, plain.TryEnqueue(message));
        }

        ParsedFrame compressed = Assert.Single(SessionTestKit.Drain(deflate));
        ParsedFrame uncompressed = Assert.Single(SessionTestKit.Drain(plain));
        Assert.True(compressed.Rsv1);
        Assert.False(uncompressed.Rsv1);
        Assert.Equal(payload, ParsedFrame.Inflate(compressed.Payload));
        Assert.Equal(payload, uncompressed.Payload);
        _kit.AssertNoLeaks(deflate, plain);
    }

    [Fact]
    public void Close_QueuesOneCloseFrameWithTheReasonCode_AndTheFirstReasonWins()
    {
        Session session = _kit.NewSession();

        Assert.True(session.Close(DisconnectReasons.HeartbeatTimeout));
        Assert.False(session.Close(DisconnectReasons.ServerShutdown));

        Assert.Same(DisconnectReasons.HeartbeatTimeout, session.CloseReason);
        ParsedFrame close = Assert.Single(SessionTestKit.Drain(session));
        Assert.Equal(WebSocketOpcode.Close, close.Opcode);
        Assert.Equal(new byte[] { 0x0F, 0xA2 }, close.Payload[..2]); // 4002
        SharedFrame late = _kit.Frames.BuildFrame(WebSocketOpcode.Text, "late"u8);
        Assert.Equal(EnqueueResult.Closed, session.TryEnqueue(late));
        late.Release();
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Close_WithASharedFrame_QueuesThatFrameForEverySession()
    {
        Session[] sessions = [_kit.NewSession(), _kit.NewSession(WireEncoding.MessagePack), _kit.NewSession(compression: true)];
        SharedFrame shutdown = _kit.Frames.BuildCloseFrame(CloseCodes.GoingAway, "server shutting down");
        foreach (Session session in sessions)
        {
            session.Close(DisconnectReasons.ServerShutdown, shutdown);
        }

        Assert.Equal(1 + sessions.Length, shutdown.RefCount);
        shutdown.Release();
        foreach (Session session in sessions)
        {
            Assert.Equal(new byte[] { 0x03, 0xE9 }, Assert.Single(SessionTestKit.Drain(session)).Payload[..2]);
        }

        _kit.AssertNoLeaks(sessions);
    }

    [Fact]
    public void ConnectionLost_IsRecordedButNeverSentAsAFrame()
    {
        Session session = _kit.NewSession();

        session.Close(DisconnectReasons.ConnectionLost);

        Assert.Equal(DisconnectReasons.AbnormalClosureCode, session.CloseReason!.Code);
        Assert.Empty(SessionTestKit.Drain(session));
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Abort_ReachesTheAttachedTransport()
    {
        Session session = _kit.NewSession();
        var transport = new FakeTransport();
        session.AttachTransport(transport);

        session.Abort();

        Assert.Equal(1, transport.Aborts);
        Assert.Throws<InvalidOperationException>(() => session.AttachTransport(new FakeTransport()));
    }

    [Fact]
    public void CreateId_GivesDistinctHexIds()
    {
        HashSet<string> ids = [.. Enumerable.Range(0, 1000).Select(_ => Session.CreateId())];

        Assert.Equal(1000, ids.Count);
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}$", id));
    }

    public void Dispose() => _kit.Dispose();
}
