using System.Net.WebSockets;

namespace MarketPush.IntegrationTests;

/// <summary>
/// --max-connections: over the limit an upgrade gets 503 with Retry-After and a reason (PROTOCOL.md "Limits"),
/// counted as an over_limit handshake; a slot frees when a connection ends; the limit holds under a burst.
/// </summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task UpgradeOverTheLimit_Gets503WithRetryAfter_AndAFreedSlotIsUsableAgain()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.MaxConnections = 3);
        ClientWebSocket[] clients = [await server.ConnectAsync(), await server.ConnectAsync(), await server.ConnectAsync()];
        foreach (ClientWebSocket client in clients)
        {
            await client.ReceiveWelcomeAsync(server.Token);
        }

        HttpResult refused = await RawWebSocketClient.SendHttpAsync(server.Host.Port, RawHttpConnection.UpgradeRequest(), server.Token);

        Assert.Equal(503, refused.StatusCode);
        Assert.True(int.TryParse(refused.Headers["Retry-After"], out int seconds) && seconds > 0, $"Retry-After: {refused.Headers["Retry-After"]}");
        Assert.Contains("Too many connections", refused.Body, StringComparison.Ordinal);
        Assert.False(refused.Headers.ContainsKey("Sec-WebSocket-Accept"));
        await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync()); // a library client is refused too
        Assert.Equal(3, server.Host.Stream.OpenConnections); // the refusals took no slot

        await clients[0].CloseAsync(WebSocketCloseStatus.NormalClosure, null, server.Token);
        await Eventually.WaitUntilAsync(() => server.Host.Stream.OpenConnections == 2, TimeSpan.FromSeconds(10), "2 open connections", server.Token);

        ClientWebSocket again = await server.ConnectAsync();
        Assert.Equal("welcome", (await again.ReceiveWelcomeAsync(server.Token)).GetProperty("type").GetString());

        Dictionary<string, double> scrape = await MetricsScrape.GetAsync(server.Host.Port, server.Token);
        Assert.Equal(2, scrape.Value("""marketpush_transport_handshakes_total{result="over_limit"}"""));
        Assert.Equal(4, scrape.Value("""marketpush_transport_handshakes_total{result="accepted"}"""));
        Assert.Equal(3, scrape.Value("marketpush_transport_connection_limit"));
        Assert.Equal(3, scrape.Value("marketpush_transport_open_connections"));
    }

    [Fact]
    public async Task LimitHolds_WhenManyClientsConnectAtOnce()
    {
        const int Limit = 5;
        const int Attempts = 24;
        await using ServerScope server = await ServerScope.StartAsync(o => o.MaxConnections = Limit);

        (RawHttpConnection Connection, int Status, string Head)[] results =
            await Task.WhenAll(Enumerable.Range(0, Attempts).Select(_ => RawHttpConnection.UpgradeAsync(server.Host.Port, server.Token)));
        try
        {
            Assert.Equal(Limit, results.Count(r => r.Status == 101));
            Assert.Equal(Attempts - Limit, results.Count(r => r.Status == 503));
            Assert.Equal(Limit, server.Host.Stream.OpenConnections);
        }
        finally
        {
            foreach ((RawHttpConnection connection, _, _) in results)
            {
                connection.Dispose();
            }
        }

        // Every slot comes back once the clients are gone.
        await Eventually.WaitUntilAsync(() => server.Host.Stream.OpenConnections == 0, TimeSpan.FromSeconds(10), "0 open connections", server.Token);

        Dictionary<string, double> scrape = await MetricsScrape.GetAsync(server.Host.Port, server.Token);
        Assert.Equal(0, scrape.Value("marketpush_transport_open_connections"));
        Assert.Equal(Attempts - Limit, scrape.Value("""marketpush_transport_handshakes_total{result="over_limit"}"""));
    }

    [Fact]
    public async Task WithoutTheFlag_ThereIsNoLimit_AndTheLimitGaugeSays0ForUnlimited()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        for (int i = 0; i < 8; i++)
        {
            await server.ConnectAsync();
        }

        Dictionary<string, double> scrape = await MetricsScrape.GetAsync(server.Host.Port, server.Token);
        Assert.Equal(0, scrape["marketpush_transport_connection_limit"]);
        Assert.Equal(8, scrape.Value("marketpush_transport_open_connections"));
    }
}
