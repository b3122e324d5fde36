using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Routing;

/// <summary>
/// One instrument's subscribers as the router fans out to them: one <see cref="SubscriberList"/> per channel and
/// <see cref="WireVariant"/> (quote and trade by encoding, book by encoding and depth tier). Deflate is not part of the
/// key: one encoded message carries both its plain and its compressed frame, so deflate and plain sessions of one
/// encoding share a group and the message.
/// </summary>
/// <remarks>
/// Created per instrument with the router; the slots are read by the ingest thread with a volatile read and written
/// by the router under its lock (<see cref="SubscriptionRouter"/>'s remarks). The layout of the slot array lives only
/// here: <see cref="Keys"/> lists what each slot holds, and <see cref="SlotOf"/> finds a key's slot, so callers name a
/// group by its channel and variant and never compute an index.
/// </remarks>
internal sealed class SubscriberGroups
{
    private static readonly GroupKey[] s_keys = BuildKeys();

    private readonly SubscriberList[] _lists;

    public SubscriberGroups()
    {
        _lists = new SubscriberList[s_keys.Length];
        Array.Fill(_lists, SubscriberList.Empty);
    }

    /// <summary>Every group, in slot order: what <see cref="At"/> holds at each slot.</summary>
    public static ReadOnlySpan<GroupKey> Keys => s_keys;

    /// <summary>The slot of the group for (<paramref name="channel"/>, <paramref name="variant"/>); a book variant's depth must be a tier.</summary>
    public ref SubscriberList this[MarketChannel channel, WireVariant variant] => ref _lists[SlotOf(channel, variant)];

    /// <summary>The group at a slot of <see cref="Keys"/>.</summary>
    public ref SubscriberList At(int slot) => ref _lists[slot];

    /// <summary>Where (channel, variant) sits in <see cref="Keys"/>: quote per encoding, then trade, then book per encoding and tier.</summary>
    public static int SlotOf(MarketChannel channel, WireVariant variant)
    {
        int encodings = WireVariant.Encodings.Length;
        int encoding = variant.Encoding == WireEncoding.MessagePack ? 1 : 0;
        return channel switch
        {
            MarketChannel.Quote => encoding,
            MarketChannel.Trade => encodings + encoding,
            MarketChannel.Book => (2 * encodings) + (encoding * BookDepth.TierCount) + BookDepth.GetTierIndex(variant.BookDepth),
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
        };
    }

    private static GroupKey[] BuildKeys()
    {
        var keys = new List<GroupKey>();
        foreach (MarketChannel channel in (ReadOnlySpan<MarketChannel>)[MarketChannel.Quote, MarketChannel.Trade])
        {
            foreach (WireEncoding encoding in WireVariant.Encodings)
            {
                keys.Add(new GroupKey(channel, new WireVariant(encoding, deflate: false)));
            }
        }

        foreach (WireEncoding encoding in WireVariant.Encodings)
        {
            foreach (int depth in BookDepth.Tiers)
            {
                keys.Add(new GroupKey(MarketChannel.Book, new WireVariant(encoding, deflate: false, depth)));
            }
        }

        return [.. keys];
    }

    /// <summary>What one group holds: subscribers of one channel in one (uncompressed) wire variant.</summary>
    public readonly record struct GroupKey(MarketChannel Channel, WireVariant Variant);
}
