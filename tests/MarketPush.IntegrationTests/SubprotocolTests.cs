using System.Net.WebSockets;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

public sealed class SubprotocolTests
{
    [Theory]
    [InlineData("marketpush.v1.json", "marketpush.v1.json", "json")]
    [InlineData("marketpush.v1.msgpack", "marketpush.v1.msgpack", "msgpack")]
    [InlineData("chat.v2, marketpush.v1.msgpack", "marketpush.v1.msgpack", "msgpack")]
    [InlineData("chat.v2", null, "json")]
    [InlineData("chat.v2, graphql-ws", null, "json")]
    public async Task Subprotocol_ChoosesTheEncoding_AndAnswersOnlyAKnownOne(string offered, string? chosen, string encoding)
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync(protocol: offered);

        client.Handshake.Headers.TryGetValue("Sec-WebSocket-Protocol", out string? answered);
        Assert.Equal(chosen, answered);

        RawFrame welcome = await client.ReadFrameAsync(server.Token);
        if (encoding == "json")
        {
            Assert.Equal(WebSocketOpcode.Text, welcome.Opcode);
            Assert.Contains("\"encoding\":\"json\"", welcome.Text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(WebSocketOpcode.Binary, welcome.Opcode);
            Dictionary<string, object> map = MessagePackMap.Decode(welcome.Payload);
            Assert.Equal("welcome", map["type"]);
            Assert.Equal("msgpack", map["encoding"]);
        }
    }

    [Fact]
    public async Task MessagePackClient_GetsPongInMessagePack_ForAPingOp()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket client = await server.ConnectAsync(subprotocol: "marketpush.v1.msgpack");
        Assert.Equal("marketpush.v1.msgpack", client.SubProtocol);
        (WebSocketMessageType type, byte[] welcome, _) = await client.ReceiveMessageAsync(server.Token);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal("welcome", MessagePackMap.Decode(welcome)["type"]);

        // {"op":"ping","id":5}
        byte[] ping = [0x82, 0xA2, (byte)'o', (byte)'p', 0xA4, (byte)'p', (byte)'i', (byte)'n', (byte)'g', 0xA2, (byte)'i', (byte)'d', 0x05];
        await client.SendAsync(ping, WebSocketMessageType.Binary, true, server.Token);
        Dictionary<string, object> pong = await ReceiveNonHeartbeatMapAsync(client, server.Token);

        Assert.Equal("pong", pong["type"]);
        Assert.Equal(5L, pong["id"]);

        // A text frame on a MessagePack connection is a bad request, and the connection stays up.
        await client.SendTextAsync("""{"op":"ping"}""", server.Token);
        Assert.Equal("bad_request", (await ReceiveNonHeartbeatMapAsync(client, server.Token))["code"]);
        await client.SendAsync(ping, WebSocketMessageType.Binary, true, server.Token);
        Assert.Equal("pong", (await ReceiveNonHeartbeatMapAsync(client, server.Token))["type"]);
    }

    private static async Task<Dictionary<string, object>> ReceiveNonHeartbeatMapAsync(ClientWebSocket client, CancellationToken cancellationToken)
    {
        while (true)
        {
            (WebSocketMessageType type, byte[] data, _) = await client.ReceiveMessageAsync(cancellationToken);
            Assert.Equal(WebSocketMessageType.Binary, type);
            Dictionary<string, object> map = MessagePackMap.Decode(data);
            if (!Equals(map["type"], "heartbeat"))
            {
                return map;
            }
        }
    }
}
