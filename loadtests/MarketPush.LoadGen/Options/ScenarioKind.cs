namespace MarketPush.LoadGen.Options;

/// <summary>What the simulated clients do (issue 6 item 1). Chosen with <c>--scenario</c>.</summary>
public enum ScenarioKind
{
    /// <summary>C connections, each subscribed to K of the server's symbols (spread evenly).</summary>
    Fanout,

    /// <summary>Every connection on one hot symbol: the widest fan-out per update.</summary>
    Wide,

    /// <summary>N connections that subscribe (2 symbols by default) and then only answer pings; reports server RSS per connection.</summary>
    Idle,

    /// <summary>Connections that connect, subscribe, wait for the reply (and <c>--hold-ms</c>), close, and start over.</summary>
    Churn,

    /// <summary>Fanout where a share of the connections (<c>--slow-share</c>) stops reading once subscribed.</summary>
    Slow,

    /// <summary>Fanout with permessage-deflate negotiated by every connection (inflated by the runner).</summary>
    Compression,

    /// <summary>Fanout over the symbols a replayed feed carries (from <c>--symbols-list</c>, or asked with the <c>symbols</c> command).</summary>
    Replay,
}
