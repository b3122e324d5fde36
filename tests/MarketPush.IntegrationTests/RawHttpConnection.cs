using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MarketPush.IntegrationTests;

/// <summary>
/// A plain TCP connection for sending HTTP requests by hand and reading response heads, kept open as long as the
/// test holds it (an upgraded connection stays a session until this is disposed).
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawHttpConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawHttpConnection> OpenAsync(int port, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        return new RawHttpConnection(tcp);
    }

    public static string UpgradeRequest(string extraHeaders = "") =>
        "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: {RawWebSocketClient.SampleKey}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";

    /// <summary>Opens a connection and sends a WebSocket upgrade; returns it with the response head.</summary>
    public static async Task<(RawHttpConnection Connection, int Status, string Head)> UpgradeAsync(int port, CancellationToken cancellationToken)
    {
        RawHttpConnection connection = await OpenAsync(port, cancellationToken);
        await connection.SendAsync(UpgradeRequest(), cancellationToken);
        (int status, string head) = await connection.ReadHeadAsync(cancellationToken);
        return (connection, status, head);
    }

    public Task SendAsync(string text, CancellationToken cancellationToken) =>
        _stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();

    /// <summary>Reads up to the next blank line; returns the status code and the head's text.</summary>
    public async Task<(int Status, string Head)> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int end = IndexOfBlankLine();
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString([.. _pending.GetRange(0, end)]);
                _pending.RemoveRange(0, end + 4);
                return (int.Parse(head.Split(' ')[1], CultureInfo.InvariantCulture), head);
            }

            int read = await _stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed the connection before a complete response head.");
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Reads and drops bytes until the text appears (e.g. the end of a chunked body).</summary>
    public async Task SkipPastAsync(string text, CancellationToken cancellationToken)
    {
        byte[] marker = Encoding.ASCII.GetBytes(text);
        var buffer = new byte[4096];
        while (true)
        {
            int at = _pending.ToArray().AsSpan().IndexOf(marker);
            if (at >= 0)
            {
                _pending.RemoveRange(0, at + marker.Length);
                return;
            }

            int read = await _stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"The server closed the connection before '{text}'.");
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    public void Dispose() => _tcp.Dispose();

    private int IndexOfBlankLine() => _pending.ToArray().AsSpan().IndexOf("\r\n\r\n"u8);
}
