namespace MarketPush.Feeds.Exchange;

/// <summary>Settings of an <see cref="ExchangeFeed"/> (from a <c>Feeds</c> entry of kind <c>exchange</c> via <see cref="ExchangeFeedFactory"/>).</summary>
public sealed class ExchangeFeedOptions
{
    /// <summary>The venue's WebSocket endpoint, e.g. <c>wss://ws-feed.exchange.coinbase.com</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>Venue product ids (<c>BTC-USD</c>); each must be in the catalog as <see cref="SymbolPrefix"/> + id.</summary>
    public required IReadOnlyList<string> Products { get; init; }

    public string Name { get; init; } = "exchange";

    /// <summary>The feed's namespace: the venue's BTC-USD is the server's <c>CB:BTC-USD</c>.</summary>
    public string SymbolPrefix { get; init; } = "CB:";

    /// <summary><c>level2</c>, or <c>level2_batch</c> where the venue gates level2 behind authentication (same messages).</summary>
    public string Level2Channel { get; init; } = "level2";

    /// <summary>
    /// The server's sizes are integers: venue sizes (0.45054140 BTC) are published in units of 10^-SizeDecimals
    /// (8: satoshis). A venue size with more decimals is rounded, and a non-zero size never rounds to 0 (which would remove a level).
    /// </summary>
    public int SizeDecimals { get; init; } = 8;

    /// <summary>No message at all (heartbeats included) for this long: the connection is dead, reconnect.</summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connecting (TCP, TLS, upgrade) gives up after this long.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of each reconnect delay that is random (see <c>ExponentialBackoff</c>).</summary>
    public double ReconnectJitter { get; init; } = 0.5;

    /// <summary>Largest venue message accepted (a full-depth level2 snapshot of a busy product is several MB).</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;
}
