using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

/// <summary>
/// A WebSocket client over a bare TcpClient, written for these tests: it sends whatever bytes a test builds (including
/// frames no real client would send) and reads the server's frames exactly as they are on the wire (RSV1,
/// fragmentation, pings). Reads are buffered so a handshake response and the frames behind it can share a packet.
/// </summary>
internal sealed class RawWebSocketClient : IDisposable
{
    public const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";   // RFC 6455 §1.3
    public const string SampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public HttpResult Handshake { get; private set; } = null!;

    /// <summary>Connects and upgrades; fails the test unless the server answers 101.</summary>
    public static async Task<RawWebSocketClient> ConnectAsync(int port, string? extensions, string? protocol, CancellationToken cancellationToken)
    {
        var request = new StringBuilder()
            .Append("GET /v1/stream HTTP/1.1\r\n")
            .Append("Host: 127.0.0.1:").Append(port).Append("\r\n")
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: ").Append(SampleKey).Append("\r\n")
            .Append("Sec-WebSocket-Version: 13\r\n");
        if (extensions is not null)
        {
            request.Append("Sec-WebSocket-Extensions: ").Append(extensions).Append("\r\n");
        }

        if (protocol is not null)
        {
            request.Append("Sec-WebSocket-Protocol: ").Append(protocol).Append("\r\n");
        }

        request.Append("\r\n");
        RawWebSocketClient client = await OpenAsync(port, cancellationToken);
        try
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);
            client.Handshake = await client.ReadHttpHeadAsync(cancellationToken);
            Assert.Equal(101, client.Handshake.StatusCode);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends one raw HTTP request and reads the whole response (body by Content-Length or chunked).</summary>
    public static async Task<HttpResult> SendHttpAsync(int port, string request, CancellationToken cancellationToken)
    {
        using RawWebSocketClient client = await OpenAsync(port, cancellationToken);
        await client.SendAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
        HttpResult head = await client.ReadHttpHeadAsync(cancellationToken);
        string body;
        if (head.Headers.TryGetValue("Content-Length", out string? length))
        {
            int count = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            await client.EnsureAsync(count, cancellationToken);
            body = client.TakeString(count);
        }
        else if (head.Headers.TryGetValue("Transfer-Encoding", out string? te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var text = new StringBuilder();
            while (true)
            {
                string sizeLine = await client.ReadLineAsync(cancellationToken);
                int size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    await client.ReadLineAsync(cancellationToken);
                    break;
                }

                await client.EnsureAsync(size + 2, cancellationToken);
                text.Append(client.TakeString(size));
                client._start += 2;
            }

            body = text.ToString();
        }
        else
        {
            body = string.Empty;
        }

        return head with { Body = body };
    }

    public Task SendAsync(byte[] bytes, CancellationToken cancellationToken) => _stream.WriteAsync(bytes, cancellationToken).AsTask();

    /// <summary>Sends a masked frame with an arbitrary first byte (FIN, RSV bits, opcode).</summary>
    public Task SendFrameAsync(byte firstByte, ReadOnlySpan<byte> payload, CancellationToken cancellationToken) =>
        SendAsync(ClientFrame(firstByte, payload), cancellationToken);

    public Task SendTextAsync(string text, CancellationToken cancellationToken) =>
        SendFrameAsync(0x81, Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Builds a client frame (masked unless told otherwise) with the shortest length encoding.</summary>
    public static byte[] ClientFrame(byte firstByte, ReadOnlySpan<byte> payload, bool masked = true)
    {
        byte[] header = LengthHeader(firstByte, payload.Length, masked);
        var frame = new byte[header.Length + (masked ? 4 : 0) + payload.Length];
        header.CopyTo(frame, 0);
        int offset = header.Length;
        if (masked)
        {
            RandomNumberGenerator.Fill(frame.AsSpan(offset, 4));
            offset += 4;
        }

        payload.CopyTo(frame.AsSpan(offset));
        if (masked)
        {
            for (int i = 0; i < payload.Length; i++)
            {
                frame[offset + i] ^= frame[header.Length + (i & 3)];
            }
        }

        return frame;
    }

    /// <summary>Just the first bytes of a masked frame header announcing <paramref name="length"/> payload bytes.</summary>
    public static byte[] ClientHeader(byte firstByte, long length)
    {
        byte[] header = LengthHeader(firstByte, length, masked: true);
        return [.. header, 0x11, 0x22, 0x33, 0x44];
    }

    /// <summary>Reads the next frame, whatever it is.</summary>
    public async Task<RawFrame> ReadFrameAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(2, cancellationToken);
        byte first = _buffer[_start];
        byte second = _buffer[_start + 1];
        Assert.True((second & 0x80) == 0, "server frames must not be masked");
        int headerLength = 2;
        long length = second & 0x7F;
        if (length == 126)
        {
            await EnsureAsync(4, cancellationToken);
            length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
            headerLength = 4;
        }
        else if (length == 127)
        {
            await EnsureAsync(10, cancellationToken);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2));
            headerLength = 10;
        }

        await EnsureAsync(headerLength + (int)length, cancellationToken);
        byte[] payload = _buffer.AsSpan(_start + headerLength, (int)length).ToArray();
        _start += headerLength + (int)length;
        return new RawFrame((first & 0x80) != 0, (first & 0x40) != 0, (WebSocketOpcode)(first & 0x0F), payload);
    }

    /// <summary>Reads frames until one that is not a <c>heartbeat</c> message or (optionally) a ping.</summary>
    public async Task<RawFrame> ReadSignificantFrameAsync(CancellationToken cancellationToken, bool skipPings = true)
    {
        while (true)
        {
            RawFrame frame = await ReadFrameAsync(cancellationToken);
            if (frame.IsHeartbeatMessage || (skipPings && frame.Opcode == WebSocketOpcode.Ping))
            {
                continue;
            }

            return frame;
        }
    }

    /// <summary>Reads (and skips) frames until the close frame; returns its code (1005 when empty) and reason.</summary>
    public async Task<(ushort Code, string Reason, byte[] Payload)> ReadCloseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            RawFrame frame = await ReadFrameAsync(cancellationToken);
            if (frame.Opcode != WebSocketOpcode.Close)
            {
                continue;
            }

            if (frame.Payload.Length == 0)
            {
                return (CloseCodes.NoStatusReceived, string.Empty, frame.Payload);
            }

            return (BinaryPrimitives.ReadUInt16BigEndian(frame.Payload), Encoding.UTF8.GetString(frame.Payload, 2, frame.Payload.Length - 2), frame.Payload);
        }
    }

    /// <summary>True once the server closed the TCP connection (EOF or reset) without sending anything more.</summary>
    public async Task<bool> ServerClosedConnectionAsync(CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            return false;
        }

        try
        {
            while (true)
            {
                int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                if (read == 0)
                {
                    return true;
                }

                _end += read;
                if (_end - _start > 0)
                {
                    return false;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _tcp.Dispose();

    private static async Task<RawWebSocketClient> OpenAsync(int port, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
            return new RawWebSocketClient(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private static byte[] LengthHeader(byte firstByte, long length, bool masked)
    {
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        if (length <= 125)
        {
            return [firstByte, (byte)(maskBit | length)];
        }

        if (length <= ushort.MaxValue)
        {
            var header = new byte[4];
            header[0] = firstByte;
            header[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)length);
            return header;
        }

        var longHeader = new byte[10];
        longHeader[0] = firstByte;
        longHeader[1] = (byte)(maskBit | 127);
        BinaryPrimitives.WriteUInt64BigEndian(longHeader.AsSpan(2), (ulong)length);
        return longHeader;
    }

    private async Task<HttpResult> ReadHttpHeadAsync(CancellationToken cancellationToken)
    {
        string statusLine = await ReadLineAsync(cancellationToken);
        string[] parts = statusLine.Split(' ', 3);
        Assert.StartsWith("HTTP/1.1", parts[0], StringComparison.Ordinal);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            string line = await ReadLineAsync(cancellationToken);
            if (line.Length == 0)
            {
                break;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out string? existing) ? existing + ", " + value : value;
        }

        return new HttpResult(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), headers, string.Empty);
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (newline >= 0)
            {
                string line = Encoding.ASCII.GetString(_buffer, _start, newline);
                _start += newline + 2;
                return line;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            await FillAsync(cancellationToken);
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            throw new EndOfStreamException("The server closed the connection.");
        }

        _end += read;
    }

    private string TakeString(int count)
    {
        string text = Encoding.UTF8.GetString(_buffer, _start, count);
        _start += count;
        return text;
    }
}

internal sealed record HttpResult(int StatusCode, Dictionary<string, string> Headers, string Body);

internal sealed record RawFrame(bool Fin, bool Rsv1, WebSocketOpcode Opcode, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    public bool IsHeartbeatMessage =>
        Opcode == WebSocketOpcode.Text && Text.Contains("\"type\":\"heartbeat\"", StringComparison.Ordinal);
}
