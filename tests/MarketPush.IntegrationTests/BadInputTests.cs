using System.Net.WebSockets;
using System.Text;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

/// <summary>
/// Every kind of bad client input the frame reader rejects, sent over a raw socket to a real server: the offender gets
/// a close frame with the code PROTOCOL.md names, and a well-behaved client connected throughout is still served.
/// </summary>
public sealed class BadInputTests
{
    public static TheoryData<string, ushort> Cases => new()
    {
        { "unmasked frame", CloseCodes.ProtocolError },
        { "RSV2 set", CloseCodes.ProtocolError },
        { "RSV3 set", CloseCodes.ProtocolError },
        { "RSV1 without deflate", CloseCodes.ProtocolError },
        { "reserved data opcode 3", CloseCodes.ProtocolError },
        { "reserved control opcode 11", CloseCodes.ProtocolError },
        { "fragmented ping", CloseCodes.ProtocolError },
        { "ping over 125 bytes", CloseCodes.ProtocolError },
        { "continuation without start", CloseCodes.ProtocolError },
        { "new message inside fragmented one", CloseCodes.ProtocolError },
        { "64-bit length with top bit", CloseCodes.ProtocolError },
        { "oversized frame header", CloseCodes.MessageTooBig },
        { "oversized 64-bit length", CloseCodes.MessageTooBig },
        { "oversized across fragments", CloseCodes.MessageTooBig },
        { "invalid UTF-8", CloseCodes.InvalidPayloadData },
        { "invalid UTF-8 split across fragments", CloseCodes.InvalidPayloadData },
        { "truncated code point at message end", CloseCodes.InvalidPayloadData },
        { "close payload of 1 byte", CloseCodes.ProtocolError },
        { "close code 999", CloseCodes.ProtocolError },
        { "close code 1005", CloseCodes.ProtocolError },
        { "close code 1006", CloseCodes.ProtocolError },
        { "close code 5000", CloseCodes.ProtocolError },
        { "close reason not UTF-8", CloseCodes.InvalidPayloadData },
        { "deflate over the inflate cap", CloseCodes.MessageTooBig },
        { "corrupt deflate data", CloseCodes.InvalidPayloadData },
        { "compressed invalid UTF-8", CloseCodes.InvalidPayloadData },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_ClosesWithItsCode_WhileAWellBehavedClientIsStillServed(string name, ushort expectedCode)
    {
        await using ServerScope server = await ServerScope.StartAsync();
        ClientWebSocket good = await server.ConnectAsync();
        await good.ReceiveWelcomeAsync(server.Token);
        bool deflate = name is "deflate over the inflate cap" or "corrupt deflate data" or "compressed invalid UTF-8";
        using RawWebSocketClient bad = await server.ConnectRawAsync(extensions: deflate ? "permessage-deflate" : null);
        await bad.ReadFrameAsync(server.Token); // welcome
        await server.WaitForSessionCountAsync(2);

        await bad.SendAsync(BadBytes(name), server.Token);
        (ushort code, string reason, _) = await bad.ReadCloseAsync(server.Token);

        Assert.True(expectedCode == code, $"{name}: expected close {expectedCode}, got {code} ({reason})");
        Assert.False(string.IsNullOrEmpty(reason), "the close frame says why");
        bad.Dispose();
        await server.WaitForSessionCountAsync(1);

        server.Host.BroadcastText("still serving");
        Assert.Equal("still serving", await good.ReceiveTextAsync(server.Token));
        Assert.Equal(WebSocketState.Open, good.State);
    }

    [Fact]
    public async Task OffenderThatKeepsSending_AfterTheClose_StillGetsTheCloseFrame()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient bad = await server.ConnectRawAsync();
        await bad.ReadFrameAsync(server.Token);

        // The violation, then a burst the server must drain (not RST) so the close frame survives.
        byte[] junk = RawWebSocketClient.ClientFrame(0x82, new byte[60_000]);
        await bad.SendAsync([.. RawWebSocketClient.ClientFrame(0x83, "x"u8), .. junk, .. junk], server.Token);
        (ushort code, _, _) = await bad.ReadCloseAsync(server.Token);

        Assert.Equal(CloseCodes.ProtocolError, code);
        await bad.SendFrameAsync(0x88, [0x03, 0xEA], server.Token);
        Assert.True(await bad.ServerClosedConnectionAsync(server.Token));
        await server.WaitForSessionCountAsync(0);
    }

    private static byte[] BadBytes(string name)
    {
        byte[] text = Encoding.UTF8.GetBytes("""{"op":"ping"}""");
        return name switch
        {
            "unmasked frame" => RawWebSocketClient.ClientFrame(0x81, text, masked: false),
            "RSV2 set" => RawWebSocketClient.ClientFrame(0xA1, text),
            "RSV3 set" => RawWebSocketClient.ClientFrame(0x91, text),
            "RSV1 without deflate" => RawWebSocketClient.ClientFrame(0xC1, text),
            "reserved data opcode 3" => RawWebSocketClient.ClientFrame(0x83, text),
            "reserved control opcode 11" => RawWebSocketClient.ClientFrame(0x8B, []),
            "fragmented ping" => RawWebSocketClient.ClientFrame(0x09, "p"u8),
            "ping over 125 bytes" => RawWebSocketClient.ClientFrame(0x89, new byte[126]),
            "continuation without start" => RawWebSocketClient.ClientFrame(0x80, text),
            "new message inside fragmented one" => [.. RawWebSocketClient.ClientFrame(0x01, "{\"op\""u8), .. RawWebSocketClient.ClientFrame(0x81, text)],
            "64-bit length with top bit" => [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44],
            "oversized frame header" => [.. RawWebSocketClient.ClientHeader(0x82, 16 * 1024 + 1), .. new byte[100]],
            "oversized 64-bit length" => RawWebSocketClient.ClientHeader(0x82, 1L << 40),
            "oversized across fragments" => [.. RawWebSocketClient.ClientFrame(0x02, new byte[10_000]), .. RawWebSocketClient.ClientFrame(0x80, new byte[10_000])],
            "invalid UTF-8" => RawWebSocketClient.ClientFrame(0x81, [(byte)'a', 0xC0, 0x80]),
            // "é" is C3 A9: the lead byte ends fragment one, a non-continuation byte starts fragment two.
            "invalid UTF-8 split across fragments" => [.. RawWebSocketClient.ClientFrame(0x01, [(byte)'a', 0xC3]), .. RawWebSocketClient.ClientFrame(0x80, [0x28, (byte)'b'])],
            "truncated code point at message end" => RawWebSocketClient.ClientFrame(0x81, [(byte)'a', 0xE2, 0x82]),
            "close payload of 1 byte" => RawWebSocketClient.ClientFrame(0x88, [0x03]),
            "close code 999" => RawWebSocketClient.ClientFrame(0x88, [0x03, 0xE7]),
            "close code 1005" => RawWebSocketClient.ClientFrame(0x88, [0x03, 0xED]),
            "close code 1006" => RawWebSocketClient.ClientFrame(0x88, [0x03, 0xEE]),
            "close code 5000" => RawWebSocketClient.ClientFrame(0x88, [0x13, 0x88]),
            "close reason not UTF-8" => RawWebSocketClient.ClientFrame(0x88, [0x03, 0xE8, 0xFF, 0xFE]),
            "deflate over the inflate cap" => RawWebSocketClient.ClientFrame(0xC1, DeflateHelper.Compress(Encoding.ASCII.GetBytes(new string(' ', 20_000)))),
            "corrupt deflate data" => RawWebSocketClient.ClientFrame(0xC1, [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x12, 0x34]),
            "compressed invalid UTF-8" => RawWebSocketClient.ClientFrame(0xC1, DeflateHelper.Compress([(byte)'a', 0xC0, 0x80])),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case"),
        };
    }
}
