using MarketPush.Engine.Ingest;

namespace MarketPush.Engine.Feeds;

/// <summary>How the <see cref="FeedSupervisor"/> runs one feed: its channel, staleness threshold and restart policy.</summary>
public sealed class SupervisedFeedOptions
{
    /// <summary>Full channel: wait (replays, generators) or drop the oldest tick (live venue connections).</summary>
    public FeedOverflowMode Overflow { get; init; } = FeedOverflowMode.Wait;

    /// <summary>Ticks the feed's ingest channel holds.</summary>
    public int ChannelCapacity { get; init; } = IngestChannel.DefaultCapacity;

    /// <summary>A symbol of this feed with no update for this long is announced <c>stale</c> (and the feed is not live).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Restart the feed when it fails (with backoff). Permanent errors (a bad capture file) are never retried.</summary>
    public bool Restart { get; init; } = true;

    public TimeSpan RestartInitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RestartMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A run that lasted this long counts as healthy: the next failure starts the backoff from the initial delay.</summary>
    public TimeSpan RestartResetAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Catalog ids of the instruments this feed owns (staleness is tracked for these); null = every instrument.</summary>
    public IReadOnlyList<int>? InstrumentIds { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ChannelCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StaleAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RestartInitialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(RestartMaxDelay, RestartInitialDelay);
    }
}
