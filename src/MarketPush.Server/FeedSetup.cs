using MarketPush.Engine.Feeds.Configuration;

namespace MarketPush.Server;

/// <summary>
/// Which feeds the server runs, from the command line or appsettings.json: <c>--feed</c> flags (each one a feed;
/// <c>--speed</c>, <c>--loop</c>, <c>--replay-delay-ms</c> apply to the replays among them, <c>--symbols</c>,
/// <c>--rate</c>, <c>--seed</c> to the synthetic one), else the <c>Feeds</c> section of the configuration, else the
/// default synthetic feed. <c>--record</c> overrides the configuration's <c>Record</c>. Wiring only: parsing and
/// validation are <see cref="FeedConfiguration"/>'s.
/// </summary>
internal static class FeedSetup
{
    /// <summary>The feeds to run, or null for <c>--feed none</c> (symbols known, nothing updates).</summary>
    /// <exception cref="FeedConfigurationException">A bad feed entry or flag, named.</exception>
    public static FeedConfiguration? Configure(ServerOptions options, IConfiguration configuration)
    {
        if (options.Feeds.Count == 1 && options.Feeds[0] == ServerOptions.FeedNone)
        {
            return null;
        }

        FeedConfiguration fromFile = FeedConfiguration.Read(configuration);
        string? record = options.RecordPath ?? fromFile.RecordPath;
        if (options.Feeds.Count == 0 && fromFile.Feeds.Count > 0)
        {
            return FeedConfiguration.Create(fromFile.Feeds, record);
        }

        IReadOnlyList<string> specs = options.Feeds.Count == 0 ? [ServerOptions.FeedSynthetic] : options.Feeds;
        var feeds = new List<FeedSettings>(specs.Count);
        foreach (string spec in specs)
        {
            feeds.Add(FeedConfiguration.ParseFeedFlag(spec) with
            {
                Symbols = options.Symbols,
                Rate = options.Rate,
                Seed = options.Seed,
                Speed = options.ReplaySpeed,
                Loop = options.ReplayLoop,
                StartDelay = TimeSpan.FromMilliseconds(options.ReplayStartDelayMs),
                StaleAfter = TimeSpan.FromMilliseconds(options.StaleAfterMs),
            });
        }

        return FeedConfiguration.Create(feeds, record);
    }
}
