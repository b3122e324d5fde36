using System.Net.WebSockets;
using MarketPush.Server;
using Microsoft.Extensions.Logging;

namespace MarketPush.IntegrationTests;

/// <summary>
/// One real server on 127.0.0.1 (ephemeral port) for one test, plus the clients the test opened. Disposing stops the
/// server gracefully and then fails the test if any frame is still out of the pool or was released twice: every
/// integration test is also a leak test.
/// </summary>
internal sealed class ServerScope : IAsyncDisposable
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _timeout;
    private readonly List<IDisposable> _clients = [];

    private ServerScope(MarketPushHost host, CancellationTokenSource timeout)
    {
        Host = host;
        _timeout = timeout;
    }

    public MarketPushHost Host { get; }

    /// <summary>Cancelled 30 s (or the timeout the test asked for) after the scope started: every await in a test uses it.</summary>
    public CancellationToken Token => _timeout.Token;

    /// <param name="timeout">The scope's whole budget; <see cref="TestTimeout"/> unless a test's own deadlines need more.</param>
    public static async Task<ServerScope> StartAsync(Action<ServerOptions>? configure = null, TimeSpan? timeout = null)
    {
        var cancellation = new CancellationTokenSource(timeout ?? TestTimeout);
        // A short shutdown timeout: a test that leaves a client unanswered should not wait 5 s at the end.
        var options = new ServerOptions { Port = 0, LogLevel = LogLevel.Warning, ShutdownTimeoutMs = 2_000 };
        configure?.Invoke(options);
        MarketPushHost host = await MarketPushHost.StartAsync(options, cancellation.Token);
        host.FramePool.RecordRentStacks = true;
        return new ServerScope(host, cancellation);
    }

    /// <summary>A connected ClientWebSocket (disposed with the scope). The welcome message is left unread.</summary>
    public async Task<ClientWebSocket> ConnectAsync(string? subprotocol = null, WebSocketDeflateOptions? deflate = null)
    {
        var client = new ClientWebSocket();
        _clients.Add(client);
        client.Options.CollectHttpResponseDetails = true;
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        if (subprotocol is not null)
        {
            client.Options.AddSubProtocol(subprotocol);
        }

        client.Options.DangerousDeflateOptions = deflate;
        await client.ConnectAsync(Host.StreamUri, Token);
        return client;
    }

    /// <summary>A raw TCP WebSocket client that completed the handshake (disposed with the scope).</summary>
    public async Task<RawWebSocketClient> ConnectRawAsync(string? extensions = null, string? protocol = null)
    {
        RawWebSocketClient client = await RawWebSocketClient.ConnectAsync(Host.Port, extensions, protocol, Token);
        _clients.Add(client);
        return client;
    }

    public Task WaitForSessionCountAsync(int count) =>
        Eventually.WaitUntilAsync(() => Host.SessionCount == count, TimeSpan.FromSeconds(10), $"the server counts {count} sessions", Token);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Clients leave first, as real ones do (library clients with a close handshake); then the server stops.
            foreach (IDisposable client in _clients)
            {
                if (client is ClientWebSocket { State: WebSocketState.Open } webSocket)
                {
                    using var closeTimeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
                    closeTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                    try
                    {
                        await webSocket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, closeTimeout.Token);
                    }
                    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                    {
                        // The test left it in a state where a clean close is impossible; disposing aborts it.
                    }
                }

                client.Dispose();
            }

            await Host.StopAsync().WaitAsync(Token);

            Assert.True(Host.SessionCount == 0, $"{Host.SessionCount} session(s) still registered after stop");
            Assert.True(Host.FramePool.Outstanding == 0, "Frame leak: " + Host.FramePool.DescribeOutstanding());
            Assert.True(Host.FramePool.DoubleReleases == 0, "Double release: " + Host.FramePool.DescribeOutstanding());
        }
        finally
        {
            await Host.DisposeAsync();
            _timeout.Dispose();
        }
    }
}
