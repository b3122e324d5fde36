namespace MarketPush.IntegrationTests;

/// <summary>
/// marketpush_transport_handshakes_total counts every upgrade request on /v1/stream exactly once, by how it was
/// answered, whichever way in it took (the direct upgrade path or Kestrel's HTTP pipeline).
/// </summary>
public sealed class HandshakeMetricsTests
{
    private const string Accepted = """marketpush_transport_handshakes_total{result="accepted"}""";
    private const string BadRequest = """marketpush_transport_handshakes_total{result="bad_request"}""";
    private const string UnsupportedVersion = """marketpush_transport_handshakes_total{result="unsupported_version"}""";
    private const string OverLimit = """marketpush_transport_handshakes_total{result="over_limit"}""";

    [Fact]
    public async Task Scrape_CountsEachHandshakeOnce_ByResult()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        int port = server.Host.Port;
        Dictionary<string, double> before = await MetricsScrape.GetAsync(port, server.Token);
        Assert.Equal(0, before.Value(Accepted)); // the series exist from the first scrape, at 0
        Assert.True(before.ContainsKey(Accepted), "handshake series missing from the first scrape");

        using (RawWebSocketClient good = await server.ConnectRawAsync())
        {
            await good.ReadFrameAsync(server.Token); // welcome
        }

        Assert.Equal(400, (await RawWebSocketClient.SendHttpAsync(port, Request("GET", version: "13", key: null), server.Token)).StatusCode);
        Assert.Equal(400, (await RawWebSocketClient.SendHttpAsync(port, Request("GET", version: "13", key: "short"), server.Token)).StatusCode);
        Assert.Equal(426, (await RawWebSocketClient.SendHttpAsync(port, Request("GET", version: "8"), server.Token)).StatusCode);
        Assert.Equal(405, (await RawWebSocketClient.SendHttpAsync(port, Request("POST", version: "13", extra: "Content-Length: 0\r\n"), server.Token)).StatusCode);

        Dictionary<string, double> after = await MetricsScrape.WaitForAsync(port, s => s.Value(BadRequest) >= 3, server.Token);

        Assert.Equal(1, after.Value(Accepted));
        Assert.Equal(3, after.Value(BadRequest)); // two 400s and the 405
        Assert.Equal(1, after.Value(UnsupportedVersion));
        Assert.Equal(0, after.Value(OverLimit));
    }

    [Fact]
    public async Task UpgradeThroughKestrelsHttpPipeline_IsCountedAsAccepted_Once()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        int port = server.Host.Port;

        // A request before the upgrade on the same connection sends the upgrade through StreamEndpoint, not the
        // direct path (DirectUpgradeMiddleware only looks at a connection's first request).
        using (RawHttpConnection connection = await RawHttpConnection.OpenAsync(port, server.Token))
        {
            await connection.SendAsync("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", server.Token);
            Assert.Equal(200, (await connection.ReadHeadAsync(server.Token)).Status);
            await connection.SkipPastAsync("0\r\n\r\n", server.Token); // the chunked "ok"
            await connection.SendAsync(RawHttpConnection.UpgradeRequest(), server.Token);
            Assert.Equal(101, (await connection.ReadHeadAsync(server.Token)).Status);
        }

        // The 101 leaves inside Kestrel's UpgradeAsync; the count follows it, so wait for the scrape to show it.
        Dictionary<string, double> scrape = await MetricsScrape.WaitForAsync(port, s => s.Value(Accepted) >= 1, server.Token);

        Assert.Equal(1, scrape.Value(Accepted));
        Assert.Equal(0, scrape.Value(BadRequest));
        Assert.Equal((1L, 0L), (server.Host.Stream.HttpUpgrades, server.Host.Stream.DirectUpgrades)); // it took the HTTP path
    }

    private static string Request(string method, string version, string? key = RawWebSocketClient.SampleKey, string extra = "")
    {
        string keyLine = key is null ? string.Empty : $"Sec-WebSocket-Key: {key}\r\n";
        return $"{method} /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{keyLine}Sec-WebSocket-Version: {version}\r\n{extra}\r\n";
    }
}
