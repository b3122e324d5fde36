namespace MarketPush.Feeds.Exchange;

/// <summary>The venue broke the protocol badly enough that the connection is dropped and re-established (e.g. an oversized message).</summary>
public sealed class ExchangeProtocolException : Exception
{
    public ExchangeProtocolException(string message)
        : base(message)
    {
    }
}
