using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace MarketPush.IntegrationTests;

/// <summary>
/// /readyz answers 200 only while the feeds are live, the server is not shutting down and it is below its
/// connection limit, and otherwise 503 with a body naming the condition that failed; /healthz stays 200 throughout.
/// </summary>
public sealed class ReadinessTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(int port, string path, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, path == "/readyz" ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static async Task<JsonElement> WaitForReadyzAsync(ServerScope server, HttpStatusCode status)
    {
        while (true)
        {
            (HttpStatusCode current, JsonElement body) = await GetAsync(server.Host.Port, "/readyz", server.Token);
            if (current == status)
            {
                return body;
            }

            await Task.Delay(20, server.Token);
        }
    }

    private static string[] Failed(JsonElement body) =>
        [.. body.GetProperty("failed").EnumerateArray().Select(static e => e.GetString()!)];

    [Fact]
    public async Task Readyz_Is200_OnceTheFeedDelivers_WithNothingFailed()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => { o.Symbols = 3; o.Rate = 300; });

        JsonElement body = await WaitForReadyzAsync(server, HttpStatusCode.OK);

        Assert.True(body.GetProperty("ready").GetBoolean());
        Assert.Empty(Failed(body));
        Assert.True(body.GetProperty("live").GetBoolean());
        Assert.Equal("running", body.GetProperty("feeds")[0].GetProperty("state").GetString());
        Assert.Equal(0, body.GetProperty("connections").GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task Readyz_Is503NamingTheConnectionLimit_WhileEverySlotIsTaken()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => { o.Symbols = 3; o.Rate = 300; o.MaxConnections = 2; });
        await WaitForReadyzAsync(server, HttpStatusCode.OK);
        ClientWebSocket first = await server.ConnectAsync();
        await server.ConnectAsync();

        (HttpStatusCode status, JsonElement body) = await GetAsync(server.Host.Port, "/readyz", server.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(body.GetProperty("ready").GetBoolean());
        Assert.Equal(["connection_limit"], Failed(body));
        Assert.Equal((2, 2), (body.GetProperty("connections").GetProperty("open").GetInt32(), body.GetProperty("connections").GetProperty("limit").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server.Host.Port, "/healthz", server.Token)).Status);

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, server.Token);
        Assert.Empty(Failed(await WaitForReadyzAsync(server, HttpStatusCode.OK)));
    }

    [Fact]
    public async Task Readyz_Is503NamingTheFeeds_WhenNoFeedIsLive()
    {
        // A venue nobody listens on: the exchange feed keeps failing to connect, so it never goes live.
        await using ServerScope server = await ServerScope.StartAsync(o => o.Feed = "exchange:ws://127.0.0.1:1/feed?products=BTC-USD");

        (HttpStatusCode status, JsonElement body) = await GetAsync(server.Host.Port, "/readyz", server.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(["feeds"], Failed(body));
        Assert.False(body.GetProperty("feeds")[0].GetProperty("live").GetBoolean());
    }

    [Fact]
    public async Task Readyz_Is503NamingShutdown_WhileTheServerClosesSessions_AndHealthzStays200()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => { o.Symbols = 3; o.Rate = 300; o.ShutdownTimeoutMs = 5_000; });
        await WaitForReadyzAsync(server, HttpStatusCode.OK);
        // A raw client that never answers the 1001 close keeps the shutdown waiting, and HTTP still being served.
        RawWebSocketClient silent = await server.ConnectRawAsync();

        Task stopping = server.Host.StopAsync();
        JsonElement body = await WaitForReadyzAsync(server, HttpStatusCode.ServiceUnavailable);

        Assert.Contains("shutting_down", Failed(body));
        Assert.True(body.GetProperty("shuttingDown").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server.Host.Port, "/healthz", server.Token)).Status);
        silent.Dispose();
        await stopping.WaitAsync(server.Token);
    }
}
