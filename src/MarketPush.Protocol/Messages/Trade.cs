namespace MarketPush.Protocol.Messages;

/// <summary>One execution: scaled price (value × 10^decimals of the instrument), size and aggressor side.</summary>
public readonly record struct Trade(long Price, long Size, TradeSide Side);
