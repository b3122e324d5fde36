using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

public sealed class LivenessAndCloseTests
{
    private const int HeartbeatMs = 200;

    [Fact]
    public async Task SilentClient_IsPingedAfterHeartbeat_AndClosedWith4002AfterTwo()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.HeartbeatMs = HeartbeatMs);
        using RawWebSocketClient client = await server.ConnectRawAsync();
        var clock = Stopwatch.StartNew();
        await client.ReadFrameAsync(server.Token); // welcome

        RawFrame ping = await client.ReadSignificantFrameAsync(server.Token, skipPings: false);
        long pingAt = clock.ElapsedMilliseconds;
        (ushort code, string reason, _) = await client.ReadCloseAsync(server.Token);
        long closeAt = clock.ElapsedMilliseconds;

        Assert.Equal(WebSocketOpcode.Ping, ping.Opcode);
        Assert.InRange(pingAt, HeartbeatMs - 50, 5 * HeartbeatMs);
        Assert.Equal(CloseCodes.HeartbeatTimeout, code);
        Assert.Contains("heartbeat", reason, StringComparison.Ordinal);
        Assert.InRange(closeAt, 2 * HeartbeatMs - 50, 10 * HeartbeatMs);

        // The client completes the handshake; the server then closes TCP and forgets the session.
        await client.SendFrameAsync(0x88, [0x0F, 0xA2], server.Token);
        Assert.True(await client.ServerClosedConnectionAsync(server.Token));
        await server.WaitForSessionCountAsync(0);
    }

    [Fact]
    public async Task ClientThatAnswersPings_StaysConnectedPastManyHeartbeats()
    {
        // A longer heartbeat than the other tests: the pong must beat the close by heartbeatMs/2 or so, and on a busy
        // two-core machine running the whole suite a 100 ms stall is possible.
        const int Heartbeat = 400;
        await using ServerScope server = await ServerScope.StartAsync(o => o.HeartbeatMs = Heartbeat);
        using RawWebSocketClient client = await server.ConnectRawAsync();
        await client.ReadFrameAsync(server.Token);
        var clock = Stopwatch.StartNew();
        int pings = 0;

        while (clock.ElapsedMilliseconds < 5 * Heartbeat)
        {
            RawFrame frame = await client.ReadFrameAsync(server.Token);
            Assert.NotEqual(WebSocketOpcode.Close, frame.Opcode);
            if (frame.Opcode == WebSocketOpcode.Ping)
            {
                pings++;
                await client.SendFrameAsync(0x8A, frame.Payload, server.Token);
            }
        }

        Assert.True(pings >= 2, $"expected a ping per silent interval, got {pings}");
        await client.SendTextAsync("""{"op":"ping","id":1}""", server.Token);
        RawFrame reply = await client.ReadSignificantFrameAsync(server.Token);
        Assert.Equal("pong", JsonDocument.Parse(reply.Payload).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task IdleConnection_GetsHeartbeatMessages_WhenNoDataWasSent()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.HeartbeatMs = HeartbeatMs);
        ClientWebSocket client = await server.ConnectAsync(); // answers pings by itself while receiving
        await client.ReceiveWelcomeAsync(server.Token);

        (WebSocketMessageType type, byte[] data, _) = await client.ReceiveMessageAsync(server.Token);

        JsonElement heartbeat = JsonDocument.Parse(data).RootElement;
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("heartbeat", heartbeat.GetProperty("type").GetString());
        Assert.True(heartbeat.GetProperty("ts").GetInt64() > 1_700_000_000_000_000);
    }

    [Fact]
    public async Task ClientInitiatedClose_IsEchoed_AndTheSessionEnds()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket client = await server.ConnectAsync();
        await client.ReceiveWelcomeAsync(server.Token);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", server.Token);

        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        await server.WaitForSessionCountAsync(0);
    }

    [Theory]
    [InlineData(new byte[] { 0x0B, 0xB8, (byte)'o', (byte)'k' }, new byte[] { 0x0B, 0xB8 })] // 3000 + reason → 3000
    [InlineData(new byte[] { 0x03, 0xE8 }, new byte[] { 0x03, 0xE8 })]                     // 1000 → 1000
    [InlineData(new byte[0], new byte[0])]                                                  // no code → empty close
    public async Task CloseFrame_IsAnsweredWithTheSameCode_ThenTheServerClosesTcp(byte[] sent, byte[] expected)
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync();
        await client.ReadFrameAsync(server.Token);

        await client.SendFrameAsync(0x88, sent, server.Token);
        (_, _, byte[] payload) = await client.ReadCloseAsync(server.Token);

        Assert.Equal(expected, payload);
        Assert.True(await client.ServerClosedConnectionAsync(server.Token));
        await server.WaitForSessionCountAsync(0);
    }

    [Fact]
    public async Task ClientThatVanishesWithoutClose_IsCleanedUp()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        RawWebSocketClient client = await server.ConnectRawAsync();
        await client.ReadFrameAsync(server.Token);
        await server.WaitForSessionCountAsync(1);

        client.Dispose();

        await server.WaitForSessionCountAsync(0);
    }

    [Fact]
    public async Task StopAsync_SendsGoingAwayToEveryClient_AndReturnsWhenTheyAnswer()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.ShutdownTimeoutMs = 20_000);
        ClientWebSocket[] clients =
        [
            await server.ConnectAsync(),
            await server.ConnectAsync(subprotocol: "marketpush.v1.msgpack"),
            await server.ConnectAsync(deflate: new WebSocketDeflateOptions()),
        ];
        foreach (ClientWebSocket client in clients)
        {
            await client.ReceiveMessageAsync(server.Token);
        }

        await server.WaitForSessionCountAsync(3);
        var clock = Stopwatch.StartNew();
        Task stop = server.Host.StopAsync();

        foreach (ClientWebSocket client in clients)
        {
            (WebSocketMessageType type, _, _) = await ReceiveSkippingHeartbeatsAsync(client, server.Token);
            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus); // 1001
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, server.Token);
        }

        await stop.WaitAsync(server.Token);
        Assert.True(clock.ElapsedMilliseconds < 10_000, "stop waited for the timeout although every client answered");
        Assert.Equal(0, server.Host.SessionCount);
    }

    [Fact]
    public async Task StopAsync_AbortsClientsThatNeverAnswer_AfterTheShutdownTimeout()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.ShutdownTimeoutMs = 300);
        using RawWebSocketClient silent = await server.ConnectRawAsync();
        await silent.ReadFrameAsync(server.Token);
        await server.WaitForSessionCountAsync(1);
        var clock = Stopwatch.StartNew();

        Task stop = server.Host.StopAsync();
        (ushort code, _, _) = await silent.ReadCloseAsync(server.Token);
        await stop.WaitAsync(server.Token);

        Assert.Equal(CloseCodes.GoingAway, code);
        Assert.InRange(clock.ElapsedMilliseconds, 250, 8_000);
        Assert.True(await silent.ServerClosedConnectionAsync(server.Token));
    }

    private static async Task<(WebSocketMessageType, byte[], int)> ReceiveSkippingHeartbeatsAsync(ClientWebSocket client, CancellationToken cancellationToken)
    {
        while (true)
        {
            (WebSocketMessageType type, byte[] data, int frames) = await client.ReceiveMessageAsync(cancellationToken);
            if (type == WebSocketMessageType.Close || !System.Text.Encoding.UTF8.GetString(data).Contains("heartbeat", StringComparison.Ordinal))
            {
                return (type, data, frames);
            }
        }
    }
}
