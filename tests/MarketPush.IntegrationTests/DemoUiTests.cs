namespace MarketPush.IntegrationTests;

/// <summary>The demo UI a newcomer opens after `dotnet run`: served at / by the server itself.</summary>
public sealed class DemoUiTests
{
    [Fact]
    public async Task Root_ServesDemoPage_ThatOpensTheStreamEndpoint()
    {
        await using ServerScope server = await ServerScope.StartAsync();

        HttpResult response = await RawWebSocketClient.SendHttpAsync(
            server.Host.Port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", server.Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("new WebSocket(", response.Body, StringComparison.Ordinal);
        Assert.Contains("/v1/stream", response.Body, StringComparison.Ordinal);
        Assert.Contains("marketpush.v1.json", response.Body, StringComparison.Ordinal);
    }
}
