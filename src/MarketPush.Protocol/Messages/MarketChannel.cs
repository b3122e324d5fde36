namespace MarketPush.Protocol.Messages;

/// <summary>
/// One market-data channel. The numeric value indexes per-channel arrays (sequence counters, last values),
/// so the values stay dense and start at zero.
/// </summary>
public enum MarketChannel : byte
{
    Quote = 0,
    Trade = 1,
    Book = 2,
}
