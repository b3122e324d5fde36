using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Feeds.Exchange;

/// <summary>
/// An upstream venue connection speaking Coinbase-Exchange-style WebSocket JSON, as a feed adapter. It subscribes to
/// <c>ticker</c> (→ quotes), <c>matches</c> (→ trades), <c>level2</c> (snapshot + l2update → book levels) and
/// <c>heartbeat</c> for its products, and publishes them as <see cref="ExchangeFeedOptions.SymbolPrefix"/> + product
/// (<c>CB:BTC-USD</c>).
/// Sequence numbers: every message of a product carries <c>sequence</c>, consecutive per product (a heartbeat carries
/// the last one sent). A number that skips ahead means a message was lost: the book can no longer be trusted, so the
/// adapter stops applying updates to it and resubscribes that product's L2 channel (unsubscribe + subscribe), which
/// makes the venue send a fresh snapshot. The snapshot replaces the book; only the difference reaches the server,
/// so subscribers see one book update that makes their book right (see <see cref="ExchangeBook"/>). Older or repeated
/// numbers are ignored.
/// Connection: any failure (refused, reset, closed by the venue, a protocol error) or silence longer than
/// <see cref="ExchangeFeedOptions.SilenceTimeout"/> ends the connection; the adapter announces its products
/// <c>stale</c> (a status tick each, so subscribers know at once), waits an exponential backoff with jitter, and
/// reconnects; the backoff restarts from the initial delay after a connection that worked for a while. Only
/// cancellation ends <see cref="RunAsync"/>.
/// Threading: one task (the supervisor's) runs <see cref="RunAsync"/>, which receives, parses, and writes ticks; the
/// counters may be read from any thread. Allocation per message: none on the ticker/match/l2update path once the
/// receive buffer has grown (System.Text.Json's reader over the received bytes).
/// </summary>
public sealed partial class ExchangeFeed : IFeedAdapter
{
    /// <summary>A connection that stayed up this long counts as healthy: the next reconnect starts from the initial delay.</summary>
    private static readonly TimeSpan s_healthyConnection = TimeSpan.FromSeconds(5);

    private readonly ExchangeFeedOptions _options;
    private readonly ExchangeProduct[] _products;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ExponentialBackoff _backoff;
    private readonly List<Tick> _pending = [];
    private readonly List<ExchangeProduct> _resyncRequests = [];
    private readonly long _startTimestamp;
    private readonly long _startMicros;
    private long _connectAttempts;
    private long _connections;
    private long _messages;
    private long _badMessages;
    private long _sequenceGaps;
    private long _resyncs;
    private long _snapshots;
    private string? _lastDisconnect;

    public ExchangeFeed(ExchangeFeedOptions options, InstrumentCatalog catalog, TimeProvider? timeProvider = null, ILogger? logger = null, Random? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        if (options.Url.Scheme != "ws" && options.Url.Scheme != "wss")
        {
            throw new ArgumentException($"'{options.Url}' is not a ws:// or wss:// URL.", nameof(options));
        }

        if (options.Products.Count == 0)
        {
            throw new ArgumentException("An exchange feed needs at least one product.", nameof(options));
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _backoff = new ExponentialBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.ReconnectJitter, jitter);
        _products = new ExchangeProduct[options.Products.Count];
        for (int i = 0; i < _products.Length; i++)
        {
            string symbol = options.SymbolPrefix + options.Products[i];
            if (!catalog.TryGet(symbol, out Instrument? instrument))
            {
                throw new ArgumentException($"'{symbol}' is not in the instrument catalog.", nameof(catalog));
            }

            _products[i] = new ExchangeProduct(options.Products[i], instrument.Id, instrument.Decimals);
        }

        _startTimestamp = _time.GetTimestamp();
        _startMicros = (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
    }

    public string Name => _options.Name;

    public ExchangeFeedOptions Options => _options;

    /// <summary>Connections tried (successful or not).</summary>
    public long ConnectAttempts => Interlocked.Read(ref _connectAttempts);

    /// <summary>Connections established (the first one, then every reconnect).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public long MessagesReceived => Interlocked.Read(ref _messages);

    /// <summary>Messages that could not be understood (malformed JSON, a price finer than the instrument's decimals, a venue error).</summary>
    public long BadMessages => Interlocked.Read(ref _badMessages);

    /// <summary>Upstream sequence numbers found skipped.</summary>
    public long SequenceGaps => Interlocked.Read(ref _sequenceGaps);

    /// <summary>Fresh snapshots requested because of a gap.</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <summary>Snapshots applied (one per product per connection, plus one per resync).</summary>
    public long Snapshots => Interlocked.Read(ref _snapshots);

    /// <summary>Why the last connection ended (for logs and /readyz details).</summary>
    public string? LastDisconnectReason => Volatile.Read(ref _lastDisconnect);

    public async Task RunAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (!cancellationToken.IsCancellationRequested)
        {
            long started = _time.GetTimestamp();
            bool worked = false;
            try
            {
                worked = await RunConnectionAsync(output, cancellationToken).ConfigureAwait(false);
                Disconnected("the venue closed the connection");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or TimeoutException or ExchangeProtocolException or OperationCanceledException or HttpRequestException)
            {
                Disconnected(ex.Message);
            }

            // Subscribers learn at once that these symbols stopped; the first update after reconnecting reopens them.
            await AnnounceStaleAsync(output, cancellationToken).ConfigureAwait(false);
            if (worked && _time.GetElapsedTime(started) >= s_healthyConnection)
            {
                _backoff.Reset();
            }

            TimeSpan delay = _backoff.Next();
            _logger.LogWarning("Feed {Feed}: disconnected from {Url} ({Reason}); reconnecting in {DelayMs} ms", Name, _options.Url, LastDisconnectReason, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection: connect, subscribe, receive until it fails. Returns whether it delivered anything.</summary>
    private async Task<bool> RunConnectionAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connectAttempts);
        using var socket = new ClientWebSocket();
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(_options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(_options.Url, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"connecting took longer than {_options.ConnectTimeout.TotalSeconds:0.#} s");
            }
        }

        Interlocked.Increment(ref _connections);
        foreach (ExchangeProduct product in _products)
        {
            // Sequence numbers and the book's validity do not survive a connection; the book itself is kept so the
            // next snapshot is published as a difference from what subscribers hold.
            product.LastSequence = 0;
            product.BookSynced = false;
            product.ResyncPending = false;
        }

        await SendAsync(socket, Subscription("subscribe", _products, ["ticker", "matches", _options.Level2Channel, "heartbeat"]), cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Feed {Feed}: connected to {Url}, {Products} products", Name, _options.Url, _products.Length);

        byte[] buffer = new byte[64 * 1024];
        bool delivered = false;
        using var silence = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using CancellationTokenRegistration stop = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), silence);
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxMessageBytes)
                    {
                        throw new ExchangeProtocolException($"a message is larger than {_options.MaxMessageBytes} bytes");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _options.MaxMessageBytes));
                }

                silence.CancelAfter(_options.SilenceTimeout);
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), silence.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no message from the venue for {_options.SilenceTimeout.TotalSeconds:0.#} s");
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return delivered;
                }

                length += result.Count;
            }
            while (!result.EndOfMessage);

            Interlocked.Increment(ref _messages);
            _pending.Clear();
            _resyncRequests.Clear();
            Handle(buffer.AsSpan(0, length), NowMicros());
            for (int i = 0; i < _pending.Count; i++)
            {
                Tick tick = _pending[i];
                if (!output.TryWrite(tick))
                {
                    await WriteSlowAsync(output, tick, cancellationToken).ConfigureAwait(false);
                }

                delivered = true;
            }

            foreach (ExchangeProduct product in _resyncRequests)
            {
                _logger.LogInformation("Feed {Feed}: sequence gap on {Product}; resubscribing for a fresh book snapshot", Name, product.ProductId);
                await SendAsync(socket, Subscription("unsubscribe", [product], [_options.Level2Channel]), cancellationToken).ConfigureAwait(false);
                await SendAsync(socket, Subscription("subscribe", [product], [_options.Level2Channel]), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Disconnected(string reason) => Volatile.Write(ref _lastDisconnect, reason);

    private async ValueTask AnnounceStaleAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken)
    {
        long now = NowMicros();
        foreach (ExchangeProduct product in _products)
        {
            if (!product.Live)
            {
                continue; // already announced (or never published): no repeat on every failed attempt
            }

            product.Live = false;
            product.AnnouncedStale = true;
            Tick stale = Tick.ForStatus(product.InstrumentId, now, FeedState.Stale);
            if (!output.TryWrite(stale))
            {
                await WriteSlowAsync(output, stale, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private long NowMicros() => _startMicros + (_time.GetElapsedTime(_startTimestamp).Ticks / TimeSpan.TicksPerMicrosecond);

    private static byte[] Subscription(string type, IEnumerable<ExchangeProduct> products, IEnumerable<string> channels)
    {
        var json = new StringBuilder();
        json.Append("{\"type\":\"").Append(type).Append("\",\"product_ids\":[");
        json.AppendJoin(',', products.Select(static p => "\"" + p.ProductId + "\""));
        json.Append("],\"channels\":[");
        json.AppendJoin(',', channels.Select(static c => "\"" + c + "\""));
        json.Append("]}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static Task SendAsync(ClientWebSocket socket, byte[] message, CancellationToken cancellationToken) =>
        socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static async ValueTask WriteSlowAsync(ChannelWriter<Tick> output, Tick tick, CancellationToken cancellationToken)
    {
        while (!output.TryWrite(tick))
        {
            if (!await output.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ChannelClosedException("The tick channel was completed while the exchange feed was running.");
            }
        }
    }
}
