using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

public sealed class CompressionTests
{
    private static readonly string s_large = "{\"type\":\"symbols\",\"symbols\":[" +
        string.Join(',', Enumerable.Range(0, 40).Select(i => $"{{\"symbol\":\"SYM{i}\",\"decimals\":2}}")) + "]}";

    private static readonly string s_small = "{\"type\":\"quote\",\"symbol\":\"AAPL\",\"bid\":189.21}";

    private static WebSocketDeflateOptions DeflateOptions => new() { ClientContextTakeover = false, ServerContextTakeover = false };

    [Fact]
    public async Task ClientWebSocketWithDeflate_Negotiates_AndReadsCompressedAndPlainBroadcasts()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket first = await server.ConnectAsync(deflate: DeflateOptions);
        ClientWebSocket second = await server.ConnectAsync(deflate: new WebSocketDeflateOptions()); // context takeover offered: server still answers no_context_takeover
        ClientWebSocket plain = await server.ConnectAsync();

        string extensions = string.Join(", ", first.HttpResponseHeaders!["Sec-WebSocket-Extensions"]);
        Assert.Contains("permessage-deflate", extensions, StringComparison.Ordinal);
        Assert.Contains("server_no_context_takeover", extensions, StringComparison.Ordinal);
        Assert.True((await first.ReceiveWelcomeAsync(server.Token)).GetProperty("compression").GetBoolean());
        Assert.True((await second.ReceiveWelcomeAsync(server.Token)).GetProperty("compression").GetBoolean());
        Assert.False((await plain.ReceiveWelcomeAsync(server.Token)).GetProperty("compression").GetBoolean());
        await server.WaitForSessionCountAsync(3);

        server.Host.BroadcastText(s_large);
        server.Host.BroadcastText(s_small);

        foreach (ClientWebSocket client in new[] { first, second, plain })
        {
            Assert.Equal(s_large, await client.ReceiveTextAsync(server.Token));
            Assert.Equal(s_small, await client.ReceiveTextAsync(server.Token));
        }

        // Two deflate sessions, one compression: the compressed frame is built once and shared.
        Assert.Equal(1, server.Host.Stream.Frames.CompressionCount);
    }

    [Fact]
    public async Task MetricsScrape_CountsOneCompressionPerMessage_NotPerDeflateSession()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket[] clients = [await server.ConnectAsync(deflate: DeflateOptions), await server.ConnectAsync(deflate: DeflateOptions)];
        foreach (ClientWebSocket client in clients)
        {
            await client.ReceiveWelcomeAsync(server.Token);
        }

        await server.WaitForSessionCountAsync(2);
        server.Host.BroadcastText(s_large);
        foreach (ClientWebSocket client in clients)
        {
            Assert.Equal(s_large, await client.ReceiveTextAsync(server.Token));
        }

        HttpResult scrape = await RawWebSocketClient.SendHttpAsync(
            server.Host.Port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", server.Token);
        string line = scrape.Body.Split('\n').Single(l => l.StartsWith("marketpush_compression_messages_total ", StringComparison.Ordinal));
        Assert.Equal("marketpush_compression_messages_total 1", line.Trim());
        Assert.Contains($"marketpush_compression_input_bytes_total {Encoding.UTF8.GetByteCount(s_large)}", scrape.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeflateSession_GetsRsv1AtOrOverTheThreshold_AndPlainFramesBelowIt()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync(extensions: "permessage-deflate; client_max_window_bits");
        Assert.Contains("permessage-deflate", client.Handshake.Headers["Sec-WebSocket-Extensions"], StringComparison.Ordinal);
        await client.ReadFrameAsync(server.Token); // welcome

        server.Host.BroadcastText(s_large);
        server.Host.BroadcastText(s_small);
        RawFrame large = await client.ReadSignificantFrameAsync(server.Token);
        RawFrame small = await client.ReadSignificantFrameAsync(server.Token);

        Assert.True(large.Rsv1);
        Assert.True(large.Payload.Length < Encoding.UTF8.GetByteCount(s_large));
        Assert.Equal(s_large, Encoding.UTF8.GetString(DeflateHelper.Inflate(large.Payload)));
        Assert.False(small.Rsv1);
        Assert.Equal(s_small, small.Text);
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=10")]
    [InlineData("permessage-deflate; unknown_param")]
    [InlineData("x-webkit-deflate-frame")]
    public async Task OfferTheServerCannotHonour_IsDeclined_AndTheConnectionGoesOnUncompressed(string offer)
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync(extensions: offer);

        Assert.False(client.Handshake.Headers.ContainsKey("Sec-WebSocket-Extensions"));
        RawFrame welcome = await client.ReadFrameAsync(server.Token);
        Assert.False(JsonDocument.Parse(welcome.Payload).RootElement.GetProperty("compression").GetBoolean());
        server.Host.BroadcastText(s_large);
        RawFrame large = await client.ReadSignificantFrameAsync(server.Token);
        Assert.False(large.Rsv1);
        Assert.Equal(s_large, large.Text);
    }

    [Fact]
    public async Task CompressedClientCommand_IsInflatedAndAnswered()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync(extensions: "permessage-deflate");
        await client.ReadFrameAsync(server.Token);

        byte[] compressed = DeflateHelper.Compress(Encoding.UTF8.GetBytes("""{"op":"ping","id":77}"""));
        await client.SendFrameAsync(0xC1, compressed, server.Token); // FIN + RSV1 + text
        RawFrame pong = await client.ReadSignificantFrameAsync(server.Token);

        JsonElement json = JsonDocument.Parse(pong.Rsv1 ? DeflateHelper.Inflate(pong.Payload) : pong.Payload).RootElement;
        Assert.Equal("pong", json.GetProperty("type").GetString());
        Assert.Equal(77, json.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task FragmentedBroadcast_ArrivesAsContinuationFrames_PlainAndCompressed()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient plain = await server.ConnectRawAsync();
        using RawWebSocketClient deflate = await server.ConnectRawAsync(extensions: "permessage-deflate");
        ClientWebSocket library = await server.ConnectAsync(deflate: DeflateOptions);
        await plain.ReadFrameAsync(server.Token);
        await deflate.ReadFrameAsync(server.Token);
        await library.ReceiveWelcomeAsync(server.Token);
        await server.WaitForSessionCountAsync(3);

        server.Host.BroadcastText(s_large, fragmentBytes: 100);

        List<RawFrame> plainFrames = await ReadMessageFramesAsync(plain, server.Token);
        Assert.True(plainFrames.Count >= 10);
        Assert.Equal(WebSocketOpcode.Text, plainFrames[0].Opcode);
        Assert.All(plainFrames.Skip(1), f => Assert.Equal(WebSocketOpcode.Continuation, f.Opcode));
        Assert.All(plainFrames.SkipLast(1), f => Assert.False(f.Fin));
        Assert.All(plainFrames, f => Assert.False(f.Rsv1));
        Assert.Equal(s_large, Encoding.UTF8.GetString([.. plainFrames.SelectMany(f => f.Payload)]));

        List<RawFrame> deflateFrames = await ReadMessageFramesAsync(deflate, server.Token);
        Assert.True(deflateFrames[0].Rsv1);
        Assert.All(deflateFrames.Skip(1), f => Assert.False(f.Rsv1));
        Assert.Equal(s_large, Encoding.UTF8.GetString(DeflateHelper.Inflate([.. deflateFrames.SelectMany(f => f.Payload)])));

        (WebSocketMessageType type, byte[] data, _) = await library.ReceiveMessageAsync(server.Token);
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal(s_large, Encoding.UTF8.GetString(data));
    }

    private static async Task<List<RawFrame>> ReadMessageFramesAsync(RawWebSocketClient client, CancellationToken cancellationToken)
    {
        var frames = new List<RawFrame>();
        while (true)
        {
            RawFrame frame = await client.ReadSignificantFrameAsync(cancellationToken);
            frames.Add(frame);
            if (frame.Fin)
            {
                return frames;
            }
        }
    }
}
