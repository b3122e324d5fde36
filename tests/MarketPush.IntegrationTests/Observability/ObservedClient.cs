using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using MarketPush.IntegrationTests.Pipeline;

namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// One load client for the Prometheus test: a <see cref="ClientWebSocket"/> on the JSON or MessagePack subprotocol,
/// optionally with permessage-deflate or a tiny socket receive buffer, and (once <see cref="StartReading"/> is called)
/// a background loop that reads and counts messages until the server's close arrives. A client that never starts
/// reading is a stalled consumer: with a 4 KiB receive buffer the server's writes back up within milliseconds.
/// </summary>
/// <remarks>
/// Owns its socket (and the handler giving it the small buffer); the read loop is the only receiver, the test thread
/// the only sender, which is what <see cref="ClientWebSocket"/> allows. <see cref="CloseAsync"/> sends a normal
/// close and waits (bounded) for the loop to see the server's reply.
/// </remarks>
internal sealed class ObservedClient : IAsyncDisposable
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(3);

    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker? _invoker;
    private readonly bool _messagePack;
    private Task? _reading;
    private long _messages;

    private ObservedClient(ClientWebSocket socket, HttpMessageInvoker? invoker, bool messagePack)
    {
        _socket = socket;
        _invoker = invoker;
        _messagePack = messagePack;
    }

    /// <summary>Whole messages received so far (welcome and heartbeats included).</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>The close status the server sent, once the read loop saw it.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public bool Compressed { get; private set; }

    public WebSocketState State => _socket.State;

    public static async Task<ObservedClient> ConnectAsync(
        Uri streamUri, bool messagePack, bool deflate, int receiveBufferBytes, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.AddSubProtocol(messagePack ? "marketpush.v1.msgpack" : "marketpush.v1.json");
        if (deflate)
        {
            socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false };
        }

        HttpMessageInvoker? invoker = receiveBufferBytes > 0 ? SmallReceiveBuffer(receiveBufferBytes) : null;
        try
        {
            await socket.ConnectAsync(streamUri, invoker, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            invoker?.Dispose();
            throw;
        }

        var client = new ObservedClient(socket, invoker, messagePack)
        {
            Compressed = socket.HttpResponseHeaders is { } headers && headers.TryGetValue("Sec-WebSocket-Extensions", out IEnumerable<string>? extensions)
                && extensions.Any(e => e.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase)),
        };
        return client;
    }

    /// <summary>Sends a command written as JSON (as a MessagePack map on a MessagePack connection).</summary>
    public Task SendAsync(string json, CancellationToken cancellationToken) =>
        _messagePack
            ? _socket.SendAsync(MessagePackJson.Encode(JsonNode.Parse(json)!), WebSocketMessageType.Binary, true, cancellationToken)
            : _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Starts the read loop (once): from now on the client keeps up with whatever the server sends.</summary>
    public void StartReading(CancellationToken cancellationToken) => _reading ??= ReadUntilClosedAsync(cancellationToken);

    /// <summary>Waits until the server has closed this client (its read loop ended), bounded by the token.</summary>
    public async Task WaitForServerCloseAsync(CancellationToken cancellationToken)
    {
        StartReading(cancellationToken);
        await _reading!.WaitAsync(cancellationToken);
    }

    /// <summary>A normal client close (1000): send it, then let the read loop take the server's reply.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_socket.State == WebSocketState.Open)
        {
            StartReading(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_closeTimeout);
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
                await _reading!.WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
            {
                // The server already went away (shutdown) or did not answer in time; disposing aborts the socket.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(CancellationToken.None);
        _socket.Dispose();
        _invoker?.Dispose();
        if (_reading is not null)
        {
            // Ends at once now that the socket is disposed; its exceptions are expected and already handled.
            await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Answer the server's close as a library client does (RFC 6455 §5.5.1: echo the code), so the
                    // server ends the session now rather than after its close timeout.
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    }

                    return;
                }

                if (result.EndOfMessage)
                {
                    Interlocked.Increment(ref _messages);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted (test over, or the server gave up on a close handshake): the loop's job is done either way.
        }
    }

    // The kernel doubles SO_RCVBUF and caps the TCP window by it: the server's writes back up after a few KiB.
    private static HttpMessageInvoker SmallReceiveBuffer(int receiveBufferBytes) => new(new SocketsHttpHandler
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
