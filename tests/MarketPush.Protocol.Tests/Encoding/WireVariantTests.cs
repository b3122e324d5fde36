using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.Encodings;

/// <summary>A wire variant is a value: encoding, deflate on/off, book depth; it picks the frame opcode.</summary>
public sealed class WireVariantTests
{
    [Fact]
    public void Variants_AreEqualByValue_AndDifferWhenAnyPartDiffers()
    {
        var json10 = new WireVariant(WireEncoding.Json, deflate: true, 10);

        Assert.Equal(new WireVariant(WireEncoding.Json, deflate: true, 10), json10);
        Assert.True(json10 == new WireVariant(WireEncoding.Json, true, 10));
        Assert.NotEqual(json10.WithoutDeflate, json10);
        Assert.NotEqual(json10.WithBookDepth(5), json10);
        Assert.NotEqual(new WireVariant(WireEncoding.MessagePack, deflate: true, 10), json10);
        Assert.Equal(new WireVariant(WireEncoding.Json, deflate: false, 10), json10.WithoutDeflate);
        Assert.Equal("json+deflate@10", json10.ToString());
        Assert.Equal("msgpack", new WireVariant(WireEncoding.MessagePack, deflate: false).ToString());
    }

    [Fact]
    public void Opcode_IsTextForJson_AndBinaryForMessagePack()
    {
        Assert.Equal(WebSocketOpcode.Text, new WireVariant(WireEncoding.Json, deflate: true).Opcode);
        Assert.Equal(WebSocketOpcode.Binary, new WireVariant(WireEncoding.MessagePack, deflate: false).Opcode);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(51)]
    public void BookDepth_OutsideTheTiers_IsRefused(int depth)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WireVariant(WireEncoding.Json, deflate: false, depth));
    }

    [Fact]
    public void Encodings_ListsEachEncodingOnce()
    {
        Assert.Equal([WireEncoding.Json, WireEncoding.MessagePack], WireVariant.Encodings.ToArray());
    }
}
