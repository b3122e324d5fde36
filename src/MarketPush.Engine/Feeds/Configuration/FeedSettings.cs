using MarketPush.Engine.Feeds.Replay;

namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// One configured feed: an entry of the <c>Feeds</c> section of appsettings.json or one <c>--feed</c> flag, already
/// validated by <see cref="FeedConfiguration"/>. Common settings first, then the ones each kind reads. The factory of
/// the kind turns it into an adapter (<see cref="IFeedFactory"/>).
/// </summary>
public sealed record FeedSettings
{
    /// <summary>Where the entry came from (<c>Feeds:1</c> or <c>--feed</c>): error messages name it.</summary>
    public string Key { get; init; } = "--feed";

    /// <summary>Unique feed name: the <c>feed</c> metrics label and log name. Defaults to the kind (then kind-2, …).</summary>
    public string Name { get; init; } = "";

    public FeedKind Kind { get; init; }

    /// <summary>
    /// The feed's symbol namespace, prepended to every symbol it publishes (<c>CB:</c> makes the venue's BTC-USD the
    /// server's <c>CB:BTC-USD</c>). Defaults: empty for synthetic and replay feeds, <c>CB:</c> for exchange feeds.
    /// </summary>
    public string Prefix { get; init; } = "";

    /// <summary>A symbol with no update for this long is announced <c>stale</c>.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Full ingest channel: exchange feeds drop the oldest (they must keep reading the socket), the others wait.</summary>
    public FeedOverflowMode Overflow { get; init; }

    public int ChannelCapacity { get; init; } = Ingest.IngestChannel.DefaultCapacity;

    public TimeSpan RestartInitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RestartMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    // Synthetic ----------------------------------------------------------------------------------------------

    /// <summary>Synthetic: 0 = the built-in instrument list; N = generated SYM0000…SYM{N-1}.</summary>
    public int Symbols { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>Synthetic quote updates per second over all its symbols (0 = unpaced).</summary>
    public double Rate { get; init; } = 2_000;

    // Replay -------------------------------------------------------------------------------------------------

    /// <summary>Replay: the capture file.</summary>
    public string? Path { get; init; }

    /// <summary>Replay speed: 1, 10, … or <see cref="ReplayFeedOptions.MaxSpeed"/>.</summary>
    public double Speed { get; init; } = 1;

    public bool Loop { get; init; }

    /// <summary>Replay: wait this long before the first event (subscribers connect first).</summary>
    public TimeSpan StartDelay { get; init; }

    // Exchange -----------------------------------------------------------------------------------------------

    /// <summary>Exchange: the venue's WebSocket URL (ws:// or wss://).</summary>
    public Uri? Url { get; init; }

    /// <summary>Exchange: the venue's product ids with the price decimals to publish them at.</summary>
    public IReadOnlyList<ProductSetting> Products { get; init; } = [];

    /// <summary>Exchange: the L2 channel to subscribe (<c>level2</c>, or <c>level2_batch</c> on venues that gate level2).</summary>
    public string Level2Channel { get; init; } = "level2";

    /// <summary>Exchange: sizes are published as integers in units of 10^-SizeDecimals (8: one unit = 0.00000001 BTC).</summary>
    public int SizeDecimals { get; init; } = 8;

    /// <summary>Exchange: no message for this long means the connection is dead: reconnect.</summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The supervisor's view of this feed's settings. A paced synthetic feed visits its symbols round robin, so one
    /// symbol's updates are <c>symbols / rate</c> seconds apart: it is stale only after three such rounds, never sooner
    /// than <see cref="StaleAfter"/> (a load run of 1,000 symbols at 1 quote/s would otherwise flap every round).
    /// </summary>
    public SupervisedFeedOptions ToSupervisedOptions(IReadOnlyList<int> instrumentIds)
    {
        ArgumentNullException.ThrowIfNull(instrumentIds);
        TimeSpan staleAfter = StaleAfter;
        if (Kind == FeedKind.Synthetic && Rate > 0)
        {
            TimeSpan threeRounds = TimeSpan.FromSeconds(Math.Min(3.0 * instrumentIds.Count / Rate, TimeSpan.FromDays(1).TotalSeconds));
            staleAfter = threeRounds > staleAfter ? threeRounds : staleAfter;
        }

        return new SupervisedFeedOptions
        {
            Overflow = Overflow,
            ChannelCapacity = ChannelCapacity,
            StaleAfter = staleAfter,
            RestartInitialDelay = RestartInitialDelay,
            RestartMaxDelay = RestartMaxDelay,
            InstrumentIds = instrumentIds,
        };
    }

    public override string ToString() => Kind switch
    {
        FeedKind.Replay => $"{Name} (replay {Path} at {ReplayFeedOptions.FormatSpeed(Speed)}x{(Loop ? ", looping" : "")})",
        FeedKind.Exchange => $"{Name} (exchange {Url}, {Products.Count} products as {Prefix}*)",
        _ => $"{Name} (synthetic, {(Symbols > 0 ? Symbols + " generated symbols" : "built-in symbols")})",
    };
}
