using System.Globalization;
using System.Net.WebSockets;
using MarketPush.Server;

namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// The traffic a production server sees in a few seconds, over loopback against one in-process server: JSON, MessagePack
/// and permessage-deflate readers, a client that subscribes to everything and stops reading (conflation, drops, then a
/// 4001 close), clients that come and go with a normal close, malformed upgrades, and clients up to the connection
/// limit plus one that gets refused. Every outcome is written to <see cref="Events"/> so a failure message tells what
/// the server went through.
/// </summary>
/// <remarks>
/// Owns every client it opened; disposing closes them normally, bounded per client. Called from the test's flow only
/// (the stalled client's wait runs beside the churn, so the event log is locked); each client's read loop runs on the
/// thread pool.
/// </remarks>
internal sealed class MarketLoad : IAsyncDisposable
{
    private static readonly string s_allSymbols = string.Join(',', Enumerable.Range(0, 20).Select(i => $"\"SYM{i:D4}\""));

    private readonly MarketPushHost _host;
    private readonly CancellationToken _token;
    private readonly List<ObservedClient> _clients = [];
    private readonly List<string> _events = [];

    public MarketLoad(MarketPushHost host, CancellationToken token)
    {
        _host = host;
        _token = token;
    }

    /// <summary>What happened, in order (for assertion messages).</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Messages all clients have read so far.</summary>
    public long MessagesRead => _clients.Sum(c => c.Messages);

    /// <summary>
    /// Three JSON readers on a few symbols, a MessagePack reader on everything with books, and a deflate reader on deep
    /// books (its messages are over the compression threshold, so they are compressed once per message and shared).
    /// </summary>
    public async Task StartReadersAsync()
    {
        for (int i = 0; i < 3; i++)
        {
            string symbols = string.Join(',', Enumerable.Range(i * 5, 5).Select(s => $"\"SYM{s:D4}\""));
            await OpenReaderAsync($"json reader {i}", messagePack: false, deflate: false,
                $$"""{"op":"subscribe","symbols":[{{symbols}}],"channels":["quote","trade"]}""");
        }

        await OpenReaderAsync("msgpack reader", messagePack: true, deflate: false,
            $$"""{"op":"subscribe","symbols":[{{s_allSymbols}}],"channels":["quote","trade","book"],"depth":5}""");
        ObservedClient deflate = await OpenReaderAsync("deflate reader", messagePack: false, deflate: true,
            $$"""{"op":"subscribe","symbols":[{{s_allSymbols}}],"channels":["quote","book"],"depth":20}""");
        Assert.True(deflate.Compressed, "the deflate reader did not negotiate permessage-deflate");
    }

    /// <summary>
    /// A client subscribes to everything at the deepest book with a 4 KiB receive buffer and never reads: its queue
    /// fills, the server conflates and drops for it, then closes it with 4001 after slowConsumerMs. Returns once the
    /// server has counted the close and the client's connection has ended.
    /// </summary>
    public async Task StallUntilClosedAsSlowConsumerAsync(TimeSpan timeout)
    {
        ObservedClient stalled = await ObservedClient.ConnectAsync(_host.StreamUri, messagePack: false, deflate: false, receiveBufferBytes: 4096, _token);
        _clients.Add(stalled);
        await stalled.SendAsync($$"""{"op":"subscribe","symbols":[{{s_allSymbols}}],"channels":["quote","trade","book"],"depth":50}""", _token);
        Log("stalled client subscribed to 20 symbols, quote+trade+book depth 50, and stopped reading");

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_token);
        bounded.CancelAfter(timeout);
        try
        {
            while (_host.Composition.Totals.SlowConsumerCloses == 0)
            {
                await Task.Delay(50, bounded.Token);
            }

            // Reading at last, it finds the buffered data and then the 4001 (or an abort if the close handshake timed out).
            await stalled.WaitForServerCloseAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!_token.IsCancellationRequested)
        {
            Log($"stalled client: no slow-consumer close within {timeout.TotalSeconds} s");
            throw new Xunit.Sdk.XunitException($"The stalled client was not closed as a slow consumer within {timeout.TotalSeconds} s. "
                + $"Server totals: conflated {_host.Composition.Totals.Conflated}, dropped {_host.Composition.Totals.Dropped}.");
        }

        Log($"stalled client closed by the server: {(stalled.CloseStatus is { } status ? ((int)status).ToString(CultureInfo.InvariantCulture) : "aborted")}; "
            + $"server totals: conflated {_host.Composition.Totals.Conflated}, dropped {_host.Composition.Totals.Dropped}, slow-consumer closes {_host.Composition.Totals.SlowConsumerCloses}");
    }

    /// <summary>Clients that connect, subscribe, read for a moment and close normally (1000), one after another.</summary>
    public async Task ChurnAsync(int clients, TimeSpan each)
    {
        for (int i = 0; i < clients; i++)
        {
            await using ObservedClient client = await ObservedClient.ConnectAsync(_host.StreamUri, messagePack: (i & 1) == 1, deflate: false, 0, _token);
            client.StartReading(_token);
            await client.SendAsync("""{"op":"subscribe","symbols":["SYM0001","SYM0002"],"channels":["quote","trade","book"],"depth":1}""", _token);
            await Task.Delay(each, _token);
            await client.CloseAsync(_token);
            Log($"churn client {i}: read {client.Messages} messages, closed normally");
        }
    }

    /// <summary>Upgrade requests no server may accept: a missing key (400) and a version other than 13 (426).</summary>
    public async Task SendBadHandshakesAsync()
    {
        foreach ((string name, string request) in new[]
        {
            ("missing key", Upgrade(key: null, version: "13")),
            ("version 8", Upgrade(key: RawWebSocketClient.SampleKey, version: "8")),
        })
        {
            HttpResult result = await RawWebSocketClient.SendHttpAsync(_host.Port, request, _token);
            Log($"bad handshake ({name}): HTTP {result.StatusCode}");
            Assert.True(result.StatusCode is >= 400 and < 500, $"bad handshake ({name}) answered {result.StatusCode}");
        }
    }

    /// <summary>
    /// Opens idle readers until <paramref name="limit"/> connections are open, then one more upgrade, which the server
    /// must refuse; returns the refusal's HTTP status (503 expected).
    /// </summary>
    public async Task<int> FillToLimitAndOverflowAsync(int limit)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_token);
        bounded.CancelAfter(TimeSpan.FromSeconds(10));
        // Counted on the client side: a session the server is still closing (the stalled one) must not take a slot here.
        for (int open = _clients.Count(c => c.State == WebSocketState.Open); open < limit; open++)
        {
            ObservedClient idle = await ObservedClient.ConnectAsync(_host.StreamUri, messagePack: false, deflate: false, 0, bounded.Token);
            _clients.Add(idle);
            idle.StartReading(_token);
        }

        while (_host.SessionCount != limit)
        {
            await Task.Delay(20, bounded.Token); // a session registers right after its 101, and leaves after its close
        }

        Log($"{_host.SessionCount} sessions open (limit {limit})");
        HttpResult refused = await RawWebSocketClient.SendHttpAsync(_host.Port, Upgrade(RawWebSocketClient.SampleKey, "13"), _token);
        Log($"upgrade over the limit: HTTP {refused.StatusCode}");
        return refused.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ObservedClient client in _clients)
        {
            await client.DisposeAsync();
        }

        _clients.Clear();
    }

    private async Task<ObservedClient> OpenReaderAsync(string name, bool messagePack, bool deflate, string subscribe)
    {
        ObservedClient client = await ObservedClient.ConnectAsync(_host.StreamUri, messagePack, deflate, 0, _token);
        _clients.Add(client);
        client.StartReading(_token);
        await client.SendAsync(subscribe, _token);
        Log($"{name} connected{(client.Compressed ? " with permessage-deflate" : string.Empty)} and subscribed");
        return client;
    }

    private static string Upgrade(string? key, string version) =>
        "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + (key is null ? string.Empty : $"Sec-WebSocket-Key: {key}\r\n")
        + $"Sec-WebSocket-Version: {version}\r\n\r\n";

    // The stalled client's task logs while the churn runs: the only list two continuations may touch at once.
    private void Log(string message)
    {
        lock (_events)
        {
            _events.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {message}");
        }
    }
}
