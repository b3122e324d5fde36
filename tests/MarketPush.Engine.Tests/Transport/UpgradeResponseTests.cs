using System.Text;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>The direct path's 101, byte for byte (RFC 6455 §4.2.2 item 5; the accept key is the RFC's §1.3 sample).</summary>
public sealed class UpgradeResponseTests
{
    private const string Accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    [Theory]
    [InlineData(null, null,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")]
    [InlineData("marketpush.v1.msgpack", null,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        + "Sec-WebSocket-Protocol: marketpush.v1.msgpack\r\n\r\n")]
    [InlineData(null, "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n\r\n")]
    [InlineData("marketpush.v1.json", "permessage-deflate; server_no_context_takeover; client_max_window_bits=15",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        + "Sec-WebSocket-Protocol: marketpush.v1.json\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=15\r\n\r\n")]
    public void Write_ProducesExactlyTheseBytes(string? protocol, string? extensions, string expected)
    {
        int length = UpgradeResponse.GetLength(Accept, protocol, extensions);
        byte[] buffer = new byte[length + 8];
        Array.Fill(buffer, (byte)'#');

        int written = UpgradeResponse.Write(buffer, Accept, protocol, extensions);

        Assert.Equal(length, written);
        Assert.Equal(Encoding.ASCII.GetBytes(expected), buffer[..written]);
        Assert.All(buffer[written..], b => Assert.Equal((byte)'#', b)); // nothing past the length it reported
    }

    [Fact]
    public void Write_IntoABufferOfExactlyTheLength_Fits()
    {
        byte[] buffer = new byte[UpgradeResponse.GetLength(Accept, "marketpush.v1.json", null)];
        Assert.Equal(buffer.Length, UpgradeResponse.Write(buffer, Accept, "marketpush.v1.json", null));
        Assert.EndsWith("\r\n\r\n", Encoding.ASCII.GetString(buffer), StringComparison.Ordinal);
    }
}
