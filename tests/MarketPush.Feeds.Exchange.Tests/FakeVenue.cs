using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MarketPush.Feeds.Exchange.Tests;

/// <summary>
/// A Coinbase-Exchange-style venue for the tests: a Kestrel WebSocket server on 127.0.0.1 (ephemeral port) that keeps
/// an L2 book and a sequence counter per product, answers <c>subscribe</c>/<c>unsubscribe</c> (a level2 subscription
/// gets a snapshot at the current sequence), and sends the events the test makes happen to every connection
/// subscribed to them. Misbehaviour on demand: <see cref="DropConnectionsAsync"/> (abort every socket),
/// <see cref="L2UpdateAsync"/> with <c>lose: true</c> (the book changes, the sequence advances, the message is never
/// sent), <see cref="StallConnections"/> (open sockets get nothing more), <see cref="RejectUpgrades"/> (503).
/// Every send is serialised by one lock, so each connection sees messages in sequence order.
/// </summary>
internal sealed class FakeVenue : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly List<Connection> _connections = [];
    private readonly Dictionary<string, Product> _products = new(StringComparer.Ordinal);
    private int _accepted;

    private FakeVenue(WebApplication app, IEnumerable<string> products)
    {
        _app = app;
        foreach (string product in products)
        {
            _products[product] = new Product();
        }
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>WebSocket connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>When each upgrade request arrived (accepted or rejected).</summary>
    public ConcurrentQueue<DateTime> Attempts { get; } = new();

    /// <summary>Every message clients sent, as text, in arrival order.</summary>
    public ConcurrentQueue<string> ClientMessages { get; } = new();

    /// <summary>Answer upgrade requests with 503 (the venue is down).</summary>
    public bool RejectUpgrades { get; set; }

    public static async Task<FakeVenue> StartAsync(params string[] products)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var venue = new FakeVenue(app, products);
        app.UseWebSockets();
        app.Map("/ws", venue.HandleAsync);
        await app.StartAsync();
        venue.Url = new Uri(app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal) + "/ws");
        return venue;
    }

    /// <summary>Sets levels without telling anyone (the state before the first snapshot).</summary>
    public void Seed(string product, IEnumerable<(string Side, decimal Price, decimal Size)> levels)
    {
        Product p = _products[product];
        foreach ((string side, decimal price, decimal size) in levels)
        {
            p.Apply(side, price, size);
        }
    }

    public long Sequence(string product) => _products[product].Sequence;

    /// <summary>The venue's book, best first.</summary>
    public (List<(decimal Price, decimal Size)> Bids, List<(decimal Price, decimal Size)> Asks) Book(string product)
    {
        Product p = _products[product];
        return ([.. p.Bids.Reverse().Select(static kv => (kv.Key, kv.Value))], [.. p.Asks.Select(static kv => (kv.Key, kv.Value))]);
    }

    public Task TickerAsync(string product, decimal bid, decimal bidSize, decimal ask, decimal askSize) =>
        EventAsync(product, "ticker", p => $$"""{"type":"ticker","sequence":{{p.Sequence}},"product_id":"{{product}}","price":"{{Text(ask)}}","best_bid":"{{Text(bid)}}","best_bid_size":"{{Text(bidSize)}}","best_ask":"{{Text(ask)}}","best_ask_size":"{{Text(askSize)}}","side":"buy","time":"2025-11-21T14:30:00.123456Z"}""");

    public Task MatchAsync(string product, decimal price, decimal size, string makerSide) =>
        EventAsync(product, "matches", p => $$"""{"type":"match","trade_id":{{p.Sequence}},"maker_order_id":"m","taker_order_id":"t","sequence":{{p.Sequence}},"product_id":"{{product}}","size":"{{Text(size)}}","price":"{{Text(price)}}","side":"{{makerSide}}","time":"2025-11-21T14:30:01.5Z"}""");

    /// <summary>Changes the book; with <paramref name="lose"/> the update's message is never sent (a sequence gap).</summary>
    public Task L2UpdateAsync(string product, (string Side, decimal Price, decimal Size)[] changes, bool lose = false) =>
        EventAsync(product, "level2", p =>
        {
            foreach ((string side, decimal price, decimal size) in changes)
            {
                p.Apply(side, price, size);
            }

            string list = string.Join(',', changes.Select(static c => $"[\"{c.Side}\",\"{Text(c.Price)}\",\"{Text(c.Size)}\"]"));
            return lose ? null : $$"""{"type":"l2update","sequence":{{p.Sequence}},"product_id":"{{product}}","changes":[{{list}}],"time":"2025-11-21T14:30:02Z"}""";
        });

    /// <summary>A heartbeat carrying the product's last sequence (not an event itself).</summary>
    public async Task HeartbeatAsync(string product)
    {
        await _send.WaitAsync();
        try
        {
            await BroadcastAsync(product, "heartbeat", $$"""{"type":"heartbeat","sequence":{{_products[product].Sequence}},"product_id":"{{product}}","last_trade_id":1,"time":"2025-11-21T14:30:03Z"}""", anyChannel: true);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Any text to every open connection.</summary>
    public async Task SendRawAsync(string text)
    {
        await _send.WaitAsync();
        try
        {
            foreach (Connection connection in Live())
            {
                await connection.SendAsync(text);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Aborts every open connection (no close handshake: a reset).</summary>
    public async Task DropConnectionsAsync()
    {
        await _send.WaitAsync();
        try
        {
            foreach (Connection connection in Live())
            {
                connection.Socket.Abort();
            }
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The connections open now stay open but never get another message; new ones work normally.</summary>
    public void StallConnections()
    {
        foreach (Connection connection in Live())
        {
            connection.Stalled = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropConnectionsAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _send.Dispose();
    }

    private static string Text(decimal value) => value.ToString("0.00000000", CultureInfo.InvariantCulture);

    private List<Connection> Live()
    {
        lock (_connections)
        {
            return [.. _connections];
        }
    }

    private async Task EventAsync(string product, string channel, Func<Product, string?> describe)
    {
        await _send.WaitAsync();
        try
        {
            Product p = _products[product];
            p.Sequence++;
            string? message = describe(p);
            if (message is not null)
            {
                await BroadcastAsync(product, channel, message, anyChannel: false);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task BroadcastAsync(string product, string channel, string message, bool anyChannel)
    {
        foreach (Connection connection in Live())
        {
            if (!connection.Stalled && (anyChannel ? connection.Subscribed(product) : connection.Subscribed(product, channel)))
            {
                await connection.SendAsync(message);
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        Attempts.Enqueue(DateTime.UtcNow);
        if (RejectUpgrades || !context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(socket);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        Interlocked.Increment(ref _accepted);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                string text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                ClientMessages.Enqueue(text);
                await OnClientMessageAsync(connection, text);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Dropped by the test or by the client.
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(connection);
            }
        }
    }

    private async Task OnClientMessageAsync(Connection connection, string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        string type = document.RootElement.GetProperty("type").GetString()!;
        string[] products = [.. document.RootElement.GetProperty("product_ids").EnumerateArray().Select(static e => e.GetString()!)];
        string[] channels = [.. document.RootElement.GetProperty("channels").EnumerateArray().Select(static e => e.GetString()!)];
        await _send.WaitAsync();
        try
        {
            foreach (string product in products)
            {
                foreach (string channel in channels)
                {
                    if (type == "subscribe")
                    {
                        connection.Subscriptions.Add((product, channel));
                    }
                    else
                    {
                        connection.Subscriptions.Remove((product, channel));
                    }
                }
            }

            if (type != "subscribe" || connection.Stalled)
            {
                return;
            }

            await connection.SendAsync($$"""{"type":"subscriptions","channels":[{"name":"level2","product_ids":["{{string.Join("\",\"", products)}}"]}]}""");
            if (channels.Contains("level2"))
            {
                foreach (string product in products)
                {
                    Product p = _products[product];
                    string bids = string.Join(',', p.Bids.Reverse().Select(static kv => $"[\"{Text(kv.Key)}\",\"{Text(kv.Value)}\"]"));
                    string asks = string.Join(',', p.Asks.Select(static kv => $"[\"{Text(kv.Key)}\",\"{Text(kv.Value)}\"]"));
                    await connection.SendAsync($$"""{"type":"snapshot","sequence":{{p.Sequence}},"product_id":"{{product}}","bids":[{{bids}}],"asks":[{{asks}}]}""");
                }
            }
        }
        finally
        {
            _send.Release();
        }
    }

    private sealed class Product
    {
        public SortedDictionary<decimal, decimal> Bids { get; } = [];

        public SortedDictionary<decimal, decimal> Asks { get; } = [];

        public long Sequence { get; set; } = 1000;

        public void Apply(string side, decimal price, decimal size)
        {
            SortedDictionary<decimal, decimal> book = side == "buy" ? Bids : Asks;
            if (size == 0)
            {
                book.Remove(price);
            }
            else
            {
                book[price] = size;
            }
        }
    }

    private sealed class Connection(WebSocket socket)
    {
        public WebSocket Socket { get; } = socket;

        public HashSet<(string Product, string Channel)> Subscriptions { get; } = [];

        public bool Stalled { get; set; }

        public bool Subscribed(string product, string channel) => Subscriptions.Contains((product, channel));

        public bool Subscribed(string product) => Subscriptions.Any(s => s.Product == product);

        public async Task SendAsync(string text)
        {
            try
            {
                if (Socket.State == WebSocketState.Open)
                {
                    await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
            {
                // The client went away mid-send.
            }
        }
    }
}
