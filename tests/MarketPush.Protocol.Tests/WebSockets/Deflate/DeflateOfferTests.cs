using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.Tests.WebSockets.Deflate;

public sealed class DeflateOfferTests
{
    private const string Base = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    [Theory]
    [InlineData("permessage-deflate; client_max_window_bits")] // Chromium 156, Python websockets 10.4, node ws 8, .NET 10 ClientWebSocket defaults (captured)
    [InlineData("permessage-deflate; client_max_window_bits; client_no_context_takeover; server_no_context_takeover")] // .NET with both ContextTakeover = false (captured)
    [InlineData("permessage-deflate")]
    [InlineData("permessage-deflate; server_no_context_takeover")]
    [InlineData("permessage-deflate; client_no_context_takeover")]
    public void TryNegotiate_AcceptsRealClientOffers_WithTheFixedAnswer(string offer)
    {
        Assert.True(DeflateOffer.TryNegotiate([offer], out DeflateParameters accepted, out string response));

        Assert.Equal(Base, response);
        Assert.Equal(new DeflateParameters(ClientNoContextTakeover: true, ClientMaxWindowBits: 15, ServerMaxWindowBits: 15), accepted);
    }

    [Fact]
    public void TryNegotiate_EchoesClientMaxWindowBits_WhenTheOfferGaveAValue()
    {
        // .NET's ClientWebSocket with ClientMaxWindowBits = 10 sends this and fails the handshake unless the value is echoed.
        Assert.True(DeflateOffer.TryNegotiate(["permessage-deflate; client_max_window_bits=10"], out DeflateParameters accepted, out string response));

        Assert.Equal(Base + "; client_max_window_bits=10", response);
        Assert.Equal(10, accepted.ClientMaxWindowBits);
        Assert.Equal(15, accepted.ServerMaxWindowBits);
    }

    [Fact]
    public void TryNegotiate_AnswersServerMaxWindowBits15_WhenOffered()
    {
        // §7.1.2.1: accepting an offer with server_max_window_bits means answering with it.
        Assert.True(DeflateOffer.TryNegotiate(["permessage-deflate; server_max_window_bits=15"], out _, out string response));

        Assert.Equal(Base + "; server_max_window_bits=15", response);
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=8")]
    [InlineData("permessage-deflate; server_max_window_bits=14")]
    [InlineData("permessage-deflate; client_max_window_bits=10; server_max_window_bits=12")] // .NET with ServerMaxWindowBits = 12 (captured)
    public void TryNegotiate_Declines_WhenTheServerWindowMustBeSmallerThan32KiB(string offer)
    {
        Assert.False(DeflateOffer.TryNegotiate([offer], out _, out string response));
        Assert.Equal(string.Empty, response);
    }

    [Fact]
    public void TryNegotiate_TakesTheSecondOffer_WhenTheFirstCannotBeHonoured()
    {
        Assert.True(DeflateOffer.TryNegotiate(
            ["permessage-deflate; server_max_window_bits=10; client_max_window_bits, permessage-deflate; client_max_window_bits=12"],
            out DeflateParameters accepted,
            out string response));

        Assert.Equal(Base + "; client_max_window_bits=12", response);
        Assert.Equal(12, accepted.ClientMaxWindowBits);
    }

    [Fact]
    public void TryNegotiate_ReadsOffersAcrossSeveralHeaderLines_AndSkipsOtherExtensions()
    {
        Assert.True(DeflateOffer.TryNegotiate(
            [null, "", "x-webkit-deflate-frame; no_context_takeover", "foo; bar=\"a, b\", permessage-deflate; client_max_window_bits=9"],
            out DeflateParameters accepted,
            out _));

        Assert.Equal(9, accepted.ClientMaxWindowBits);
    }

    [Theory]
    [InlineData("permessage-deflate; client_max_window_bits=\"11\"", 11)]
    [InlineData("permessage-deflate; client_max_window_bits=\"1\\1\"", 11)] // quoted-string escape, unescaped to "11" (§7.1)
    [InlineData("permessage-deflate; server_max_window_bits=\"15\"; client_max_window_bits=8", 8)]
    [InlineData("  PerMessage-Deflate ;\tClient_Max_Window_Bits = 13 ,", 13)] // case-insensitive names, OWS/BWS, trailing empty element
    [InlineData(", ,permessage-deflate;client_max_window_bits=15", 15)]
    public void TryNegotiate_ParsesQuotedValuesCaseAndWhitespace(string offer, int clientWindowBits)
    {
        Assert.True(DeflateOffer.TryNegotiate([offer], out DeflateParameters accepted, out _));

        Assert.Equal(clientWindowBits, accepted.ClientMaxWindowBits);
    }

    [Theory]
    [InlineData("permessage-deflate; client_max_window_bits=16")]
    [InlineData("permessage-deflate; client_max_window_bits=7")]
    [InlineData("permessage-deflate; client_max_window_bits=08")]
    [InlineData("permessage-deflate; client_max_window_bits=ten")]
    [InlineData("permessage-deflate; client_max_window_bits=\"\"")]
    [InlineData("permessage-deflate; client_max_window_bits=\"1 5\"")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]
    [InlineData("permessage-deflate; client_no_context_takeover=\"x\"")]
    public void TryNegotiate_Declines_BadParameterValues(string offer)
    {
        Assert.False(DeflateOffer.TryNegotiate([offer], out _, out _));
    }

    [Theory]
    [InlineData("permessage-deflate; client_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; server_no_context_takeover; SERVER_NO_CONTEXT_TAKEOVER")]
    [InlineData("permessage-deflate; client_max_window_bits; client_max_window_bits=10")]
    [InlineData("permessage-deflate; server_max_window_bits=15; server_max_window_bits=15")]
    public void TryNegotiate_Declines_DuplicatedParameters(string offer)
    {
        Assert.False(DeflateOffer.TryNegotiate([offer], out _, out _));
    }

    [Theory]
    [InlineData("permessage-deflate; mux")]
    [InlineData("permessage-deflate; client_max_window_bits; x=1")]
    [InlineData("permessage-deflate;")]
    [InlineData("permessage-deflate; client_max_window_bits=\"10")]
    [InlineData("permessage-deflate client_max_window_bits")]
    [InlineData("permessage-deflate; =10")]
    [InlineData("permessage-deflate; client_max_window_bits=")]
    [InlineData("x-webkit-deflate-frame")]
    [InlineData("deflate-frame, permessage-deflat")]
    public void TryNegotiate_Declines_UnknownParametersMalformedOffersAndOtherExtensions(string offer)
    {
        Assert.False(DeflateOffer.TryNegotiate([offer], out _, out _));
    }

    [Theory]
    [InlineData("permessage-deflate; mux, permessage-deflate")]
    [InlineData("permessage-deflate client_max_window_bits, permessage-deflate")]
    [InlineData("permessage-deflate; client_max_window_bits=\"10,11\", permessage-deflate")]
    public void TryNegotiate_RecoversAtTheNextOffer_AfterADeclinedOrMalformedOne(string offer)
    {
        Assert.True(DeflateOffer.TryNegotiate([offer], out DeflateParameters accepted, out string response));

        Assert.Equal(Base, response);
        Assert.Equal(15, accepted.ClientMaxWindowBits);
    }

    [Fact]
    public void TryNegotiate_ReturnsFalse_WhenNoExtensionsWereOffered()
    {
        Assert.False(DeflateOffer.TryNegotiate([], out DeflateParameters accepted, out string response));
        Assert.Equal(default, accepted);
        Assert.Equal(string.Empty, response);
    }
}
