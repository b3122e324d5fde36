namespace MarketPush.Engine.Feeds;

/// <summary>Settings of <see cref="SyntheticFeed"/> (<c>--seed</c>, <c>--rate</c> on the command line).</summary>
public sealed class SyntheticFeedOptions
{
    /// <summary>Same seed and catalog, same sequence of events (timestamps aside).</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// Quote updates per second across all instruments, spread evenly (round robin). Trades and book updates come
    /// on top. Zero or less: unpaced, as fast as the channel accepts (benchmarks).
    /// </summary>
    public double QuotesPerSecond { get; init; } = 1_000;

    /// <summary>Probability that a quote event is preceded by a trade: 0.2 is one trade per five quotes.</summary>
    public double TradesPerQuote { get; init; } = 0.2;

    /// <summary>Probability that a quote event is followed by a book update: 0.5 is one per two quotes.</summary>
    public double BookUpdatesPerQuote { get; init; } = 0.5;
}
