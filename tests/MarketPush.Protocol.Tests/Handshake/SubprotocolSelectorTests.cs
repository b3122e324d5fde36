using MarketPush.Protocol.Handshake;

namespace MarketPush.Protocol.Tests.Handshake;

public sealed class SubprotocolSelectorTests
{
    [Theory]
    [InlineData(new[] { "marketpush.v1.json" }, SubprotocolSelector.Json, WireEncoding.Json)]
    [InlineData(new[] { "marketpush.v1.msgpack" }, SubprotocolSelector.MessagePack, WireEncoding.MessagePack)]
    [InlineData(new[] { "marketpush.v1.json, marketpush.v1.msgpack" }, SubprotocolSelector.Json, WireEncoding.Json)]
    [InlineData(new[] { "marketpush.v1.msgpack, marketpush.v1.json" }, SubprotocolSelector.MessagePack, WireEncoding.MessagePack)]
    [InlineData(new[] { "chat", "marketpush.v1.msgpack", "marketpush.v1.json" }, SubprotocolSelector.MessagePack, WireEncoding.MessagePack)]
    [InlineData(new[] { "graphql-ws ,\tmarketpush.v1.msgpack " }, SubprotocolSelector.MessagePack, WireEncoding.MessagePack)]
    public void Select_ReturnsTheFirstKnownProtocol_InTheClientsOrder(string[] requested, string expected, WireEncoding encoding)
    {
        string? selected = SubprotocolSelector.Select(requested, out WireEncoding chosen);

        Assert.Equal(expected, selected);
        Assert.Equal(encoding, chosen);
    }

    [Theory]
    [MemberData(nameof(NothingKnown))]
    public void Select_ReturnsNullAndJson_WhenNoKnownProtocolWasOffered(string[] requested)
    {
        string? selected = SubprotocolSelector.Select(requested, out WireEncoding encoding);

        Assert.Null(selected);
        Assert.Equal(WireEncoding.Json, encoding);
    }

    public static TheoryData<string[]> NothingKnown() => new()
    {
        Array.Empty<string>(),
        new[] { "" },
        new[] { "chat, superchat" },
        new[] { "MarketPush.v1.json" }, // the echo must match what the browser sent byte for byte
        new[] { "marketpush.v2.json" },
    };

    [Fact]
    public void Select_IgnoresNullHeaderValues()
    {
        Assert.Equal(SubprotocolSelector.Json, SubprotocolSelector.Select([null, "marketpush.v1.json"], out _));
    }
}
