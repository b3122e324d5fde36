using System.Buffers;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
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
/// subscribers of that instrument and channel. Subscribers are grouped by wire variant: quote and trade by encoding
/// (JSON, MessagePack), book by encoding and depth tier (1, 5, 10, 20, 50). For each group with at least one
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
/// per-session snapshot path from the <see cref="LastValueCache"/> (subscribe, book resync), on the caller's thread.
/// Owns only its group arrays; each message it builds is disposed after its fan-out, so every frame reference it
/// took is back with the queues that kept one.
/// </para>
/// </remarks>
public sealed class SubscriptionRouter : ITickSink, ISnapshotSource
{
    private const int EncodingCount = 2;
    private const int QuoteGroup = 0;                         // + encoding
    private const int TradeGroup = QuoteGroup + EncodingCount; // + encoding
    private const int BookGroup = TradeGroup + EncodingCount;  // + encoding * TierCount + tier
    private const int GroupCount = BookGroup + (EncodingCount * BookDepth.TierCount);

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

    private readonly SubscriberList[][] _groups;
    private readonly Lock _lock = new();
    private readonly LastValueCache _cache;
    private readonly FrameBuilder _frames;
    private readonly IMarketMessageWriter[] _writers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _statusStamp;
    private long _messagesBuilt;
    private long _offers;
    private long _subscriberErrors;

    /// <param name="jsonWriter">JSON encoder (tests pass a counting one); default <see cref="JsonMessageWriter.Instance"/>.</param>
    /// <param name="messagePackWriter">MessagePack encoder; default <see cref="MessagePackMessageWriter.Instance"/>.</param>
    public SubscriptionRouter(
        LastValueCache cache,
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
        _writers = [jsonWriter ?? JsonMessageWriter.Instance, messagePackWriter ?? MessagePackMessageWriter.Instance];
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _groups = new SubscriberList[cache.Catalog.Count][];
        for (int i = 0; i < _groups.Length; i++)
        {
            var groups = new SubscriberList[GroupCount];
            Array.Fill(groups, SubscriberList.Empty);
            _groups[i] = groups;
        }
    }

    public InstrumentCatalog Catalog => _cache.Catalog;

    public LastValueCache Cache => _cache;

    /// <summary>Messages encoded and framed for fan-out: one per update per wire variant with subscribers.</summary>
    public long MessagesBuilt => Interlocked.Read(ref _messagesBuilt);

    /// <summary>Updates offered to subscribers (messages × subscribers of their variant).</summary>
    public long Offers => Interlocked.Read(ref _offers);

    /// <summary>Subscribers that threw when offered an update (a bug; logged, and the fan-out went on).</summary>
    public long SubscriberErrors => Interlocked.Read(ref _subscriberErrors);

    /// <summary>Adds a subscriber of (instrument, channel) in one wire variant; <paramref name="depth"/> is used for the book.</summary>
    public void Add(IUpdateSubscriber subscriber, int instrumentId, MarketChannel channel, WireEncoding encoding, int depth)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        int group = GroupIndex(channel, encoding, depth);
        SubscriberList[] groups = _groups[instrumentId];
        lock (_lock)
        {
            SubscriberList current = groups[group];
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
            Volatile.Write(ref groups[group], new SubscriberList(items, count + 1));
        }
    }

    /// <summary>Removes a subscriber added with the same arguments; false when it was not there.</summary>
    public bool Remove(IUpdateSubscriber subscriber, int instrumentId, MarketChannel channel, WireEncoding encoding, int depth)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        int group = GroupIndex(channel, encoding, depth);
        SubscriberList[] groups = _groups[instrumentId];
        lock (_lock)
        {
            SubscriberList current = groups[group];
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

            Volatile.Write(ref groups[group], next);
            return true;
        }
    }

    /// <summary>Subscribers of (instrument, channel) over every wire variant.</summary>
    public int CountSubscribers(int instrumentId, MarketChannel channel)
    {
        SubscriberList[] groups = _groups[instrumentId];
        int total = 0;
        for (int g = 0; g < GroupCount; g++)
        {
            if (ChannelOfGroup(g) == channel)
            {
                total += Volatile.Read(ref groups[g]).Count;
            }
        }

        return total;
    }

    // ---- ITickSink: the hot path ------------------------------------------------------------------------------

    public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote)
    {
        SubscriberList[] groups = _groups[instrument.Id];
        for (int e = 0; e < EncodingCount; e++)
        {
            SubscriberList subscribers = Volatile.Read(ref groups[QuoteGroup + e]);
            if (subscribers.Count == 0)
            {
                continue;
            }

            ArrayBufferWriter<byte> buffer = UpdateBuffer();
            _writers[e].WriteQuote(buffer, instrument, sequence, timestamp, quote, snapshot: false);
            Publish(e, buffer, subscribers, sequence, timestamp);
        }
    }

    public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade)
    {
        SubscriberList[] groups = _groups[instrument.Id];
        for (int e = 0; e < EncodingCount; e++)
        {
            SubscriberList subscribers = Volatile.Read(ref groups[TradeGroup + e]);
            if (subscribers.Count == 0)
            {
                continue;
            }

            ArrayBufferWriter<byte> buffer = UpdateBuffer();
            _writers[e].WriteTrade(buffer, instrument, sequence, timestamp, trade, snapshot: false);
            Publish(e, buffer, subscribers, sequence, timestamp);
        }
    }

    public void OnBook(Instrument instrument, long sequence, long timestamp, BookUpdate update)
    {
        SubscriberList[] groups = _groups[instrument.Id];
        ReadOnlySpan<int> tiers = BookDepth.Tiers;
        for (int e = 0; e < EncodingCount; e++)
        {
            for (int t = 0; t < tiers.Length; t++)
            {
                SubscriberList subscribers = Volatile.Read(ref groups[BookGroup + (e * BookDepth.TierCount) + t]);
                int depth = tiers[t];
                // A change below this tier's window is no change for its clients: they get no message (a seq gap
                // that skipped nothing), rather than an empty delta on every deep-book update.
                if (subscribers.Count == 0 || !update.HasChanges(depth))
                {
                    continue;
                }

                ArrayBufferWriter<byte> buffer = UpdateBuffer();
                _writers[e].WriteBook(buffer, instrument, sequence, timestamp, update.GetBids(depth), update.GetAsks(depth), snapshot: false, update.GetChecksum(depth));
                Publish(e, buffer, subscribers, sequence, timestamp);
            }
        }
    }

    public void OnStatus(Instrument instrument, FeedState state, long timestamp)
    {
        SubscriberList[] groups = _groups[instrument.Id];
        long stamp = Interlocked.Increment(ref _statusStamp);
        for (int e = 0; e < EncodingCount; e++)
        {
            OutboundMessage? message = null;
            try
            {
                for (int g = 0; g < GroupCount; g++)
                {
                    if (EncodingOfGroup(g) != e)
                    {
                        continue;
                    }

                    SubscriberList subscribers = Volatile.Read(ref groups[g]);
                    if (subscribers.Count == 0)
                    {
                        continue;
                    }

                    if (message is null)
                    {
                        ArrayBufferWriter<byte> buffer = UpdateBuffer();
                        _writers[e].WriteStatus(buffer, instrument, state, timestamp);
                        message = _frames.CreateMessage(Opcode(e), buffer.WrittenSpan);
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

    public OutboundMessage? CreateSnapshot(Instrument instrument, MarketChannel channel, WireEncoding encoding, int depth, out long sequence)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        int e = EncodingIndex(encoding);
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
                _writers[e].WriteQuote(buffer, instrument, quote.Sequence, quote.Timestamp, quote.Quote, snapshot: true);
                break;

            case MarketChannel.Trade:
                if (!_cache.TryGetTrade(instrument.Id, out SequencedTrade trade))
                {
                    sequence = 0;
                    return null;
                }

                sequence = trade.Sequence;
                _writers[e].WriteTrade(buffer, instrument, trade.Sequence, trade.Timestamp, trade.Trade, snapshot: true);
                break;

            default:
                BookLevel[] bids = t_bids ??= new BookLevel[BookDepth.Max];
                BookLevel[] asks = t_asks ??= new BookLevel[BookDepth.Max];
                if (!_cache.TryGetBook(instrument.Id, BookDepth.IsValid(depth) ? depth : BookDepth.Default, bids, asks, out BookSnapshot book))
                {
                    sequence = 0;
                    return null;
                }

                sequence = book.Sequence;
                _writers[e].WriteBook(buffer, instrument, book.Sequence, book.Timestamp, bids.AsSpan(0, book.BidCount), asks.AsSpan(0, book.AskCount), snapshot: true, book.Checksum);
                break;
        }

        OutboundMessage message = _frames.CreateMessage(Opcode(e), buffer.WrittenSpan);
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

    public OutboundMessage? CreateStatusSnapshot(Instrument instrument, WireEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        FeedState state = _cache.GetState(instrument.Id);
        if (state == FeedState.Open)
        {
            return null;
        }

        // The cache keeps the state, not when it changed: the snapshot says "as of now".
        long now = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        int e = EncodingIndex(encoding);
        ArrayBufferWriter<byte> buffer = t_snapshotBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        _writers[e].WriteStatus(buffer, instrument, state, now);
        OutboundMessage message = _frames.CreateMessage(Opcode(e), buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        return message;
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------

    /// <summary>Frames the encoded update once, offers it to every subscriber of its variant, then drops the router's reference.</summary>
    /// <remarks>The frames carry the update's feed <paramref name="timestamp"/> so send loops can record its age at write.</remarks>
    private void Publish(int encoding, ArrayBufferWriter<byte> buffer, SubscriberList subscribers, long sequence, long timestamp)
    {
        OutboundMessage message = _frames.CreateMessage(Opcode(encoding), buffer.WrittenSpan, feedTimestampMicros: timestamp);
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

    private static int EncodingIndex(WireEncoding encoding) => encoding == WireEncoding.MessagePack ? 1 : 0;

    private static WebSocketOpcode Opcode(int encoding) => encoding == 1 ? WebSocketOpcode.Binary : WebSocketOpcode.Text;

    private static int GroupIndex(MarketChannel channel, WireEncoding encoding, int depth)
    {
        int e = EncodingIndex(encoding);
        return channel switch
        {
            MarketChannel.Quote => QuoteGroup + e,
            MarketChannel.Trade => TradeGroup + e,
            MarketChannel.Book => BookGroup + (e * BookDepth.TierCount) + BookDepth.GetTierIndex(depth),
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
        };
    }

    private static MarketChannel ChannelOfGroup(int group) => group switch
    {
        < TradeGroup => MarketChannel.Quote,
        < BookGroup => MarketChannel.Trade,
        _ => MarketChannel.Book,
    };

    private static int EncodingOfGroup(int group) => group switch
    {
        < TradeGroup => group - QuoteGroup,
        < BookGroup => group - TradeGroup,
        _ => (group - BookGroup) / BookDepth.TierCount,
    };

    /// <summary>
    /// One published state of a subscriber group: the first <see cref="Count"/> slots of <see cref="Items"/>. Immutable
    /// once published, and the slots it covers are never written again, so the ingest thread can iterate it lock-free.
    /// </summary>
    private sealed class SubscriberList
    {
        public const int InitialCapacity = 4;

        public static readonly SubscriberList Empty = new([], 0);

        public SubscriberList(IUpdateSubscriber[] items, int count)
        {
            Items = items;
            Count = count;
        }

        public IUpdateSubscriber[] Items { get; }

        public int Count { get; }

        public ReadOnlySpan<IUpdateSubscriber> AsSpan() => new(Items, 0, Count);
    }
}
