using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Buffers;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>
/// The direct-upgrade path over a real loopback socket and a stand-in for Kestrel's socket transport: the
/// transport's output pipe is pumped to the socket by a deliberately slow sender (as Kestrel's own send loop would,
/// only later), so a byte that went through the pipe while a later one went straight to the socket would arrive
/// after it. In both <see cref="SocketWriteMode"/>s the client must read the exact 101, the welcome and then every
/// pong in the order its pings were sent, and the close echo last; the socket mode must never touch the pipe, the
/// pipe mode never the socket.
/// </summary>
public sealed class DirectPathWriteTests : IAsyncDisposable
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3

    // Long enough that anything pumped from the pipe reaches the socket well after a direct send of the same moment.
    private static readonly TimeSpan s_pumpDelay = TimeSpan.FromMilliseconds(30);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly Socket _client;
    private readonly Socket _serverSide;
    private readonly Pipe _input = new();
    private readonly Pipe _output = new();
    private long _pumpedBytes;

    public DirectPathWriteTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect(listener.LocalEndPoint!);
        _serverSide = listener.Accept();
        _serverSide.NoDelay = true;
    }

    private CancellationToken Token => _timeout.Token;

    [Theory]
    [InlineData(SocketWriteMode.Socket, null, null)]
    [InlineData(SocketWriteMode.Pipe, null, null)]
    [InlineData(SocketWriteMode.Socket, "marketpush.v1.json", "permessage-deflate")]
    [InlineData(SocketWriteMode.Pipe, "marketpush.v1.json", "permessage-deflate")]
    public async Task EachMode_DeliversThe101_TheWelcome_AndEveryPongInOrder(SocketWriteMode mode, string? protocol, string? extensions)
    {
        await using StreamServer server = TestStreamServer.Create(new StreamOptions { CloseTimeoutMs = 2_000, SocketWriteMode = mode }, TimeProvider.System);
        var context = new DefaultConnectionContext("test", new DuplexPipe(_input.Reader, _output.Writer), new DuplexPipe(_output.Reader, _input.Writer));
        context.Features.Set<IConnectionSocketFeature>(new SocketFeature(_serverSide));
        bool handedOn = false;
        ConnectionDelegate middleware = server.UseDirectUpgrade(_ =>
        {
            handedOn = true;
            return Task.CompletedTask;
        });
        Task pump = PumpOutputToSocketAsync();
        Task run = middleware(context);
        var wire = new WireReader(_client);

        await SendToServerAsync(Encoding.ASCII.GetBytes(
            "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n"
            + (protocol is null ? string.Empty : $"Sec-WebSocket-Protocol: {protocol}\r\n")
            + (extensions is null ? string.Empty : $"Sec-WebSocket-Extensions: {extensions}\r\n")
            + "\r\n"));

        string expectedHead = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            + (protocol is null ? string.Empty : "Sec-WebSocket-Protocol: marketpush.v1.json\r\n")
            + (extensions is null ? string.Empty : "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n")
            + "\r\n";
        Assert.Equal(expectedHead, await wire.ReadHeadAsync(Token));
        ParsedFrame welcome = await wire.ReadFrameAsync(Token);
        Assert.Equal(WebSocketOpcode.Text, welcome.Opcode);
        byte[] welcomeText = welcome.Rsv1 ? ParsedFrame.Inflate(welcome.Payload) : welcome.Payload;
        Assert.Contains("\"welcome\"", Encoding.UTF8.GetString(welcomeText), StringComparison.Ordinal);

        // Rounds of pings a few milliseconds apart, without waiting for their pongs: each round's pongs are usually a
        // write of their own, made while earlier writes may still be on their way, so bytes of one write left in the
        // pipe (30 ms behind) would be overtaken by a later write straight to the socket and arrive out of order.
        // The spacing only makes separate writes likely; the order asserted below holds however they are batched.
        const int Rounds = 12;
        const int PingsPerRound = 4;
        for (int round = 0; round < Rounds; round++)
        {
            byte[] burst = [.. Enumerable.Range(0, PingsPerRound).SelectMany(i => ClientFrame(0x89, Encoding.ASCII.GetBytes($"p{round}.{i}")))];
            await SendToServerAsync(burst);
            await Task.Delay(3, Token);
        }

        for (int round = 0; round < Rounds; round++)
        {
            for (int i = 0; i < PingsPerRound; i++)
            {
                ParsedFrame pong = await wire.ReadFrameAsync(Token);
                Assert.Equal(WebSocketOpcode.Pong, pong.Opcode);
                Assert.Equal($"p{round}.{i}", Encoding.ASCII.GetString(pong.Payload));
            }
        }

        Session session = Assert.IsType<Session>(Assert.Single(server.Sessions.Snapshot()));
        var connection = Assert.IsType<Connection>(session.Transport);
        Assert.Equal(mode == SocketWriteMode.Socket, connection.WritesToSocket);

        // The close handshake: the echo is the last frame, then the connection ends.
        await SendToServerAsync(ClientFrame(0x88, [0x03, 0xE8]));
        ParsedFrame echo = await wire.ReadFrameAsync(Token);
        Assert.Equal(WebSocketOpcode.Close, echo.Opcode);
        Assert.Equal(CloseCodes.NormalClosure, BinaryPrimitives.ReadUInt16BigEndian(echo.Payload));
        await run.WaitAsync(Token);
        await pump.WaitAsync(Token);

        Assert.False(handedOn, "a valid upgrade is answered by the middleware");
        Assert.Equal(DisconnectReasons.ClientClosed, session.CloseReason);
        if (mode == SocketWriteMode.Socket)
        {
            // Every write, the first (101 + welcome) included, went to the socket; the pipe carried nothing.
            Assert.Equal(0, Interlocked.Read(ref _pumpedBytes));
            Assert.True(connection.SocketWrites > 0, "the writes were counted as direct");
        }
        else
        {
            Assert.Equal(wire.TotalBytes, Interlocked.Read(ref _pumpedBytes));
            Assert.Equal(0, connection.SocketWrites);
        }
    }

    [Fact]
    public void Validate_RefusesAnUndefinedSocketWriteMode()
    {
        var options = new StreamOptions { SocketWriteMode = (SocketWriteMode)7 };
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(StreamOptions.SocketWriteMode), error.ParamName);
        new StreamOptions { SocketWriteMode = SocketWriteMode.Pipe }.Validate();
        Assert.Equal(SocketWriteMode.Socket, new StreamOptions().SocketWriteMode);
    }

    public async ValueTask DisposeAsync()
    {
        await _input.Writer.CompleteAsync();
        await _output.Reader.CompleteAsync();
        _client.Dispose();
        _serverSide.Dispose();
        _timeout.Dispose();
    }

    // What Kestrel's socket transport receive loop would do: bytes from the socket into the input pipe (here the test
    // writes them itself).
    private async Task SendToServerAsync(byte[] bytes)
    {
        await _input.Writer.WriteAsync(bytes, Token);
    }

    // What Kestrel's socket transport send loop does, late: everything flushed into the output pipe goes to the socket.
    private async Task PumpOutputToSocketAsync()
    {
        PipeReader reader = _output.Reader;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                await Task.Delay(s_pumpDelay, Token);
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    int sent = 0;
                    while (sent < segment.Length)
                    {
                        sent += await _serverSide.SendAsync(segment[sent..], SocketFlags.None, Token);
                    }
                }

                Interlocked.Add(ref _pumpedBytes, buffer.Length);
            }

            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private static byte[] ClientFrame(byte firstByte, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[FrameWriter.GetHeaderLength(payload.Length, masked: true) + payload.Length];
        FrameWriter.WriteFrame(frame, WebSocketOpcode.Binary, true, false, payload, 0x12345678);
        frame[0] = firstByte;
        return frame;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket { get; } = socket;
    }

    /// <summary>The client's view: one byte stream, read as an HTTP head and then unmasked server frames.</summary>
    private sealed class WireReader(Socket socket)
    {
        private static readonly byte[] StatusLine = Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\n");

        private readonly List<byte> _pending = [];

        public long TotalBytes { get; private set; }

        public async Task<string> ReadHeadAsync(CancellationToken token)
        {
            int end;
            while ((end = IndexOfHeadEnd()) < 0)
            {
                await FillAsync(token);

                // Fails at once, not at the timeout, when a frame overtook the 101.
                int prefix = Math.Min(_pending.Count, StatusLine.Length);
                Assert.True(
                    _pending.Take(prefix).SequenceEqual(StatusLine.Take(prefix)),
                    $"the stream starts with {Convert.ToHexString([.. _pending.Take(16)])}, not the 101 status line");
            }

            string head = Encoding.ASCII.GetString([.. _pending.Take(end + 4)]);
            _pending.RemoveRange(0, end + 4);
            return head;
        }

        public async Task<ParsedFrame> ReadFrameAsync(CancellationToken token)
        {
            while (true)
            {
                int length = FrameLength();
                if (length > 0)
                {
                    ParsedFrame frame = ParsedFrame.ParseSingle([.. _pending.Take(length)]);
                    _pending.RemoveRange(0, length);
                    return frame;
                }

                await FillAsync(token);
            }
        }

        private int IndexOfHeadEnd()
        {
            for (int i = 0; i + 3 < _pending.Count; i++)
            {
                if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        // The whole frame's length once its header and payload are buffered; 0 until then.
        private int FrameLength()
        {
            if (_pending.Count < 2)
            {
                return 0;
            }

            int length = _pending[1] & 0x7F;
            int header = 2;
            if (length == 126)
            {
                if (_pending.Count < 4)
                {
                    return 0;
                }

                length = (_pending[2] << 8) | _pending[3];
                header = 4;
            }
            else if (length == 127)
            {
                Assert.Fail("no test frame is that large");
            }

            return _pending.Count >= header + length ? header + length : 0;
        }

        private async Task FillAsync(CancellationToken token)
        {
            byte[] chunk = new byte[4096];
            int read = await socket.ReceiveAsync(chunk, SocketFlags.None, token);
            Assert.True(read > 0, "the server side ended before the expected bytes arrived");
            _pending.AddRange(chunk.AsSpan(0, read));
            TotalBytes += read;
        }
    }
}
