using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Buffers;
using MarketPush.Engine.Tests.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>An idle connection's liveness traffic over a scripted stream, driven tick by tick with a manual clock.</summary>
public sealed class ConnectionKeepAliveTests : IAsyncDisposable
{
    private const int HeartbeatMs = 1_000; // the keepalive interval is then 250 ms

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private readonly StreamServer _server;
    private readonly ScriptedStream _stream = new();
    private readonly Session _session;
    private readonly Task _run;

    public ConnectionKeepAliveTests()
    {
        _server = TestStreamServer.Create(new StreamOptions { HeartbeatMs = HeartbeatMs, CloseTimeoutMs = 500 }, _time);
        _session = new Session(Session.CreateId(), WireEncoding.Json, compression: false, new OutboundQueue(), _server.Frames);
        var connection = new Connection(new DefaultHttpContext(), _stream, _session, _server.ConnectionServices, deflate: false, NullLogger.Instance);
        _run = connection.RunAsync();
    }

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task IdleClientThatAnswersPings_GetsItsHeartbeatMessageTogetherWithThePing_OnePongPerCycle()
    {
        Assert.Equal(250, _server.KeepAlive.Interval.TotalMilliseconds);

        // First cycle: both fall due at one heartbeat after connecting.
        Assert.Equal(2, await AdvanceAndTickAsync(HeartbeatMs));
        Assert.Equal((1, 1), await SentSinceAsync(0, expectedFrames: 2));
        int seen = _stream.Writes.Length;

        // The client answers 10 ms later: its silence clock now runs 10 ms behind the data clock.
        _time.Advance(TimeSpan.FromMilliseconds(10));
        await _stream.SendFromClientAsync(ConnectionFrames.ClientFrame(0x8A, []));
        await _stream.WaitForAsync(s => s.ReadSizes.Length >= 3, Token);

        // One heartbeat later the message is due but the ping is 10 ms short: the message waits for the next tick...
        Assert.Equal(0, await AdvanceAndTickAsync(HeartbeatMs - 10)); // built nothing, so nothing can be written later
        Assert.Equal(seen, _stream.Writes.Length);

        // ...and leaves with the ping, so the client is woken once per cycle, not twice.
        Assert.Equal(2, await AdvanceAndTickAsync(250));
        Assert.Equal((1, 1), await SentSinceAsync(seen, expectedFrames: 2));
        Assert.Null(_session.CloseReason);
    }

    [Fact]
    public async Task ClientThatKeepsTalking_StillGetsHeartbeatMessages_OnTime()
    {
        // A client sending a frame every 200 ms is never pinged; its heartbeat messages must not wait for a ping.
        int seen = _stream.Writes.Length;
        long built = 0;
        for (int elapsed = 0; elapsed < HeartbeatMs; elapsed += 250)
        {
            _time.Advance(TimeSpan.FromMilliseconds(200));
            int reads = _stream.ReadSizes.Length;
            await _stream.SendFromClientAsync(ConnectionFrames.ClientFrame(0x8A, []));

            // The frame counts once the connection has read it and asked for more (its zero-byte read after the data
            // read); ticking before that, as a loaded machine allowed, saw 200 ms more silence than the client had.
            await _stream.WaitForAsync(s => s.ReadSizes.Length >= reads + 2, Token);
            built += await AdvanceAndTickAsync(50);
        }

        Assert.Equal(1, built);
        Assert.Equal((0, 1), await SentSinceAsync(seen, expectedFrames: 1));
    }

    public async ValueTask DisposeAsync()
    {
        _stream.CloseFromClient();
        await _run.WaitAsync(Token);
        Assert.True(_server.FramePool.Outstanding == 0, _server.FramePool.DescribeOutstanding());
        await _server.DisposeAsync();
        _timeout.Dispose();
    }

    /// <summary>
    /// Moves the clock and ticks; returns the frames the tick built. A tick runs on this thread and builds every ping
    /// and heartbeat message it queues (each a new pooled frame) before it returns, and nothing else in these tests
    /// rents a frame, so the count says exactly what the send loop will write: a test waits for those frames instead
    /// of sleeping to see whether more come.
    /// </summary>
    private async Task<long> AdvanceAndTickAsync(int milliseconds)
    {
        _time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        long rented = _server.FramePool.TotalRented;
        _server.KeepAlive.Tick();
        long built = _server.FramePool.TotalRented - rented;
        await Task.Yield();
        return built;
    }

    /// <summary>Waits for <paramref name="expectedFrames"/> frames written after the first <paramref name="writes"/> writes, and counts pings and heartbeat messages among them.</summary>
    private async Task<(int Pings, int Heartbeats)> SentSinceAsync(int writes, int expectedFrames)
    {
        await _stream.WaitForAsync(s => s.Writes.Skip(writes).Sum(w => ParsedFrame.ParseAll(w).Count) >= expectedFrames, Token);
        List<ParsedFrame> frames = [.. _stream.Writes.Skip(writes).SelectMany(w => ParsedFrame.ParseAll(w))];
        int pings = frames.Count(f => f.Opcode == WebSocketOpcode.Ping);
        int heartbeats = frames.Count(f => f.Opcode == WebSocketOpcode.Text && System.Text.Encoding.UTF8.GetString(f.Payload).Contains("\"type\":\"heartbeat\"", StringComparison.Ordinal));
        Assert.Equal(frames.Count, pings + heartbeats);
        return (pings, heartbeats);
    }

    private static class ConnectionFrames
    {
        /// <summary>A masked client frame with the given first byte (FIN + opcode).</summary>
        public static byte[] ClientFrame(byte firstByte, ReadOnlySpan<byte> payload)
        {
            var frame = new byte[FrameWriter.GetHeaderLength(payload.Length, masked: true) + payload.Length];
            FrameWriter.WriteFrame(frame, WebSocketOpcode.Binary, true, false, payload, 0x12345678);
            frame[0] = firstByte;
            return frame;
        }
    }
}
