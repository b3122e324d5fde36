using System.Buffers;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Sessions;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Encodings.MessagePack;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;
using MarketPush.Protocol.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Routing;

/// <summary>
/// The fan-out stage: ingest hands it every sequenced update (<see cref="ITickSink"/>), and it offers each one to the
/// subscribers of that instrument and channel. Subscribers are grouped by <see cref="WireVariant"/>
/// (<see cref="SubscriberGroups"/>): quote and trade by encoding (JSON, MessagePack), book by encoding and depth tier
/// (1, 5, 10, 20, 50). For each group with at least one
/// subscriber the update is encoded once, framed once into one <see cref="OutboundMessage"/> (whose deflate frame is
/// built at most once, by the first compressed session to ask), offered to every subscriber of the group, and
/// released; nothing per subscriber is encoded, compressed or allocated.
/// </summary>
/// <remarks>
/// <para>
/// Threads: the ITickSink methods run on the ingest thread of each feed (one at a time per feed; feeds own disjoint
/// instruments, so several may run at once). Each subscriber group is an immutable <see cref="SubscriberList"/>
/// snapshot (array + count) published with a volatile write; the hot path reads the current snapshot without locking
/// and offers to its first Count entries only. <see cref="Add"/> and <see cref="Remove"/> (command handlers, any
/// thread) run under one lock. Add appends into the array's spare capacity (doubling it when full) and publishes a
/// new 32 B snapshot, so a subscribe costs O(1) amortized garbage however many sessions share the symbol: copying the
/// whole array on every add cost 16 B per existing subscriber (66 KB per subscribe at 4,000 subscribers, ~0.5 GB over
/// 8,000 connections subscribing to the same two symbols; issue 6, G3). Remove copies into a new array of the same
/// capacity (an in-place shift or swap could make a reader of an older snapshot skip or double-offer an entry), so the
/// next Add needs no copy of its own. A subscriber removed
/// concurrently may still be offered an update or two from a snapshot read before the swap; subscribers refuse those
/// themselves.
/// </para>
/// <para>
/// The router never waits on a session: <see cref="IUpdateSubscriber.TryEnqueue"/> only ever queues, conflates or
/// refuses. Encoding uses one reused buffer per ingest thread. It also implements <see cref="ISnapshotSource"/>, the
/// seam the session stage defines for its per-session snapshots from the <see cref="ILastValues"/> (the last-value cache) (subscribe,
/// book resync), on the caller's thread; sessions call it with none of their locks held.
/// Owns only its group arrays; each message it builds is disposed after its fan-out, so every frame reference it
/// took is back with the queues that kept one.
/// </para>
/// </remarks>
public sealed class SubscriptionRouter : ITickSink, ISubscriptionRouter
{
    // One scratch buffer per thread: an update is encoded and copied into its pooled frame within one call.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_updateBuffer;

    // Separate from the update buffer so a snapshot built by a callback can never overwrite an update being published.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_snapshotBuffer;

    [ThreadStatic]
    private static BookLevel[]? t_bids;

    [ThreadStatic]
    private static BookLevel[]? t_asks;

    private readonly SubscriberGroups[] _groups;
    private readonly Lock _lock = new();
    private readonly ILastValues _cache;
    private readonly FrameBuilder _frames;
    private readonly IMarketMessageWriter _json;
    private readonly IMarketMessageWriter _messagePack;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _statusStamp;
    private long _messagesBuilt;
    private long _offers;
    private long _subscriberErrors;

    /// <param name="jsonWriter">JSON encoder (tests pass a counting one); default <see cref="JsonMessageWriter.Instance"/>.</param>
    /// <param name="messagePackWriter">MessagePack encoder; default <see cref="MessagePackMessageWriter.Instance"/>.</param>
    public SubscriptionRouter(
        ILastValues cache,
        FrameBuilder frames,
        IMarketMessageWriter? jsonWriter = null,
        IMarketMessageWriter? messagePackWriter = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(frames);
        _cache = cache;
        _frames = frames;
        _json = jsonWriter ?? JsonMessageWriter.Instance;
        _messagePack = messagePackWriter ?? MessagePackMessageWriter.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _groups = new SubscriberGroups[cache.Catalog.Count];
        for (int i = 0; i < _groups.Length; i++)
        {
            _groups[i] = new SubscriberGroups();
        }
    }

    public InstrumentCatalog Catalog => _cache.Catalog;

    public ILastValues Cache => _cache;

    /// <summary>Messages encoded and framed for fan-out: one per update per wire variant with subscribers.</summary>
    public long MessagesBuilt => Interlocked.Read(ref _messagesBuilt);

    /// <summary>Updates offered to subscribers (messages × subscribers of their variant).</summary>
    public long Offers => Interlocked.Read(ref _offers);

    /// <summary>Subscribers that threw when offered an update (a bug; logged, and the fan-out went on).</summary>
    public long SubscriberErrors => Interlocked.Read(ref _subscriberErrors);

    /// <summary>Adds a subscriber of (instrument, channel) in one wire variant (its book depth counts for the book only).</summary>
    public void Add(IUpdateSubscriber subscriber, int instrumentId, MarketChannel channel, WireVariant variant)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ref SubscriberList group = ref _groups[instrumentId][channel, variant];
        lock (_lock)
        {
            SubscriberList current = group;
            IUpdateSubscriber[] items = current.Items;
            int count = current.Count;
            if (count == items.Length)
            {
                // Full (or the shared empty array): double, so n adds copy O(n) slots in total.
                items = new IUpdateSubscriber[Math.Max(SubscriberList.InitialCapacity, count * 2)];
                Array.Copy(current.Items, items, count);
            }

            // Slot `count` is beyond every snapshot published with this array (Remove never shrinks an array in
            // place), so no reader looks at it until the volatile write below publishes it together with the count.
            items[count] = subscriber;
            Volatile.Write(ref group, new SubscriberList(items, count + 1));
        }
    }

    /// <summary>Removes a subscriber added with the same arguments; false when it was not there.</summary>
    public bool Remove(IUpdateSubscriber subscriber, int instrumentId, MarketChannel channel, WireVariant variant)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ref SubscriberList group = ref _groups[instrumentId][channel, variant];
        lock (_lock)
        {
            SubscriberList current = group;
            int count = current.Count;
            int index = Array.IndexOf(current.Items, subscriber, 0, count);
            if (index < 0)
            {
                return false;
            }

            // A new array, never an in-place shift: readers of the older snapshot keep iterating its array untouched.
            // It keeps the old capacity (halved once three quarters are free), so the join that usually follows a
            // leave on a popular symbol writes a spare slot instead of copying the group a second time.
            SubscriberList next = SubscriberList.Empty;
            if (count > 1)
            {
                int capacity = current.Items.Length;
                if (count - 1 <= capacity / 4)
                {
                    capacity = Math.Max(SubscriberList.InitialCapacity, capacity / 2);
                }

                var items = new IUpdateSubscriber[capacity];
                Array.Copy(current.Items, 0, items, 0, index);
                Array.Copy(current.Items, index + 1, items, index, count - index - 1);
                next = new SubscriberList(items, count - 1);
            }

            Volatile.Write(ref group, next);
            return true;
        }
    }

    /// <summary>Subscribers of (instrument, channel) over every wire variant.</summary>
    public int CountSubscribers(int instrumentId, MarketChannel channel)
    {
        SubscriberGroups groups = _groups[instrumentId];
        ReadOnlySpan<SubscriberGroups.GroupKey> keys = SubscriberGroups.Keys;
        int total = 0;
        for (int slot = 0; slot < keys.Length; slot++)
        {
            if (keys[slot].Channel == channel)
            {
                total += Volatile.Read(ref groups.At(slot)).Count;
            }
        }

        return total;
    }

    // ---- ITickSink: the hot path ------------------------------------------------------------------------------

    public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote)
    {
        SubscriberGroups groups = _groups[instrument.Id];
        foreach (WireEncoding encoding in WireVariant.Encodings)
        {
            var variant = new WireVariant(encoding, deflate: false);
            SubscriberList subscribers = Volatile.Read(ref groups[MarketChannel.Quote, variant]);
            if (subscribers.Count == 0)
            {
                continue;
            }

            ArrayBufferWriter<byte> buffer = UpdateBuffer();
            WriterFor(encoding).WriteQuote(buffer, instrument, sequence, timestamp, quote, snapshot: false);
            Publish(variant, buffer, subscribers, sequence, timestamp);
        }
    }

    public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade)
    {
        SubscriberGroups groups = _groups[instrument.Id];
        foreach (WireEncoding encoding in WireVariant.Encodings)
        {
            var variant = new WireVariant(encoding, deflate: false);
            SubscriberList subscribers = Volatile.Read(ref groups[MarketChannel.Trade, variant]);
            if (subscribers.Count == 0)
            {
                continue;
            }

            ArrayBufferWriter<byte> buffer = UpdateBuffer();
            WriterFor(encoding).WriteTrade(buffer, instrument, sequence, timestamp, trade, snapshot: false);
            Publish(variant, buffer, subscribers, sequence, timestamp);
        }
    }

    public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update)
    {
        SubscriberGroups groups = _groups[instrument.Id];
        foreach (WireEncoding encoding in WireVariant.Encodings)
        {
            foreach (int depth in BookDepth.Tiers)
            {
                var variant = new WireVariant(encoding, deflate: false, depth);
                SubscriberList subscribers = Volatile.Read(ref groups[MarketChannel.Book, variant]);
                // A change below this tier's window is no change for its clients: they get no message (a seq gap
                // that skipped nothing), rather than an empty delta on every deep-book update.
                if (subscribers.Count == 0 || !update.HasChanges(depth))
                {
                    continue;
                }

                ArrayBufferWriter<byte> buffer = UpdateBuffer();
                WriterFor(encoding).WriteBook(buffer, instrument, sequence, timestamp, update.GetBids(depth), update.GetAsks(depth), snapshot: false, update.GetChecksum(depth));
                Publish(variant, buffer, subscribers, sequence, timestamp);
            }
        }
    }

    public void OnStatus(Instrument instrument, FeedState state, long timestamp)
    {
        SubscriberGroups groups = _groups[instrument.Id];
        ReadOnlySpan<SubscriberGroups.GroupKey> keys = SubscriberGroups.Keys;
        long stamp = Interlocked.Increment(ref _statusStamp);
        foreach (WireEncoding encoding in WireVariant.Encodings)
        {
            OutboundMessage? message = null;
            try
            {
                // One status message per encoding, whatever channel or depth its subscribers are in.
                for (int slot = 0; slot < keys.Length; slot++)
                {
                    if (keys[slot].Variant.Encoding != encoding)
                    {
                        continue;
                    }

                    SubscriberList subscribers = Volatile.Read(ref groups.At(slot));
                    if (subscribers.Count == 0)
                    {
                        continue;
                    }

                    if (message is null)
                    {
                        ArrayBufferWriter<byte> buffer = UpdateBuffer();
                        WriterFor(encoding).WriteStatus(buffer, instrument, state, timestamp);
                        message = _frames.CreateMessage(keys[slot].Variant.Opcode, buffer.WrittenSpan);
                        buffer.ResetWrittenCount();
                        Interlocked.Increment(ref _messagesBuilt);
                    }

                    foreach (IUpdateSubscriber subscriber in subscribers.AsSpan())
                    {
                        try
                        {
                            subscriber.TryEnqueueStatus(message, stamp);
                        }
                        catch (Exception ex)
                        {
                            OnSubscriberError(ex);
                        }
                    }
                }
            }
            finally
            {
                message?.Dispose();
            }
        }
    }

    // ---- ISnapshotSource: per session, off the update path ----------------------------------------------------

    public OutboundMessage? CreateSnapshot(Instrument instrument, MarketChannel channel, WireVariant variant, out long sequence)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        IMarketMessageWriter writer = WriterFor(variant.Encoding);
        ArrayBufferWriter<byte> buffer = t_snapshotBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        switch (channel)
        {
            case MarketChannel.Quote:
                if (!_cache.TryGetQuote(instrument.Id, out SequencedQuote quote))
                {
                    sequence = 0;
                    return null;
                }

                sequence = quote.Sequence;
                writer.WriteQuote(buffer, instrument, quote.Sequence, quote.Timestamp, quote.Quote, snapshot: true);
                break;

            case MarketChannel.Trade:
                if (!_cache.TryGetTrade(instrument.Id, out SequencedTrade trade))
                {
                    sequence = 0;
                    return null;
                }

                sequence = trade.Sequence;
                writer.WriteTrade(buffer, instrument, trade.Sequence, trade.Timestamp, trade.Trade, snapshot: true);
                break;

            default:
                BookLevel[] bids = t_bids ??= new BookLevel[BookDepth.Max];
                BookLevel[] asks = t_asks ??= new BookLevel[BookDepth.Max];
                int depth = variant.BookDepth;
                if (!_cache.TryGetBook(instrument.Id, BookDepth.IsValid(depth) ? depth : BookDepth.Default, bids, asks, out BookSnapshot book))
                {
                    sequence = 0;
                    return null;
                }

                sequence = book.Sequence;
                writer.WriteBook(buffer, instrument, book.Sequence, book.Timestamp, bids.AsSpan(0, book.BidCount), asks.AsSpan(0, book.AskCount), snapshot: true, book.Checksum);
                break;
        }

        OutboundMessage message = _frames.CreateMessage(variant.Opcode, buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        return message;
    }

    public long GetLastSequence(Instrument instrument, MarketChannel channel)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        switch (channel)
        {
            case MarketChannel.Quote:
                return _cache.TryGetQuote(instrument.Id, out SequencedQuote quote) ? quote.Sequence : 0;
            case MarketChannel.Trade:
                return _cache.TryGetTrade(instrument.Id, out SequencedTrade trade) ? trade.Sequence : 0;
            default:
                BookLevel[] bids = t_bids ??= new BookLevel[BookDepth.Max];
                BookLevel[] asks = t_asks ??= new BookLevel[BookDepth.Max];
                return _cache.TryGetBook(instrument.Id, 1, bids, asks, out BookSnapshot book) ? book.Sequence : 0;
        }
    }

    public OutboundMessage? CreateStatusSnapshot(Instrument instrument, WireVariant variant)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        FeedState state = _cache.GetState(instrument.Id);
        if (state == FeedState.Open)
        {
            return null;
        }

        // The cache keeps the state, not when it changed: the snapshot says "as of now".
        long now = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        ArrayBufferWriter<byte> buffer = t_snapshotBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        WriterFor(variant.Encoding).WriteStatus(buffer, instrument, state, now);
        OutboundMessage message = _frames.CreateMessage(variant.Opcode, buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        return message;
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------

    /// <summary>Frames the encoded update once, offers it to every subscriber of its variant, then drops the router's reference.</summary>
    /// <remarks>The frames carry the update's feed <paramref name="timestamp"/> so send loops can record its age at write.</remarks>
    private void Publish(WireVariant variant, ArrayBufferWriter<byte> buffer, SubscriberList subscribers, long sequence, long timestamp)
    {
        OutboundMessage message = _frames.CreateMessage(variant.Opcode, buffer.WrittenSpan, feedTimestampMicros: timestamp);
        buffer.ResetWrittenCount();
        // One clock read per update for all its subscribers (IUpdateSubscriber.TryEnqueue says why).
        long now = _time.GetTimestamp();
        try
        {
            // Only the snapshot's first Count slots: the array's spare capacity belongs to later snapshots.
            foreach (IUpdateSubscriber subscriber in subscribers.AsSpan())
            {
                try
                {
                    subscriber.TryEnqueue(message, sequence, now);
                }
                catch (Exception ex)
                {
                    // One broken subscriber must not stop the fan-out (or, by throwing into ingest, the feed).
                    OnSubscriberError(ex);
                }
            }
        }
        finally
        {
            message.Dispose();
        }

        Interlocked.Increment(ref _messagesBuilt);
        Interlocked.Add(ref _offers, subscribers.Count);
    }

    private void OnSubscriberError(Exception ex)
    {
        Interlocked.Increment(ref _subscriberErrors);
        _logger.LogError(ex, "A subscriber failed to take an update");
    }

    private static ArrayBufferWriter<byte> UpdateBuffer()
    {
        ArrayBufferWriter<byte> buffer = t_updateBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private IMarketMessageWriter WriterFor(WireEncoding encoding) => encoding == WireEncoding.MessagePack ? _messagePack : _json;
}
