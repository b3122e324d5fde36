using System.Runtime.CompilerServices;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>Groups are named by channel and wire variant: one per (channel, encoding, book tier), deflate shared.</summary>
public sealed class SubscriberGroupsTests
{
    [Fact]
    public void EveryKey_FindsItsOwnSlot_AndNoTwoKeysShareOne()
    {
        ReadOnlySpan<SubscriberGroups.GroupKey> keys = SubscriberGroups.Keys;
        var seen = new HashSet<int>();
        for (int slot = 0; slot < keys.Length; slot++)
        {
            Assert.Equal(slot, SubscriberGroups.SlotOf(keys[slot].Channel, keys[slot].Variant));
            Assert.True(seen.Add(slot));
        }

        // Quote and trade per encoding; book per encoding and tier.
        Assert.Equal((2 * WireVariant.Encodings.Length) + (WireVariant.Encodings.Length * BookDepth.TierCount), keys.Length);
    }

    [Fact]
    public void DeflateAndPlainSessions_OfOneEncoding_ShareAGroup_ButEncodingsAndTiersDoNot()
    {
        var groups = new SubscriberGroups();
        ref SubscriberList plain = ref groups[MarketChannel.Book, new WireVariant(WireEncoding.Json, deflate: false, 10)];
        ref SubscriberList deflate = ref groups[MarketChannel.Book, new WireVariant(WireEncoding.Json, deflate: true, 10)];
        ref SubscriberList otherTier = ref groups[MarketChannel.Book, new WireVariant(WireEncoding.Json, deflate: false, 5)];
        ref SubscriberList otherEncoding = ref groups[MarketChannel.Book, new WireVariant(WireEncoding.MessagePack, deflate: false, 10)];

        Assert.True(Unsafe.AreSame(ref plain, ref deflate));
        Assert.False(Unsafe.AreSame(ref plain, ref otherTier));
        Assert.False(Unsafe.AreSame(ref plain, ref otherEncoding));
        Assert.Equal(
            SubscriberGroups.SlotOf(MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false)),
            SubscriberGroups.SlotOf(MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: true)));
    }

    [Fact]
    public void BookGroup_WithoutATierDepth_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SubscriberGroups.SlotOf(MarketChannel.Book, new WireVariant(WireEncoding.Json, deflate: false)));
    }
}
