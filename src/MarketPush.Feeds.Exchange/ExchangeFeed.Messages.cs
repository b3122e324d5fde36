using System.Text.Json;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace MarketPush.Feeds.Exchange;

/// <summary>
/// The venue's messages, mapped into ticks (<see cref="_pending"/>) and resync requests (<see cref="_resyncRequests"/>)
/// for the receive loop to act on. Synchronous: <see cref="Utf8JsonReader"/> is a ref struct over the received bytes.
/// <code>
/// {"type":"ticker","product_id":"BTC-USD","sequence":51,"best_bid":"60000.10","best_bid_size":"0.5","best_ask":"60000.20","best_ask_size":"1.25","time":"…Z"}
/// {"type":"match","product_id":"BTC-USD","sequence":52,"price":"60000.15","size":"0.01","side":"sell","time":"…Z"}   side = the maker's
/// {"type":"snapshot","product_id":"BTC-USD","sequence":50,"bids":[["60000.10","0.5"],…],"asks":[["60000.20","1.25"],…]}
/// {"type":"l2update","product_id":"BTC-USD","sequence":53,"changes":[["buy","60000.10","0.4"],["sell","60000.30","0"]],"time":"…Z"}
/// {"type":"heartbeat","product_id":"BTC-USD","sequence":53,"time":"…Z"}                  the last sequence sent
/// </code>
/// </summary>
public sealed partial class ExchangeFeed
{
    private readonly BookLevelChange[] _changes = new BookLevelChange[4 * ExchangeBook.Window];

    private enum MessageType
    {
        Other,
        Ticker,
        Match,
        Snapshot,
        L2Update,
        Heartbeat,
        Error,
    }

    /// <summary>Parses one message and maps it; a message it cannot understand is counted and skipped.</summary>
    private void Handle(ReadOnlySpan<byte> json, long nowMicros)
    {
        try
        {
            HandleCore(json, nowMicros);
        }
        catch (JsonException)
        {
            Interlocked.Increment(ref _badMessages);
        }
    }

    private void HandleCore(ReadOnlySpan<byte> json, long nowMicros)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            Interlocked.Increment(ref _badMessages);
            return;
        }

        MessageType type = MessageType.Other;
        ExchangeProduct? product = null;
        bool hasSequence = false;
        long sequence = 0;
        ReadOnlySpan<byte> price = default, size = default, side = default, time = default, message = default;
        ReadOnlySpan<byte> bestBid = default, bestBidSize = default, bestAsk = default, bestAskSize = default;
        int bids = -1, asks = -1, changes = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("type"u8))
            {
                type = reader.ValueSpan switch
                {
                    var t when t.SequenceEqual("ticker"u8) => MessageType.Ticker,
                    var t when t.SequenceEqual("match"u8) => MessageType.Match,
                    var t when t.SequenceEqual("snapshot"u8) => MessageType.Snapshot,
                    var t when t.SequenceEqual("l2update"u8) => MessageType.L2Update,
                    var t when t.SequenceEqual("heartbeat"u8) => MessageType.Heartbeat,
                    var t when t.SequenceEqual("error"u8) => MessageType.Error,
                    _ => MessageType.Other, // subscriptions, last_match, …
                };
            }
            else if (name.SequenceEqual("product_id"u8))
            {
                product = FindProduct(reader.ValueSpan);
            }
            else if (name.SequenceEqual("sequence"u8))
            {
                hasSequence = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out sequence);
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                ReadOnlySpan<byte> value = reader.ValueSpan;
                if (name.SequenceEqual("price"u8)) { price = value; }
                else if (name.SequenceEqual("size"u8)) { size = value; }
                else if (name.SequenceEqual("side"u8)) { side = value; }
                else if (name.SequenceEqual("time"u8)) { time = value; }
                else if (name.SequenceEqual("best_bid"u8)) { bestBid = value; }
                else if (name.SequenceEqual("best_bid_size"u8)) { bestBidSize = value; }
                else if (name.SequenceEqual("best_ask"u8)) { bestAsk = value; }
                else if (name.SequenceEqual("best_ask_size"u8)) { bestAskSize = value; }
                else if (name.SequenceEqual("message"u8) || name.SequenceEqual("reason"u8)) { message = value; }
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                int start = (int)reader.TokenStartIndex;
                if (name.SequenceEqual("bids"u8)) { bids = start; }
                else if (name.SequenceEqual("asks"u8)) { asks = start; }
                else if (name.SequenceEqual("changes"u8)) { changes = start; }

                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }

        if (type == MessageType.Error)
        {
            Interlocked.Increment(ref _badMessages);
            _logger.LogWarning("Feed {Feed}: the venue reports an error: {Message}", Name, System.Text.Encoding.UTF8.GetString(message));
            return;
        }

        if (type == MessageType.Other || product is null)
        {
            return;
        }

        long timestamp = !time.IsEmpty && ExchangeText.TryParseTime(time, out long venueTime) ? venueTime : nowMicros;
        switch (type)
        {
            case MessageType.Heartbeat:
                // It carries the last sequence the venue sent for the product: beyond ours, something was lost.
                if (hasSequence && product.LastSequence != 0 && sequence > product.LastSequence)
                {
                    OnGap(product);
                    product.LastSequence = sequence;
                }

                return;

            case MessageType.Ticker:
                if (!Accept(product, hasSequence, sequence))
                {
                    return;
                }

                if (ExchangeText.TryParseExact(bestBid, product.PriceDecimals, out long bid)
                    && ExchangeText.TryParseExact(bestAsk, product.PriceDecimals, out long ask)
                    && TryParseOptionalSize(bestBidSize, out long bidSize)
                    && TryParseOptionalSize(bestAskSize, out long askSize))
                {
                    Publish(Tick.ForQuote(product.InstrumentId, timestamp, new Quote(bid, bidSize, ask, askSize)), product);
                }
                else
                {
                    Interlocked.Increment(ref _badMessages);
                }

                return;

            case MessageType.Match:
                if (!Accept(product, hasSequence, sequence))
                {
                    return;
                }

                if (ExchangeText.TryParseExact(price, product.PriceDecimals, out long tradePrice)
                    && ExchangeText.TryParseSize(size, _options.SizeDecimals, out long tradeSize))
                {
                    // The venue names the resting (maker) order's side; the aggressor took the other one.
                    TradeSide aggressor = side.SequenceEqual("sell"u8) ? TradeSide.Buy : side.SequenceEqual("buy"u8) ? TradeSide.Sell : TradeSide.Unknown;
                    Publish(Tick.ForTrade(product.InstrumentId, timestamp, new Trade(tradePrice, tradeSize, aggressor)), product);
                }
                else
                {
                    Interlocked.Increment(ref _badMessages);
                }

                return;

            case MessageType.Snapshot:
                product.Book.BeginUpdate();
                product.Book.Clear();
                if (bids >= 0)
                {
                    ReadLevels(json.Slice(bids), product, BookSide.Bid);
                }

                if (asks >= 0)
                {
                    ReadLevels(json.Slice(asks), product, BookSide.Ask);
                }

                if (hasSequence)
                {
                    product.LastSequence = sequence;
                }

                product.BookSynced = true;
                product.ResyncPending = false;
                Interlocked.Increment(ref _snapshots);
                Reopen(product, timestamp); // in sync again, even if the book did not change while we were away
                PublishBook(product, timestamp);
                return;

            case MessageType.L2Update:
                if (!Accept(product, hasSequence, sequence) || !product.BookSynced || changes < 0)
                {
                    return; // old, or the book awaits its snapshot: applying it would build on a wrong book
                }

                product.Book.BeginUpdate();
                ReadLevels(json.Slice(changes), product, side: null);
                PublishBook(product, timestamp);
                return;
        }
    }

    /// <summary>
    /// Sequence bookkeeping for a data message: false for an old or repeated number (skip the message); a number that
    /// skips ahead marks the book out of sync and asks for a fresh snapshot, and the message itself still counts.
    /// </summary>
    private bool Accept(ExchangeProduct product, bool hasSequence, long sequence)
    {
        if (!hasSequence)
        {
            return true;
        }

        long last = product.LastSequence;
        if (last != 0)
        {
            if (sequence <= last)
            {
                return false;
            }

            if (sequence > last + 1)
            {
                OnGap(product);
            }
        }

        product.LastSequence = sequence;
        return true;
    }

    private void OnGap(ExchangeProduct product)
    {
        Interlocked.Increment(ref _sequenceGaps);
        product.BookSynced = false;
        if (!product.ResyncPending)
        {
            product.ResyncPending = true;
            Interlocked.Increment(ref _resyncs);
            _resyncRequests.Add(product);
        }
    }

    /// <summary>Applies an array of levels: <c>[[price, size], …]</c> to one side, or l2update's <c>[[side, price, size], …]</c>.</summary>
    private void ReadLevels(ReadOnlySpan<byte> array, ExchangeProduct product, BookSide? side)
    {
        var reader = new Utf8JsonReader(array);
        reader.Read(); // [
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            BookSide levelSide = side ?? BookSide.Bid;
            bool valid = true;
            if (side is null)
            {
                reader.Read();
                ReadOnlySpan<byte> sideText = reader.ValueSpan;
                valid = sideText.SequenceEqual("buy"u8) || sideText.SequenceEqual("sell"u8);
                levelSide = sideText.SequenceEqual("sell"u8) ? BookSide.Ask : BookSide.Bid;
            }

            reader.Read();
            ReadOnlySpan<byte> priceText = reader.ValueSpan;
            reader.Read();
            ReadOnlySpan<byte> sizeText = reader.ValueSpan;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip(); // extra elements (order counts, ids)
            }

            if (valid && ExchangeText.TryParseExact(priceText, product.PriceDecimals, out long price)
                && ExchangeText.TryParseSize(sizeText, _options.SizeDecimals, out long size))
            {
                product.Book.Set(levelSide, price, size);
            }
            else
            {
                Interlocked.Increment(ref _badMessages);
            }
        }
    }

    /// <summary>Queues the book's window changes as one run of level ticks, the last one ending the update.</summary>
    private void PublishBook(ExchangeProduct product, long timestamp)
    {
        int count = product.Book.PublishChanges(_changes);
        for (int i = 0; i < count; i++)
        {
            BookLevelChange change = _changes[i];
            Publish(Tick.ForBookLevel(product.InstrumentId, timestamp, change.Side, change.Price, change.Size, i == count - 1), product);
        }
    }

    private void Publish(in Tick tick, ExchangeProduct product)
    {
        Reopen(product, tick.Timestamp);
        _pending.Add(tick);
        product.Live = true;
    }

    /// <summary>After this adapter announced <c>stale</c>, the first sign of life announces <c>open</c> (before the data).</summary>
    private void Reopen(ExchangeProduct product, long timestamp)
    {
        if (product.AnnouncedStale)
        {
            product.AnnouncedStale = false;
            product.Live = true;
            _pending.Add(Tick.ForStatus(product.InstrumentId, timestamp, FeedState.Open));
        }
    }

    private bool TryParseOptionalSize(ReadOnlySpan<byte> text, out long size)
    {
        size = 0;
        return text.IsEmpty || ExchangeText.TryParseSize(text, _options.SizeDecimals, out size);
    }

    private ExchangeProduct? FindProduct(ReadOnlySpan<byte> id)
    {
        foreach (ExchangeProduct product in _products)
        {
            if (id.SequenceEqual(product.ProductIdUtf8))
            {
                return product;
            }
        }

        return null;
    }
}
