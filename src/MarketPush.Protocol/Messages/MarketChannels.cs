namespace MarketPush.Protocol.Messages;

/// <summary>
/// A set of channels, as carried by <c>subscribe</c>/<c>unsubscribe</c> and echoed in <c>subscribed</c>.
/// Writers emit the names in this canonical order (quote, trade, book), whatever order the client used.
/// </summary>
[Flags]
public enum MarketChannels : byte
{
    None = 0,
    Quote = 1, // 1 << MarketChannel.Quote
    Trade = 2, // 1 << MarketChannel.Trade
    Book = 4,  // 1 << MarketChannel.Book
    All = Quote | Trade | Book,
}
