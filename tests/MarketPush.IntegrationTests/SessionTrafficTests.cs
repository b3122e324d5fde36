using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

public sealed class SessionTrafficTests
{
    [Fact]
    public async Task PingOp_GetsPongWithTheIdAndTheCurrentTimeInMicroseconds()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket client = await server.ConnectAsync(subprotocol: "marketpush.v1.json");
        await client.ReceiveWelcomeAsync(server.Token);
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

        await client.SendTextAsync("""{"op":"ping","id":9007199254740991}""", server.Token);
        JsonElement pong = await client.ReceiveJsonAsync(server.Token);

        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + 1000;
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(9007199254740991, pong.GetProperty("id").GetInt64());
        Assert.InRange(pong.GetProperty("ts").GetInt64(), before, after);
    }

    [Fact]
    public async Task BadCommands_GetErrors_AndTheConnectionStaysUp()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket client = await server.ConnectAsync();
        await client.ReceiveWelcomeAsync(server.Token);

        await client.SendTextAsync("not json", server.Token);
        JsonElement badRequest = await client.ReceiveJsonAsync(server.Token);
        await client.SendTextAsync("""{"op":"fly","id":3}""", server.Token);
        JsonElement unknownOp = await client.ReceiveJsonAsync(server.Token);
        await client.SendAsync(Encoding.UTF8.GetBytes("""{"op":"ping"}"""), WebSocketMessageType.Binary, true, server.Token);
        JsonElement binaryOnJson = await client.ReceiveJsonAsync(server.Token);
        await client.SendTextAsync("""{"op":"ping","id":4}""", server.Token);
        JsonElement pong = await client.ReceiveJsonAsync(server.Token);

        Assert.Equal("bad_request", badRequest.GetProperty("code").GetString());
        Assert.Equal("unknown_op", unknownOp.GetProperty("code").GetString());
        Assert.Equal(3, unknownOp.GetProperty("id").GetInt32());
        Assert.Equal("bad_request", binaryOnJson.GetProperty("code").GetString());
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task FragmentedClientCommand_WithPingInterleaved_IsReassembledAndAnswered()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync();
        await client.ReadFrameAsync(server.Token);

        await client.SendFrameAsync(0x01, """{"op":"pi"""u8, server.Token);       // text, not final
        await client.SendFrameAsync(0x89, "mid"u8, server.Token);                // ping between fragments (§5.4)
        await client.SendFrameAsync(0x80, "ng\",\"id\":12}"u8, server.Token);   // final continuation

        RawFrame pong = await client.ReadSignificantFrameAsync(server.Token, skipPings: true);
        Assert.Equal(WebSocketOpcode.Pong, pong.Opcode);
        Assert.Equal("mid", pong.Text);
        RawFrame reply = await client.ReadSignificantFrameAsync(server.Token);
        Assert.Equal(12, JsonDocument.Parse(reply.Payload).RootElement.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Broadcast_ReachesEveryClientInOrder_ManyMessagesPerWrite()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket[] clients = [await server.ConnectAsync(), await server.ConnectAsync(), await server.ConnectAsync()];
        foreach (ClientWebSocket client in clients)
        {
            await client.ReceiveWelcomeAsync(server.Token);
        }

        await server.WaitForSessionCountAsync(clients.Length);
        for (int i = 0; i < 500; i++)
        {
            server.Host.BroadcastText($"{{\"n\":{i}}}");
        }

        foreach (ClientWebSocket client in clients)
        {
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal($"{{\"n\":{i}}}", await client.ReceiveTextAsync(server.Token));
            }
        }
    }

    [Fact]
    public async Task WebSocketPing_IsAnsweredWithAPongCarryingTheSamePayload()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync();
        await client.ReadFrameAsync(server.Token);
        byte[] payload = [.. Enumerable.Range(0, 125).Select(i => (byte)i)];

        await client.SendFrameAsync(0x89, payload, server.Token);
        await client.SendFrameAsync(0x89, [], server.Token);

        RawFrame first = await client.ReadSignificantFrameAsync(server.Token);
        RawFrame second = await client.ReadSignificantFrameAsync(server.Token);
        Assert.Equal(WebSocketOpcode.Pong, first.Opcode);
        Assert.Equal(payload, first.Payload);
        Assert.Equal(WebSocketOpcode.Pong, second.Opcode);
        Assert.Empty(second.Payload);
    }

    [Fact]
    public async Task UnsolicitedPong_IsIgnored()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync();
        await client.ReadFrameAsync(server.Token);

        await client.SendFrameAsync(0x8A, "unsolicited"u8, server.Token);
        await client.SendTextAsync("""{"op":"ping","id":1}""", server.Token);

        RawFrame reply = await client.ReadSignificantFrameAsync(server.Token);
        Assert.Equal("pong", JsonDocument.Parse(reply.Payload).RootElement.GetProperty("type").GetString());
    }
}
