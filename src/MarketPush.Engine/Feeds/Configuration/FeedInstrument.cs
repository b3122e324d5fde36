namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// An instrument a feed will publish, as its factory describes it before the catalog exists: the symbol in the
/// feed's own terms (the feed's prefix is added by <see cref="FeedSet"/>), price decimals, description, and the
/// synthetic generator's starting price (0 when unknown).
/// </summary>
public readonly record struct FeedInstrument(string Symbol, int Decimals, string Description, long ReferencePrice = 0, long TickSize = 1);
