namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// One venue product of an exchange feed: its id at the venue (<c>BTC-USD</c>) and the price decimals the server
/// publishes it with (from <c>BTC-USD:2</c>, else the built-in instrument list, else 2).
/// </summary>
public sealed record ProductSetting(string ProductId, int Decimals);
