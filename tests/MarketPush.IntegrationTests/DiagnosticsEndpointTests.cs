using System.Text.Json;
using MarketPush.Server;

namespace MarketPush.IntegrationTests;

/// <summary>The --diagnostics endpoint loadtests/idle-memory.sh relies on, and that it stays off by default.</summary>
public sealed class DiagnosticsEndpointTests
{
    private const string Request = "POST /debug/gc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    [Fact]
    public async Task DebugGc_AnswersRssAndManagedBytes_WhenDiagnosticsAreOn()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.Diagnostics = true);

        HttpResult response = await RawWebSocketClient.SendHttpAsync(server.Host.Port, Request, server.Token);

        Assert.Equal(200, response.StatusCode);
        JsonElement body = JsonDocument.Parse(response.Body).RootElement;
        Assert.True(body.GetProperty("rssBytes").GetInt64() > body.GetProperty("managedBytes").GetInt64());
        Assert.True(body.GetProperty("managedBytes").GetInt64() > 0);
        Assert.Equal("aggressive", body.GetProperty("secondCollection").GetString());
    }

    [Fact]
    public async Task DebugGc_IsNotMapped_ByDefault()
    {
        await using ServerScope server = await ServerScope.StartAsync();

        HttpResult response = await RawWebSocketClient.SendHttpAsync(server.Host.Port, Request, server.Token);

        Assert.Equal(404, response.StatusCode);
    }

    [Fact]
    public void DiagnosticsFlag_IsParsed_AndTakesNoValue()
    {
        Assert.True(ServerOptions.Parse(["--diagnostics"]).Diagnostics);
        Assert.False(ServerOptions.Parse([]).Diagnostics);
        OptionsException refused = Assert.Throws<OptionsException>(() => ServerOptions.Parse(["--diagnostics=yes"]));
        Assert.Equal("--diagnostics", refused.Flag);
    }
}
