namespace MarketPush.Protocol.Messages;

/// <summary>
/// Top of book for one instrument. Prices are scaled integers (value × 10^decimals of the instrument), so the
/// writers can print them digit by digit and never meet binary-float noise. Carried by value from the feed
/// through ingest to the encoders; 32 bytes.
/// </summary>
public readonly record struct Quote(long BidPrice, long BidSize, long AskPrice, long AskSize);
