using MarketPush.Protocol.Handshake;

namespace MarketPush.Protocol.Tests.Handshake;

public sealed class WebSocketAcceptTests
{
    [Fact]
    public void ComputeAcceptKey_MatchesTheRfc6455Sample()
    {
        // RFC 6455 §1.3.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketAccept.ComputeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void ComputeAcceptKey_MatchesAnIndependentComputation_ForRandomKeys()
    {
        var random = new Random(1);
        for (int i = 0; i < 50; i++)
        {
            byte[] nonce = new byte[16];
            random.NextBytes(nonce);
            string key = Convert.ToBase64String(nonce);
#pragma warning disable CA5350 // the RFC's hash, recomputed by hand
            string expected = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(
                System.Text.Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350

            Assert.Equal(expected, WebSocketAccept.ComputeAcceptKey(key));
        }
    }

    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("/+/+/+/+/+/+/+/+/+/+/w==")]
    public void IsValidClientKey_AcceptsBase64Of16Bytes(string key)
    {
        Assert.True(WebSocketAccept.IsValidClientKey(key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA")]               // 15 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA=")]           // 17 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]   // 24 bytes
    [InlineData("dGhlIHNhbXBsZSBub25jZQ")]             // padding missing
    [InlineData(" dGhlIHNhbXBsZSBub25jZQ==")]          // whitespace
    [InlineData("dGhlIHNhbXBs ZSBub25jZQ=")]           // whitespace inside, still 24 characters
    [InlineData("dGhlIHNhbXBsZSBub25jZ-==")]           // base64url alphabet
    [InlineData("the sample nonce")]
    public void IsValidClientKey_RejectsAnythingElse(string? key)
    {
        Assert.False(WebSocketAccept.IsValidClientKey(key));
    }
}
