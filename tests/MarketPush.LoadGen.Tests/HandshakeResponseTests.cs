using System.Text;
using MarketPush.LoadGen.Net;
using MarketPush.Protocol.Handshake;

namespace MarketPush.LoadGen.Tests;

public sealed class HandshakeResponseTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private static readonly string s_accept = WebSocketAccept.ComputeAcceptKey(Key); // RFC 6455 §1.3: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=

    [Fact]
    public void Parse_AcceptsA101_WithTheRightAcceptKey()
    {
        byte[] head = Head($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {s_accept}\r\n\r\n");

        Assert.Equal(UpgradeOutcome.Upgraded, HandshakeResponse.Parse(head, s_accept, offeredDeflate: false, out int status, out bool deflate));
        Assert.Equal(101, status);
        Assert.False(deflate);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", s_accept);
    }

    [Fact]
    public void Parse_RefusesAWrongAcceptKey()
    {
        byte[] head = Head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");

        Assert.Equal(UpgradeOutcome.Invalid, HandshakeResponse.Parse(head, s_accept, false, out _, out _));
    }

    [Fact]
    public void Parse_ReportsTheStatus_OfARefusal()
    {
        byte[] head = Head("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(UpgradeOutcome.Refused, HandshakeResponse.Parse(head, s_accept, false, out int status, out _));
        Assert.Equal(503, status);
    }

    [Fact]
    public void Parse_AgreesDeflate_OnlyWithServerNoContextTakeover()
    {
        string upgraded = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {s_accept}\r\n";
        byte[] stateless = Head(upgraded + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n\r\n");
        byte[] stateful = Head(upgraded + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n");

        Assert.Equal(UpgradeOutcome.Upgraded, HandshakeResponse.Parse(stateless, s_accept, offeredDeflate: true, out _, out bool deflate));
        Assert.True(deflate);
        Assert.Equal(UpgradeOutcome.UnsupportedDeflate, HandshakeResponse.Parse(stateful, s_accept, offeredDeflate: true, out _, out _));
        Assert.Equal(UpgradeOutcome.Invalid, HandshakeResponse.Parse(stateless, s_accept, offeredDeflate: false, out _, out _));
    }

    [Fact]
    public void FindHeadLength_WaitsForTheBlankLine()
    {
        byte[] partial = Head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n");
        byte[] complete = Head("HTTP/1.1 101 OK\r\n\r\n\x81\x02hi");

        Assert.Equal(-1, HandshakeResponse.FindHeadLength(partial));
        Assert.Equal(complete.Length - 4, HandshakeResponse.FindHeadLength(complete));
    }

    private static byte[] Head(string text) => Encoding.Latin1.GetBytes(text);
}
