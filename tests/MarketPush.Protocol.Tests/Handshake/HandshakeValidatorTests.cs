using MarketPush.Protocol.Handshake;

namespace MarketPush.Protocol.Tests.Handshake;

public sealed class HandshakeValidatorTests
{
    private const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    [Fact]
    public void Validate_AcceptsABrowserHandshake()
    {
        HandshakeOutcome outcome = Validate();

        Assert.True(outcome.IsAccepted);
        Assert.Equal(101, outcome.StatusCode);
        Assert.Null(outcome.Reason);
    }

    [Theory]
    [InlineData("keep-alive, Upgrade")] // Firefox
    [InlineData("upgrade")]
    [InlineData("Upgrade,keep-alive")]
    [InlineData("  UPGRADE  ")]
    public void Validate_AcceptsConnectionTokenLists_ContainingUpgrade(string connection)
    {
        Assert.True(Validate(connection: [connection]).IsAccepted);
    }

    [Fact]
    public void Validate_AcceptsUpgradeAcrossSeveralConnectionHeaderLines()
    {
        Assert.True(Validate(connection: ["keep-alive", "Upgrade"]).IsAccepted);
    }

    [Theory]
    [InlineData("WebSocket")]
    [InlineData("h2c, websocket")]
    public void Validate_AcceptsUpgradeTokenLists_ContainingWebsocket(string upgrade)
    {
        Assert.True(Validate(upgrade: [upgrade]).IsAccepted);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("HEAD")]
    [InlineData("get")]
    public void Validate_Returns405_ForAnythingButGet(string method)
    {
        HandshakeOutcome outcome = Validate(method: method);

        Assert.Equal(405, outcome.StatusCode);
        Assert.Contains("GET", outcome.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Validate_Returns400NamingTheHeader_WhenAHeaderIsMissingOrBad(string header, string[] upgrade, string[] connection, string[] key, string[] version)
    {
        HandshakeOutcome outcome = Validate(upgrade: upgrade, connection: connection, key: key, version: version);

        Assert.Equal(400, outcome.StatusCode);
        Assert.False(outcome.IsAccepted);
        Assert.Contains(header, outcome.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string[], string[], string[]> BadRequests() => new()
    {
        { "Upgrade", [], ["Upgrade"], [SampleKey], ["13"] },
        { "Upgrade", ["  "], ["Upgrade"], [SampleKey], ["13"] },
        { "Upgrade", ["h2c"], ["Upgrade"], [SampleKey], ["13"] },
        { "Connection", ["websocket"], [], [SampleKey], ["13"] },
        { "Connection", ["websocket"], ["keep-alive"], [SampleKey], ["13"] },
        { "Connection", ["websocket"], ["close"], [SampleKey], ["13"] },
        { "Sec-WebSocket-Key", ["websocket"], ["Upgrade"], [], ["13"] },
        { "Sec-WebSocket-Key", ["websocket"], ["Upgrade"], [""], ["13"] },
        { "Sec-WebSocket-Key", ["websocket"], ["Upgrade"], ["AAAAAAAAAAAAAAAAAAAA"], ["13"] },
        { "Sec-WebSocket-Key", ["websocket"], ["Upgrade"], ["not base64 at all!"], ["13"] },
        { "Sec-WebSocket-Key", ["websocket"], ["Upgrade"], [SampleKey, SampleKey], ["13"] },
        { "Sec-WebSocket-Version", ["websocket"], ["Upgrade"], [SampleKey], [] },
    };

    [Theory]
    [InlineData("8")]
    [InlineData("12")]
    [InlineData("14")]
    [InlineData("thirteen")]
    public void Validate_Returns426_ForAnotherVersion(string version)
    {
        HandshakeOutcome outcome = Validate(version: [version]);

        Assert.Equal(426, outcome.StatusCode);
        Assert.Contains("13", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Returns426BeforeLookingAtTheKey_ForAnOlderClient()
    {
        // A version-8 client is told which version to speak, whatever its key looks like.
        Assert.Equal(426, Validate(key: [], version: ["8"]).StatusCode);
    }

    [Fact]
    public void Validate_Returns426_WhenSeveralVersionsAreSent()
    {
        Assert.Equal(426, Validate(version: ["13", "8"]).StatusCode);
    }

    private static HandshakeOutcome Validate(
        string method = "GET",
        string[]? upgrade = null,
        string[]? connection = null,
        string[]? key = null,
        string[]? version = null) =>
        HandshakeValidator.Validate(method, upgrade ?? ["websocket"], connection ?? ["Upgrade"], key ?? [SampleKey], version ?? ["13"]);
}
