namespace MarketPush.Feeds.Exchange;

/// <summary>
/// What the adapter tracks for one venue product: the catalog instrument it publishes as, its venue id (UTF-8, to
/// match messages without decoding), the last upstream sequence number, and its book with whether that book is in
/// sync (a snapshot arrived and no update was missed since). Owned by the receive loop.
/// </summary>
internal sealed class ExchangeProduct(string productId, int instrumentId, int priceDecimals)
{
    public string ProductId { get; } = productId;

    public byte[] ProductIdUtf8 { get; } = System.Text.Encoding.UTF8.GetBytes(productId);

    public int InstrumentId { get; } = instrumentId;

    public int PriceDecimals { get; } = priceDecimals;

    public ExchangeBook Book { get; } = new();

    /// <summary>The last upstream sequence seen on this connection (0: none yet).</summary>
    public long LastSequence { get; set; }

    /// <summary>A snapshot arrived and no sequence number was skipped since: updates may be applied.</summary>
    public bool BookSynced { get; set; }

    /// <summary>A resubscribe for a fresh snapshot was sent and its snapshot has not arrived yet.</summary>
    public bool ResyncPending { get; set; }

    /// <summary>Something was published since the last <c>stale</c> announcement (so a disconnect must announce again).</summary>
    public bool Live { get; set; }

    /// <summary>The adapter announced <c>stale</c> and has not announced <c>open</c> since.</summary>
    public bool AnnouncedStale { get; set; }
}
