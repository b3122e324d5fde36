using System.Text.Json;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Buffers;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>Builds sessions without sockets and reads back what they queued.</summary>
internal sealed class SessionTestKit : IDisposable
{
    public SessionTestKit(int compressionThresholdBytes = 256)
    {
        Pool = new FramePool();
        Frames = new FrameBuilder(Pool, compressionThresholdBytes);
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 11, 22, 0, 0, 0, TimeSpan.Zero));
        Messages = new ServerMessages(Frames, heartbeatMs: 15_000, Time);
        Commands = new CommandHandler(Messages);
    }

    public FramePool Pool { get; }

    public FrameBuilder Frames { get; }

    public FakeTimeProvider Time { get; }

    public ServerMessages Messages { get; }

    public CommandHandler Commands { get; }

    public Session NewSession(WireEncoding encoding = WireEncoding.Json, bool compression = false, OutboundQueue? queue = null) =>
        new(Session.CreateId(), encoding, compression, queue ?? new OutboundQueue(), Frames);

    /// <summary>Dequeues everything the send loop would write, as parsed frames.</summary>
    public static List<ParsedFrame> Drain(Session session)
    {
        var frames = new List<ParsedFrame>();
        while (session.Queue.TryDequeue(int.MaxValue, out SharedFrame frame))
        {
            frames.AddRange(ParsedFrame.ParseAll(frame.Bytes));
            frame.Release();
        }

        return frames;
    }

    public static JsonElement Json(ParsedFrame frame)
    {
        Assert.Equal(MarketPush.Protocol.WebSockets.WebSocketOpcode.Text, frame.Opcode);
        return JsonDocument.Parse(frame.Payload).RootElement.Clone();
    }

    /// <summary>Asserts all sessions' frames came back to the pool.</summary>
    public void AssertNoLeaks(params Session[] sessions)
    {
        foreach (Session session in sessions)
        {
            session.Queue.Complete();
        }

        Assert.True(Pool.Outstanding == 0, Pool.DescribeOutstanding());
        Assert.Equal(0, Pool.DoubleReleases);
    }

    public void Dispose() => Frames.Dispose();
}
