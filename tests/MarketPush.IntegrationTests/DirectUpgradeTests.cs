using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

/// <summary>
/// Which way a handshake takes through the server: valid upgrades on a fresh connection are answered by the Kestrel
/// connection middleware (no HTTP request objects kept for the connection's life), everything else still reaches
/// Kestrel's HTTP pipeline and gets exactly its usual answer. The counters on StreamServer tell the ways apart.
/// </summary>
public sealed class DirectUpgradeTests
{
    private const string Key = RawWebSocketClient.SampleKey;

    [Fact]
    public async Task ClientWebSocket_IsUpgradedByTheConnectionMiddleware_NotTheHttpPipeline()
    {
        await using ServerScope server = await ServerScope.StartAsync();

        var client = await server.ConnectAsync();
        JsonElement welcome = await client.ReceiveWelcomeAsync(server.Token);

        Assert.Equal("json", welcome.GetProperty("encoding").GetString());
        Assert.Equal(1, server.Host.Stream.DirectUpgrades);
        Assert.Equal(0, server.Host.Stream.HttpUpgrades);
    }

    [Fact]
    public async Task DirectUpgrade_Answers101WithTheNegotiatedHeaders_AndTheWelcomeBehindIt()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using var socket = await RawSocket.ConnectAsync(server.Host.Port, server.Token);

        await socket.SendAsync(UpgradeRequest(extra: "Sec-WebSocket-Protocol: chat, marketpush.v1.msgpack\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"), server.Token);
        string head = await socket.ReadHeadAsync(server.Token);
        (WebSocketOpcode opcode, byte[] payload) = await socket.ReadFrameAsync(server.Token);

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Accept: " + RawWebSocketClient.SampleAccept + "\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Protocol: marketpush.v1.msgpack\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover", head, StringComparison.Ordinal);
        Assert.Equal(WebSocketOpcode.Binary, opcode); // the MessagePack welcome
        Assert.NotEmpty(payload);
        Assert.Equal(1, server.Host.Stream.DirectUpgrades);
    }

    [Theory]
    [InlineData("", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")]
    [InlineData(
        "Sec-WebSocket-Protocol: marketpush.v1.msgpack\r\nSec-WebSocket-Extensions: permessage-deflate\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            + "Sec-WebSocket-Protocol: marketpush.v1.msgpack\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n\r\n")]
    public async Task DirectUpgrade_101_IsExactlyTheseBytes_WrittenToTheSocket(string extraHeaders, string expected)
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using var socket = await RawSocket.ConnectAsync(server.Host.Port, server.Token);

        await socket.SendAsync(UpgradeRequest(extra: extraHeaders), server.Token);
        string head = await socket.ReadHeadAsync(server.Token);
        (WebSocketOpcode opcode, _) = await socket.ReadFrameAsync(server.Token);

        Assert.Equal(expected, head);
        Assert.Equal(extraHeaders.Length == 0 ? WebSocketOpcode.Text : WebSocketOpcode.Binary, opcode); // the welcome right behind it
        var connection = Assert.IsType<MarketPush.Engine.Transport.Connection>(Assert.Single(server.Host.Stream.Sessions.Snapshot()).Transport);
        Assert.True(connection.WritesToSocket, "the default mode writes the 101 straight to the socket");
    }

    [Theory]
    [InlineData("missing key", "GET", null, "13", 400)]
    [InlineData("version 8", "GET", Key, "8", 426)]
    [InlineData("POST", "POST", Key, "13", 405)]
    public async Task BadHandshake_StillGetsKestrelsHttpAnswer_AndNoUpgrade(string name, string method, string? key, string version, int status)
    {
        await using ServerScope server = await ServerScope.StartAsync();
        string request = $"{method} /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + (key is null ? string.Empty : $"Sec-WebSocket-Key: {key}\r\n")
            + $"Sec-WebSocket-Version: {version}\r\n"
            + (method == "GET" ? string.Empty : "Content-Length: 0\r\n")
            + "\r\n";

        HttpResult response = await RawWebSocketClient.SendHttpAsync(server.Host.Port, request, server.Token);

        Assert.True(status == response.StatusCode, $"{name}: expected {status}, got {response.StatusCode} ({response.Body})");
        Assert.False(response.Headers.ContainsKey("Sec-WebSocket-Accept"));
        Assert.Equal("text/plain; charset=utf-8", response.Headers["Content-Type"]); // StreamEndpoint's refusal body
        Assert.Equal(0, server.Host.Stream.DirectUpgrades);
        Assert.Equal(0, server.Host.Stream.HttpUpgrades);
        Assert.Equal(0, server.Host.SessionCount);
    }

    [Fact]
    public async Task RequestHeadArrivingByteByByte_IsStillUpgradedDirectly()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using var socket = await RawSocket.ConnectAsync(server.Host.Port, server.Token);

        byte[] request = UpgradeRequest();
        for (int i = 0; i < request.Length; i++)
        {
            await socket.SendAsync(request.AsMemory(i, 1), server.Token);
            if (i % 16 == 0)
            {
                await Task.Delay(1, server.Token); // separate TCP segments, separate pipe reads
            }
        }

        string head = await socket.ReadHeadAsync(server.Token);
        (WebSocketOpcode opcode, _) = await socket.ReadFrameAsync(server.Token);

        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
        Assert.Equal(WebSocketOpcode.Text, opcode);
        Assert.Equal(1, server.Host.Stream.DirectUpgrades);
    }

    [Fact]
    public async Task PingSentInTheSamePacketAsTheHandshake_IsAnsweredAfterTheWelcome()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using var socket = await RawSocket.ConnectAsync(server.Host.Port, server.Token);

        byte[] ping = RawWebSocketClient.ClientFrame(0x89, "early"u8);
        byte[] both = [.. UpgradeRequest(), .. ping];
        await socket.SendAsync(both, server.Token);
        await socket.ReadHeadAsync(server.Token);
        (WebSocketOpcode first, _) = await socket.ReadFrameAsync(server.Token);
        (WebSocketOpcode second, byte[] pong) = await socket.ReadFrameAsync(server.Token);

        Assert.Equal(WebSocketOpcode.Text, first);
        Assert.Equal(WebSocketOpcode.Pong, second);
        Assert.Equal("early", Encoding.ASCII.GetString(pong));
    }

    [Fact]
    public async Task UpgradeAfterAnotherRequestOnTheSameConnection_IsServedByKestrelsHttpPipeline()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using var socket = await RawSocket.ConnectAsync(server.Host.Port, server.Token);

        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), server.Token);
        string health = await socket.ReadHeadAsync(server.Token);
        Assert.StartsWith("HTTP/1.1 200 ", health, StringComparison.Ordinal);
        Assert.Equal("chunked", HeaderValue(health, "Transfer-Encoding"));
        Assert.Equal("2\r\nok\r\n0\r\n\r\n", await socket.ReadHeadAsync(server.Token)); // the chunked body "ok"

        await socket.SendAsync(UpgradeRequest(), server.Token);
        string head = await socket.ReadHeadAsync(server.Token);
        (WebSocketOpcode opcode, _) = await socket.ReadFrameAsync(server.Token);

        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
        Assert.Equal(RawWebSocketClient.SampleAccept, HeaderValue(head, "Sec-WebSocket-Accept"));
        Assert.Equal(WebSocketOpcode.Text, opcode);
        Assert.Equal(0, server.Host.Stream.DirectUpgrades);
        Assert.Equal(1, server.Host.Stream.HttpUpgrades);
    }

    [Fact]
    public async Task UpgradeWithAQueryString_IsUpgradedDirectly_AndOtherPathsAreNot()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using var socket = await RawSocket.ConnectAsync(server.Host.Port, server.Token);

        await socket.SendAsync(UpgradeRequest(target: "/v1/stream?client=test&v=1"), server.Token);
        string head = await socket.ReadHeadAsync(server.Token);
        HttpResult notFound = await RawWebSocketClient.SendHttpAsync(
            server.Host.Port, Encoding.ASCII.GetString(UpgradeRequest(target: "/v1/streams")), server.Token);

        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
        Assert.Equal(404, notFound.StatusCode);
        Assert.Equal(1, server.Host.Stream.DirectUpgrades);
    }

    private static byte[] UpgradeRequest(string target = "/v1/stream", string extra = "") =>
        Encoding.ASCII.GetBytes(
            $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n");

    private static string HeaderValue(string head, string name)
    {
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            {
                return line[(name.Length + 1)..].Trim();
            }
        }

        throw new Xunit.Sdk.XunitException($"no {name} header in:\n{head}");
    }

    /// <summary>A bare TCP connection that reads an HTTP head and then unmasked server frames off the same bytes.</summary>
    private sealed class RawSocket : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly List<byte> _pending = [];

        private RawSocket(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        public static async Task<RawSocket> ConnectAsync(int port, CancellationToken cancellationToken)
        {
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
            return new RawSocket(tcp);
        }

        public Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
            _stream.WriteAsync(bytes, cancellationToken).AsTask();

        /// <summary>Everything up to and including the next blank line (an HTTP head, or a chunked body's end).</summary>
        public async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int end = CollectionsMarshalIndexOf("\r\n\r\n"u8);
                if (end >= 0)
                {
                    byte[] head = await ReadExactlyAsync(end + 4, cancellationToken);
                    return Encoding.ASCII.GetString(head);
                }

                await FillAsync(cancellationToken);
            }
        }

        public async Task<(WebSocketOpcode Opcode, byte[] Payload)> ReadFrameAsync(CancellationToken cancellationToken)
        {
            byte[] header = await ReadExactlyAsync(2, cancellationToken);
            Assert.Equal(0, header[1] & 0x80); // server frames are unmasked
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2, cancellationToken));
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8, cancellationToken));
            }

            return ((WebSocketOpcode)(header[0] & 0x0F), await ReadExactlyAsync((int)length, cancellationToken));
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            while (_pending.Count < count)
            {
                await FillAsync(cancellationToken);
            }

            byte[] bytes = [.. _pending.GetRange(0, count)];
            _pending.RemoveRange(0, count);
            return bytes;
        }

        public void Dispose() => _tcp.Dispose();

        private int CollectionsMarshalIndexOf(ReadOnlySpan<byte> value) =>
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending).IndexOf(value);

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            byte[] chunk = new byte[4096];
            int read = await _stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("The server closed the connection.");
            }

            _pending.AddRange(chunk.AsSpan(0, read));
        }
    }
}
