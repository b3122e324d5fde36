namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// A feed entry the server refuses to start with. The message starts with the configuration key in
/// <c>IConfiguration</c> path form (<c>Feeds:1:Kind: unknown feed kind 'foo' …</c>) or the flag (<c>--feed: …</c>),
/// so the operator knows exactly which line of appsettings.json or of the command line to fix.
/// </summary>
public sealed class FeedConfigurationException : Exception
{
    public FeedConfigurationException(string key, string problem)
        : base($"{key}: {problem}")
    {
        Key = key;
        Problem = problem;
    }

    /// <summary>The offending key (<c>Feeds:1:Kind</c>) or flag (<c>--feed</c>).</summary>
    public string Key { get; }

    public string Problem { get; }
}
