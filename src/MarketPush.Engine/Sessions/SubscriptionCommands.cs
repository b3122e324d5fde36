using System.Buffers;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// The market commands of PROTOCOL.md on one session's <see cref="SubscriptionTable"/>: <c>subscribe</c> (reply
/// <c>subscribed</c>, then one snapshot per new symbol and channel that has a last value), <c>unsubscribe</c> and
/// <c>symbols</c>; and the teardown when a session ends. Called by the command handler on each connection's receive
/// loop with an already parsed and validated <see cref="ClientCommand"/>; stateless apart from what it is given, so
/// one instance serves every session. Commands are off the hot path: this allocates its lists and replies freely.
/// </summary>
/// <remarks>
/// Subscribe order matters for correctness. New subscriptions are added to the router first, inactive (they refuse
/// every update), then the <c>subscribed</c> reply is queued, then each is activated: under its session's lock it
/// reads the last-value cache, queues the snapshot and starts accepting updates with a later seq. So no live update
/// can precede the reply or the snapshot, and none between the snapshot and the first live one is lost.
/// Resubscribing to a (symbol, channel) keeps the subscription (no second snapshot); a later maxRate replaces the
/// earlier one, and a new book depth replaces the subscription with one at the new depth, which starts with a book
/// snapshot whatever <c>snapshot</c> says (the client's book at the old depth cannot be continued).
/// </remarks>
public sealed class SubscriptionCommands
{
    private static readonly MarketChannel[] s_channels = [MarketChannel.Quote, MarketChannel.Trade, MarketChannel.Book];

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly ISubscriptionRouter _router;
    private readonly InstrumentCatalog _catalog;
    private readonly FrameBuilder _frames;
    private readonly TimerWheel _scheduler;
    private readonly MarketPushMetrics? _metrics;
    private readonly DeliveryTotals? _totals;

    public SubscriptionCommands(
        ISubscriptionRouter router,
        FrameBuilder frames,
        TimerWheel scheduler,
        SessionLimits? limits = null,
        MarketPushMetrics? metrics = null,
        DeliveryTotals? totals = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(scheduler);
        _router = router;
        _catalog = router.Catalog;
        _frames = frames;
        _scheduler = scheduler;
        Limits = limits ?? SessionLimits.Default;
        Limits.Validate();
        _metrics = metrics;
        _totals = totals;
    }

    public InstrumentCatalog Catalog => _catalog;

    public ISubscriptionRouter Router => _router;

    public SessionLimits Limits { get; }

    /// <summary>
    /// A session's market-data state: its conflation slots over <paramref name="queue"/> and an empty subscription
    /// table. Created when the session first subscribes, so an idle connection holds none of it.
    /// <paramref name="close"/> is how the slots close the session as a slow consumer (4001).
    /// </summary>
    public SubscriptionTable CreateTable(OutboundQueue queue, WireEncoding encoding, bool compression, Action<DisconnectReason>? close)
    {
        var slots = new ConflatingDelivery(queue, new WireVariant(encoding, compression), _router, _scheduler, Limits, _metrics, _totals, close);
        return new SubscriptionTable(slots, Limits.MaxSubscriptions);
    }

    /// <summary>Executes <c>subscribe</c> and queues <c>subscribed</c> and the snapshots.</summary>
    public void Subscribe(SubscriptionTable table, ClientCommand command)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(command);
        ConflatingDelivery updates = table.Updates;
        var accepted = new List<string>();
        var rejected = new List<SymbolRejection>();
        var activations = new List<(Subscription Subscription, bool Snapshot)>();
        var newSymbols = new List<Instrument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int added = 0;
        lock (table.Gate)
        {
            if (table.ClosedLocked)
            {
                return;
            }

            foreach (string symbol in command.Symbols)
            {
                if (!seen.Add(symbol))
                {
                    continue;
                }

                if (!_catalog.TryGet(symbol, out Instrument? instrument))
                {
                    rejected.Add(new SymbolRejection(symbol, RejectReason.UnknownSymbol));
                    continue;
                }

                int newPairs = 0;
                foreach (MarketChannel channel in s_channels)
                {
                    if (Has(command.Channels, channel) && !table.TryGetLocked(instrument.Id, channel, out _))
                    {
                        newPairs++;
                    }
                }

                // All or nothing per symbol: a client never gets half the channels it asked for without knowing.
                if (table.CountLocked + newPairs > table.MaxSubscriptions)
                {
                    rejected.Add(new SymbolRejection(symbol, RejectReason.Limit));
                    continue;
                }

                accepted.Add(symbol);
                if (newPairs > 0)
                {
                    newSymbols.Add(instrument);
                }

                foreach (MarketChannel channel in s_channels)
                {
                    if (!Has(command.Channels, channel))
                    {
                        continue;
                    }

                    if (!table.TryGetLocked(instrument.Id, channel, out Subscription? existing))
                    {
                        Subscription created = Create(table, instrument, channel, command.Depth, command.MaxRate);
                        activations.Add((created, command.Snapshot));
                        added++;
                    }
                    else if (channel == MarketChannel.Book && command.DepthSpecified && command.Depth != existing.Depth)
                    {
                        double maxRate = command.MaxRateSpecified ? command.MaxRate : existing.MaxRate;
                        Subscription replacement = Create(table, instrument, channel, command.Depth, maxRate);
                        Drop(existing, updates);
                        activations.Add((replacement, true));
                    }
                    else if (command.MaxRateSpecified && command.MaxRate != existing.MaxRate)
                    {
                        updates.SetMaxRate(existing, command.MaxRate);
                    }
                }
            }
        }

        if (added > 0)
        {
            _metrics?.SubscriptionsAdded(added);
        }

        ArrayBufferWriter<byte> buffer = RentBuffer();
        ServerMessages.WriterFor(updates.Variant.Encoding).WriteSubscribed(buffer, command.Id, accepted, command.Channels, rejected);
        Send(updates, buffer);

        foreach ((Subscription subscription, bool snapshot) in activations)
        {
            updates.Activate(subscription, snapshot);
        }

        if (command.Snapshot)
        {
            foreach (Instrument instrument in newSymbols)
            {
                using OutboundMessage? status = _router.CreateStatusSnapshot(instrument, updates.Variant);
                if (status is not null)
                {
                    updates.Queue.TryEnqueue(status.GetFrame(updates.Variant.Deflate));
                }
            }
        }
    }

    /// <summary>Executes <c>unsubscribe</c> (unknown or unsubscribed pairs are ignored) and queues <c>unsubscribed</c>.</summary>
    public void Unsubscribe(SubscriptionTable table, ClientCommand command)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(command);
        ConflatingDelivery updates = table.Updates;
        var symbols = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int removed = 0;
        lock (table.Gate)
        {
            foreach (string symbol in command.Symbols)
            {
                if (!seen.Add(symbol))
                {
                    continue;
                }

                symbols.Add(symbol);
                if (!_catalog.TryGet(symbol, out Instrument? instrument))
                {
                    continue;
                }

                foreach (MarketChannel channel in s_channels)
                {
                    if (Has(command.Channels, channel) && table.TryRemoveLocked(instrument.Id, channel, out Subscription? subscription))
                    {
                        Drop(subscription, updates);
                        removed++;
                    }
                }
            }
        }

        if (removed > 0)
        {
            _metrics?.SubscriptionsRemoved(removed);
        }

        // Queued after the subscriptions are gone from the router and their held values released: nothing for
        // these pairs is queued after the reply (an update already in the queue may precede it).
        ArrayBufferWriter<byte> buffer = RentBuffer();
        ServerMessages.WriterFor(updates.Variant.Encoding).WriteUnsubscribed(buffer, command.Id, symbols, command.Channels);
        Send(updates, buffer);
    }

    /// <summary>Queues <c>symbols</c>: the instruments whose symbol starts with the optional prefix (case-sensitive).</summary>
    /// <remarks>Needs no subscription table: listing symbols creates no market-data state for the session.</remarks>
    public void Symbols(OutboundQueue queue, WireEncoding encoding, bool compression, ClientCommand command)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(command);
        ArrayBufferWriter<byte> buffer = RentBuffer();
        ServerMessages.WriterFor(encoding).WriteSymbols(buffer, command.Id, _catalog.FindByPrefix(command.Prefix));
        Send(queue, new WireVariant(encoding, compression), buffer);
    }

    /// <summary>
    /// The session ended: every subscription leaves the router, held frames go back to the pool, and the table refuses
    /// further subscribes. Idempotent; any thread. Returns how many subscriptions were removed.
    /// </summary>
    public int RemoveAll(SubscriptionTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Subscription[] all;
        lock (table.Gate)
        {
            all = table.CloseLocked();
            foreach (Subscription subscription in all)
            {
                Drop(subscription, table.Updates);
            }
        }

        table.Updates.Complete();
        if (all.Length > 0)
        {
            _metrics?.SubscriptionsRemoved(all.Length);
        }

        return all.Length;
    }

    private Subscription Create(SubscriptionTable table, Instrument instrument, MarketChannel channel, int depth, double maxRate)
    {
        var subscription = new Subscription(table.Updates, instrument, channel, channel == MarketChannel.Book ? depth : 0, maxRate);
        table.SetLocked(subscription);
        // Inactive until Activate: the router may offer it updates from now on, and it refuses them until then.
        _router.Add(subscription, instrument.Id, channel, subscription.Variant);
        return subscription;
    }

    private void Drop(Subscription subscription, ConflatingDelivery updates)
    {
        _router.Remove(subscription, subscription.Instrument.Id, subscription.Channel, subscription.Variant);
        updates.Remove(subscription);
    }

    /// <summary>Frames a reply once (compressed for a deflate session when large, e.g. the symbol list) and queues it.</summary>
    private void Send(ConflatingDelivery updates, ArrayBufferWriter<byte> buffer) => Send(updates.Queue, updates.Variant, buffer);

    private void Send(OutboundQueue queue, WireVariant variant, ArrayBufferWriter<byte> buffer)
    {
        using OutboundMessage message = _frames.CreateMessage(variant.Opcode, buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        // The queue takes its own reference; a full or closing queue refuses the reply (and counts it).
        queue.TryEnqueue(message.GetFrame(variant.Deflate));
    }

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static bool Has(MarketChannels channels, MarketChannel channel) => ((int)channels & (1 << (int)channel)) != 0;
}
