using System.Net.WebSockets;
using System.Text.Json;

namespace MarketPush.IntegrationTests;

public sealed class HandshakeTests
{
    private const string Key = RawWebSocketClient.SampleKey;

    [Fact]
    public async Task Upgrade_Answers101WithTheRfcAcceptKey_AndSendsWelcomeFirst()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync();

        HttpResult response = client.Handshake;
        Assert.Equal(RawWebSocketClient.SampleAccept, response.Headers["Sec-WebSocket-Accept"]);
        Assert.Equal("websocket", response.Headers["Upgrade"], ignoreCase: true);
        Assert.Contains("upgrade", response.Headers["Connection"], StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.ContainsKey("Sec-WebSocket-Protocol"));
        Assert.False(response.Headers.ContainsKey("Sec-WebSocket-Extensions"));

        RawFrame first = await client.ReadFrameAsync(server.Token);
        Assert.Equal(MarketPush.Protocol.WebSockets.WebSocketOpcode.Text, first.Opcode);
        JsonElement welcome = JsonDocument.Parse(first.Payload).RootElement;
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal("json", welcome.GetProperty("encoding").GetString());
        Assert.False(welcome.GetProperty("compression").GetBoolean());
    }

    [Fact]
    public async Task ClientWebSocket_Connects_AndGetsAWelcomeWithEveryField()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.HeartbeatMs = 12_345);
        ClientWebSocket client = await server.ConnectAsync();

        JsonElement welcome = await client.ReceiveWelcomeAsync(server.Token);

        Assert.Matches("^[0-9a-f]{16}$", welcome.GetProperty("session").GetString());
        Assert.StartsWith("marketpush/", welcome.GetProperty("server").GetString(), StringComparison.Ordinal);
        Assert.Equal(12_345, welcome.GetProperty("heartbeatMs").GetInt32());
        Assert.Equal("json", welcome.GetProperty("encoding").GetString());
        Assert.False(welcome.GetProperty("compression").GetBoolean());
        Assert.Equal(1, server.Host.SessionCount);
    }

    public static TheoryData<string, string, int, string> BadHandshakes => new()
    {
        { "missing key", Request(key: null), 400, "Sec-WebSocket-Key" },
        { "key not base64", Request(key: "not base64!!"), 400, "Sec-WebSocket-Key" },
        { "key of 15 bytes", Request(key: Convert.ToBase64String(new byte[15])), 400, "Sec-WebSocket-Key" },
        { "missing upgrade", Request(upgrade: null), 400, "Upgrade" },
        { "upgrade to h2c", Request(upgrade: "h2c"), 400, "Upgrade" },
        { "connection keep-alive", Request(connection: "keep-alive"), 400, "Connection" },
        { "missing connection", Request(connection: null), 400, "Connection" },
        { "version 8", Request(version: "8"), 426, "" },
        { "missing version", Request(version: null), 400, "Sec-WebSocket-Version" },
        { "POST", Request(method: "POST", extra: "Content-Length: 0\r\n"), 405, "" },
        { "PUT", Request(method: "PUT", extra: "Content-Length: 0\r\n"), 405, "" },
    };

    [Theory]
    [MemberData(nameof(BadHandshakes))]
    public async Task BadHandshake_IsRefusedWithTheRightStatus_AndNoUpgrade(string name, string request, int status, string reasonMentions)
    {
        await using ServerScope server = await ServerScope.StartAsync();

        HttpResult response = await RawWebSocketClient.SendHttpAsync(server.Host.Port, request, server.Token);

        Assert.True(status == response.StatusCode, $"{name}: expected {status}, got {response.StatusCode} ({response.Body})");
        Assert.False(response.Headers.ContainsKey("Sec-WebSocket-Accept"));
        Assert.Contains(reasonMentions, response.Body, StringComparison.OrdinalIgnoreCase);
        if (status == 426)
        {
            Assert.Equal("13", response.Headers["Sec-WebSocket-Version"]);
        }

        if (status == 405)
        {
            Assert.Contains("GET", response.Headers["Allow"], StringComparison.Ordinal);
        }

        Assert.Equal(0, server.Host.SessionCount);
    }

    [Fact]
    public async Task Healthz_AnswersOk()
    {
        await using ServerScope server = await ServerScope.StartAsync();

        HttpResult response = await RawWebSocketClient.SendHttpAsync(
            server.Host.Port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", server.Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("ok", response.Body);
    }

    [Fact]
    public async Task StreamUri_PointsAtTheEphemeralPortOnLoopback()
    {
        await using ServerScope server = await ServerScope.StartAsync();

        Assert.NotEqual(0, server.Host.Port);
        Assert.Equal(new Uri($"ws://127.0.0.1:{server.Host.Port}/v1/stream"), server.Host.StreamUri);
        Assert.Contains(server.Host.Addresses, a => a.Contains($":{server.Host.Port}", StringComparison.Ordinal));
    }

    private static string Request(
        string method = "GET",
        string? key = Key,
        string? upgrade = "websocket",
        string? connection = "Upgrade",
        string? version = "13",
        string extra = "")
    {
        var text = new System.Text.StringBuilder().Append(method).Append(" /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (upgrade is not null)
        {
            text.Append("Upgrade: ").Append(upgrade).Append("\r\n");
        }

        if (connection is not null)
        {
            text.Append("Connection: ").Append(connection).Append("\r\n");
        }

        if (key is not null)
        {
            text.Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n");
        }

        if (version is not null)
        {
            text.Append("Sec-WebSocket-Version: ").Append(version).Append("\r\n");
        }

        return text.Append(extra).Append("\r\n").ToString();
    }
}
