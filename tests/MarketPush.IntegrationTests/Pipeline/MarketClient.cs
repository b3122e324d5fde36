using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>
/// A market-data client for the pipeline tests: a ClientWebSocket on the JSON or MessagePack subprotocol whose
/// messages come back as JSON (MessagePack decoded by <see cref="MessagePackJson"/>) with the local receive time, so
/// tests can check order, content and tick-to-receive latency. Optionally with a small socket receive buffer, so that
/// "stops reading" backs up to the server quickly instead of into megabytes of kernel buffers.
/// </summary>
internal sealed class MarketClient : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[256 * 1024];
    private readonly HttpMessageInvoker? _invoker;
    private Task<Received?>? _pending;

    private MarketClient(ClientWebSocket socket, HttpMessageInvoker? invoker, bool messagePack)
    {
        Socket = socket;
        _invoker = invoker;
        MessagePack = messagePack;
    }

    public ClientWebSocket Socket { get; }

    public bool MessagePack { get; }

    public static async Task<MarketClient> ConnectAsync(ServerScope server, bool messagePack = false, int receiveBufferBytes = 0)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.AddSubProtocol(messagePack ? "marketpush.v1.msgpack" : "marketpush.v1.json");
        HttpMessageInvoker? invoker = null;
        if (receiveBufferBytes > 0)
        {
            // The kernel doubles SO_RCVBUF and caps the TCP window by it: the server's writes back up after a few KiB.
            invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBufferBytes, NoDelay = true };
                    try
                    {
                        await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                        return new NetworkStream(tcp, ownsSocket: true);
                    }
                    catch
                    {
                        tcp.Dispose();
                        throw;
                    }
                },
            });
        }

        await socket.ConnectAsync(server.Host.StreamUri, invoker, server.Token);
        return new MarketClient(socket, invoker, messagePack);
    }

    /// <summary>Sends a command written as JSON (converted to a MessagePack map on a MessagePack connection).</summary>
    public Task SendAsync(string json, CancellationToken cancellationToken) =>
        MessagePack
            ? Socket.SendAsync(MessagePackJson.Encode(JsonNode.Parse(json)!), WebSocketMessageType.Binary, true, cancellationToken)
            : Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next message (null once the server closed), with its receive time and, for MessagePack, the raw bytes.</summary>
    public async Task<Received?> ReceiveAsync(CancellationToken cancellationToken)
    {
        Task<Received?> receive = _pending ??= ReceiveCoreAsync(cancellationToken);
        Received? received = await receive;
        _pending = null;
        return received;
    }

    /// <summary>Receives until a message matches (returning it); everything before it is added to <paramref name="skipped"/>.</summary>
    public async Task<Received> ReceiveUntilAsync(Func<JsonElement, bool> match, CancellationToken cancellationToken, List<Received>? skipped = null)
    {
        while (true)
        {
            Received received = await ReceiveAsync(cancellationToken)
                ?? throw new Xunit.Sdk.XunitException($"the server closed the connection ({(int?)Socket.CloseStatus} {Socket.CloseStatusDescription})");
            if (match(received.Message))
            {
                return received;
            }

            skipped?.Add(received);
        }
    }

    public Task<Received> ReceiveTypeAsync(string type, CancellationToken cancellationToken, List<Received>? skipped = null) =>
        ReceiveUntilAsync(m => m.GetProperty("type").GetString() == type, cancellationToken, skipped);

    /// <summary>
    /// Everything that arrives until <paramref name="until"/> (wall clock), or until the server closes. A receive
    /// still waiting at the deadline is kept for the next call rather than cancelled (cancelling aborts the socket).
    /// </summary>
    public async Task<List<Received>> ReceiveUntilTimeAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var messages = new List<Received>();
        while (true)
        {
            TimeSpan left = until - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return messages;
            }

            Task<Received?> receive = _pending ??= ReceiveCoreAsync(cancellationToken);
            if (!receive.IsCompleted)
            {
                await Task.WhenAny(receive, Task.Delay(left, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                if (!receive.IsCompleted)
                {
                    return messages;
                }
            }

            _pending = null;
            Received? received = await receive;
            if (received is null)
            {
                return messages;
            }

            messages.Add(received);
        }
    }

    /// <summary>Receives (and drops) everything until the server closes; returns the close status it sent.</summary>
    public async Task<(WebSocketCloseStatus? Status, int Messages)> ReadToCloseAsync(CancellationToken cancellationToken)
    {
        int count = 0;
        while (await ReceiveAsync(cancellationToken) is not null)
        {
            count++;
        }

        return (Socket.CloseStatus, count);
    }

    private async Task<Received?> ReceiveCoreAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await Socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                long receivedMicros = NowMicros();
                Assert.Equal(MessagePack ? WebSocketMessageType.Binary : WebSocketMessageType.Text, result.MessageType);
                return new Received(_buffer.AsSpan(0, length).ToArray(), receivedMicros, MessagePack);
            }

            Assert.True(length < _buffer.Length, "message larger than the test buffer");
        }
    }

    public static long NowMicros() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        Socket.Dispose();
        _invoker?.Dispose();
    }
}
