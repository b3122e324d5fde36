using System.Buffers.Binary;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Buffers;
using MarketPush.Engine.Tests.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>The connection's loops over a scripted stream (no Kestrel, no sockets): what it reads, writes and when.</summary>
public sealed class ConnectionTests : IAsyncDisposable
{
    private const int HeartbeatMs = 1_000;

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private readonly StreamServer _server;
    private readonly ScriptedStream _stream = new();
    private readonly Session _session;
    private readonly Connection _connection;
    private readonly Task _run;

    public ConnectionTests()
    {
        _server = TestStreamServer.Create(new StreamOptions { HeartbeatMs = HeartbeatMs, CloseTimeoutMs = 500 }, _time);
        _session = new Session(Session.CreateId(), WireEncoding.Json, compression: false, new OutboundQueue(), _server.Frames);
        _connection = new Connection(new DefaultHttpContext(), _stream, _session, _server.ConnectionServices, deflate: false, NullLogger.Instance);
        _run = _connection.RunAsync();
    }

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task IdleConnection_WaitsWithAZeroByteRead_AndHoldsNoReceiveBuffer()
    {
        await _stream.WaitForIdleReadAsync(Token); // one read can be pending at a time, so this is the idle loop's only read

        Assert.Equal([0], _stream.ReadSizes); // one pending read, of nothing: no buffer rented while idle

        await _stream.SendFromClientAsync(RawFrame(0x89, "hi"u8)); // a ping
        await _stream.WaitForAsync(s => s.Writes.Length >= 1, Token);
        await _stream.WaitForAsync(s => s.ReadSizes.Length >= 3, Token);

        int[] reads = _stream.ReadSizes;
        Assert.Equal(0, reads[0]);
        Assert.True(reads[1] > 0, "after data arrived the loop rents a buffer and reads");
        Assert.Equal(0, reads[2]); // and goes back to waiting without one
        ParsedFrame pong = ParsedFrame.ParseSingle(_stream.Writes[0]);
        Assert.Equal(WebSocketOpcode.Pong, pong.Opcode);
        Assert.Equal("hi"u8.ToArray(), pong.Payload);
    }

    [Fact]
    public async Task FrameReader_IsLentOnlyWhileAMessageIsInFlight()
    {
        Assert.False(_connection.HoldsFrameReader); // idle since the handshake: no reader at all

        await _stream.SendFromClientAsync(RawFrame(0x89, "a"u8)); // a whole ping
        await _stream.WaitForAsync(s => s.Writes.Length >= 1, Token);
        await _stream.WaitForIdleReadAsync(Token);
        Assert.False(_connection.HoldsFrameReader);

        byte[] first = RawFrame(0x01, "{\"op\":"u8);              // text fragment, FIN clear: a message is open
        await _stream.SendFromClientAsync(first);
        await _stream.SendFromClientAsync(RawFrame(0x89, "b"u8));  // a ping between the fragments (§5.4)
        await _stream.WaitForAsync(s => s.Writes.Length >= 2, Token);
        await _stream.WaitForIdleReadAsync(Token);
        Assert.True(_connection.HoldsFrameReader);

        await _stream.SendFromClientAsync(RawFrame(0x80, "\"ping\",\"id\":7}"u8)); // final fragment
        await _stream.WaitForAsync(s => s.Writes.Length >= 3, Token);
        await _stream.WaitForIdleReadAsync(Token);
        Assert.False(_connection.HoldsFrameReader);

        byte[] split = RawFrame(0x89, "cc"u8);
        await _stream.SendFromClientAsync(split[..3]);              // half a header: nothing consumed yet
        await _stream.WaitForIdleReadAsync(Token);
        await _stream.SendFromClientAsync(split[3..7]);             // header and one payload byte consumed
        await _stream.WaitForIdleReadAsync(Token);
        Assert.True(_connection.HoldsFrameReader);
        await _stream.SendFromClientAsync(split[7..]);
        await _stream.WaitForAsync(s => s.Writes.Length >= 4, Token);

        List<ParsedFrame> frames = [.. _stream.Writes.SelectMany(w => ParsedFrame.ParseAll(w))];
        Assert.Equal(WebSocketOpcode.Pong, frames[0].Opcode);
        Assert.Equal("b"u8.ToArray(), frames[1].Payload);           // the interleaved ping was answered
        Assert.Contains("\"pong\"", System.Text.Encoding.UTF8.GetString(frames[2].Payload), StringComparison.Ordinal);
        Assert.Equal("cc"u8.ToArray(), frames[3].Payload);
    }

    [Fact]
    public async Task FramesQueuedDuringAWrite_GoOutTogetherInTheNextSingleWrite()
    {
        _stream.WriteGate = new SemaphoreSlim(0);
        using (OutboundMessage first = _server.Frames.CreateMessage(WebSocketOpcode.Text, "first"u8))
        {
            _session.TryEnqueue(first);
        }

        await _stream.WaitForAsync(s => s.Writes.Length == 1, Token); // the loop is now inside that write
        for (int i = 0; i < 100; i++)
        {
            using OutboundMessage message = _server.Frames.CreateMessage(WebSocketOpcode.Text, BitConverter.GetBytes(i));
            _session.TryEnqueue(message);
        }

        _stream.WriteGate.Release(10);
        await _stream.WaitForAsync(s => s.Writes.Sum(w => ParsedFrame.ParseAll(w).Count) >= 101, Token); // all frames out: now count the writes

        Assert.Equal(2, _stream.Writes.Length);
        List<ParsedFrame> batch = ParsedFrame.ParseAll(_stream.Writes[1]);
        Assert.Equal(100, batch.Count);
        Assert.Equal(Enumerable.Range(0, 100), batch.Select(f => BitConverter.ToInt32(f.Payload)));
    }

    [Fact]
    public async Task SilentClient_IsPingedAtOneHeartbeat_AndClosedWith4002AtTwo()
    {
        // A tick runs on this thread and builds any ping it queues (a new pooled frame) before it returns, so the pool's
        // rent count says whether it queued one: no sleep to see whether a ping turns up.
        long rented = _server.FramePool.TotalRented;
        _time.Advance(TimeSpan.FromMilliseconds(HeartbeatMs - 1));
        _server.KeepAlive.Tick();
        Assert.Equal(rented, _server.FramePool.TotalRented);
        Assert.DoesNotContain(_stream.Writes, IsPing);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _server.KeepAlive.Tick();
        long afterDueTick = _server.FramePool.TotalRented;
        Assert.True(afterDueTick > rented, "the due tick built its ping (and heartbeat message): the count above can see one");
        _server.KeepAlive.Tick(); // one ping per silent stretch, not one per tick
        Assert.Equal(afterDueTick, _server.FramePool.TotalRented);
        await _stream.WaitForAsync(s => s.Writes.Any(IsPing), Token);

        _time.Advance(TimeSpan.FromMilliseconds(HeartbeatMs));
        _server.KeepAlive.Tick();
        await _stream.WaitForAsync(s => s.Writes.Any(IsClose), Token);

        // Counted once the close is out: a second ping from the double tick was queued before it, so it would be written by now.
        Assert.Single(_stream.Writes.SelectMany(w => ParsedFrame.ParseAll(w)), f => f.Opcode == WebSocketOpcode.Ping);

        ParsedFrame close = _stream.Writes.SelectMany(w => ParsedFrame.ParseAll(w)).Single(f => f.Opcode == WebSocketOpcode.Close);
        Assert.Equal(CloseCodes.HeartbeatTimeout, BinaryPrimitives.ReadUInt16BigEndian(close.Payload));
        Assert.Same(DisconnectReasons.HeartbeatTimeout, _session.CloseReason);
    }

    [Fact]
    public async Task LateTimerTick_PingsFirst_InsteadOfClosingAClientThatWasNeverAsked()
    {
        _time.Advance(TimeSpan.FromMilliseconds(HeartbeatMs * 3)); // the timer stalled for three intervals
        _server.KeepAlive.Tick();
        await _stream.WaitForAsync(s => s.Writes.Any(IsPing), Token);
        Assert.Null(_session.CloseReason);

        _time.Advance(TimeSpan.FromMilliseconds(HeartbeatMs / 2)); // the client had half an interval to answer
        _server.KeepAlive.Tick();

        Assert.Same(DisconnectReasons.HeartbeatTimeout, _session.CloseReason);
    }

    [Fact]
    public async Task AnyFrameFromTheClient_ResetsTheSilenceClock()
    {
        _time.Advance(TimeSpan.FromMilliseconds(HeartbeatMs * 3 / 2));
        await _stream.SendFromClientAsync(RawFrame(0x8A, []));      // an unsolicited pong
        await _stream.WaitForAsync(s => s.ReadSizes.Length >= 3, Token);

        _time.Advance(TimeSpan.FromMilliseconds(HeartbeatMs * 3 / 2)); // 3 intervals since connect, 1.5 since the pong
        _server.KeepAlive.Tick();
        await _stream.WaitForAsync(s => s.Writes.Any(IsPing), Token);

        Assert.Null(_session.CloseReason);
    }

    [Fact]
    public async Task UnansweredServerClose_IsAbortedAfterTheCloseTimeout()
    {
        _session.Close(DisconnectReasons.ServerShutdown);
        await _stream.WaitForAsync(s => s.Writes.Any(IsClose), Token);

        _server.KeepAlive.Tick();                        // notes when closing began
        _time.Advance(TimeSpan.FromMilliseconds(501));
        _server.KeepAlive.Tick();                        // past the 500 ms close timeout

        await _run.WaitAsync(Token);
        Assert.Equal(0, _server.Sessions.Count);
    }

    public async ValueTask DisposeAsync()
    {
        _stream.WriteGate?.Release(1000);
        _stream.CloseFromClient();
        await _run.WaitAsync(Token);
        Assert.True(_server.FramePool.Outstanding == 0, _server.FramePool.DescribeOutstanding());
        Assert.Equal(0, _server.FramePool.DoubleReleases);
        await _server.DisposeAsync();
        _timeout.Dispose();
    }

    private static bool IsPing(byte[] write) => ParsedFrame.ParseAll(write).Any(f => f.Opcode == WebSocketOpcode.Ping);

    private static bool IsClose(byte[] write) => ParsedFrame.ParseAll(write).Any(f => f.Opcode == WebSocketOpcode.Close);

    private static byte[] RawFrame(byte firstByte, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[FrameWriter.GetHeaderLength(payload.Length, masked: true) + payload.Length];
        FrameWriter.WriteFrame(frame, WebSocketOpcode.Binary, true, false, payload, 0x12345678);
        frame[0] = firstByte;
        return frame;
    }
}
