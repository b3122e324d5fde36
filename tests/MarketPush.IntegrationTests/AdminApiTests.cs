using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MarketPush.IntegrationTests.Pipeline;
using MarketPush.Server;

namespace MarketPush.IntegrationTests;

/// <summary>
/// The operator's admin API (/admin/) on a real server: the bearer token guard, the API being absent without a token,
/// the session listing against what real clients negotiated and subscribed, the operator's disconnect as the client
/// sees it, and the top-symbols ranking.
/// </summary>
public sealed class AdminApiTests
{
    private const string Token = "test-admin-token-0123456789";

    [Fact]
    public async Task AdminApi_Answers401WithABearerChallenge_WithoutAToken()
    {
        await using ServerScope server = await StartAsync();
        using HttpClient http = CreateHttp(server, token: null);

        foreach (string path in new[] { "/admin/sessions", "/admin/symbols/top", "/admin/sessions/0011223344556677", "/admin/nothing-here" })
        {
            using HttpResponseMessage response = await http.GetAsync(path, server.Token);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            AuthenticationHeaderValue challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            JsonElement body = await ReadJsonAsync(response, server.Token);
            Assert.Equal("unauthorized", body.GetProperty("error").GetString());
        }

        using HttpResponseMessage delete = await http.DeleteAsync("/admin/sessions/0011223344556677", server.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
    }

    [Theory]
    [InlineData("Bearer test-admin-token-0123456780")]   // same length, last character differs
    [InlineData("Bearer test-admin-token")]               // a prefix of the real token
    [InlineData("Bearer test-admin-token-0123456789x")]  // the real token plus one character
    [InlineData("Basic test-admin-token-0123456789")]    // right secret, wrong scheme
    [InlineData("test-admin-token-0123456789")]          // no scheme at all
    public async Task AdminApi_Answers401_WithAWrongToken(string authorization)
    {
        await using ServerScope server = await StartAsync();
        using HttpClient http = CreateHttp(server, token: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/sessions");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using HttpResponseMessage response = await http.SendAsync(request, server.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AuthenticationHeaderValue challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("invalid_token", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal("unauthorized", (await ReadJsonAsync(response, server.Token)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task AdminApi_AcceptsTheTokenWithAnyCaseOfTheScheme()
    {
        await using ServerScope server = await StartAsync();
        using HttpClient http = CreateHttp(server, token: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/sessions");
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + Token);

        using HttpResponseMessage response = await http.SendAsync(request, server.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await ReadJsonAsync(response, server.Token)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AdminApi_IsNotThere_WhenNoTokenIsConfigured()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.Feed = ServerOptions.FeedNone);
        using HttpClient http = CreateHttp(server, Token);   // even a caller that sends a token finds nothing
        ClientWebSocket client = await server.ConnectAsync();
        string id = (await client.ReceiveWelcomeAsync(server.Token)).GetProperty("session").GetString()!;

        foreach (string path in new[] { "/admin/sessions", "/admin/sessions/" + id, "/admin/symbols/top", "/admin" })
        {
            using HttpResponseMessage response = await http.GetAsync(path, server.Token);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using HttpResponseMessage delete = await http.DeleteAsync("/admin/sessions/" + id, server.Token);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        using HttpResponseMessage health = await http.GetAsync("/healthz", server.Token);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(1, server.Host.SessionCount);   // the DELETE closed nothing
    }

    [Fact]
    public async Task Sessions_ListsEachClient_WithItsEncodingCompressionAndSubscriptions()
    {
        await using ServerScope server = await StartAsync();
        using HttpClient http = CreateHttp(server, Token);
        ClientWebSocket jsonClient = await server.ConnectAsync("marketpush.v1.json", new WebSocketDeflateOptions());
        ClientWebSocket packClient = await server.ConnectAsync("marketpush.v1.msgpack");
        string jsonId = await ReadSessionIdAsync(jsonClient, messagePack: false, server.Token);
        string packId = await ReadSessionIdAsync(packClient, messagePack: true, server.Token);
        DateTime before = DateTime.UtcNow;

        await SubscribeAsync(jsonClient, false, """{"op":"subscribe","id":1,"symbols":["MSFT","AAPL"],"channels":["quote","trade"]}""", server.Token);
        await SubscribeAsync(jsonClient, false, """{"op":"subscribe","id":2,"symbols":["AAPL"],"channels":["book"],"depth":5}""", server.Token);
        await SubscribeAsync(packClient, true, """{"op":"subscribe","id":1,"symbols":["AAPL"]}""", server.Token);

        JsonElement list = await GetJsonAsync(http, "/admin/sessions", server.Token);
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Equal(2, list.GetProperty("count").GetInt32());
        JsonElement[] sessions = [.. list.GetProperty("sessions").EnumerateArray()];
        JsonElement json = Assert.Single(sessions, s => s.GetProperty("id").GetString() == jsonId);
        JsonElement pack = Assert.Single(sessions, s => s.GetProperty("id").GetString() == packId);

        Assert.Equal("json", json.GetProperty("encoding").GetString());
        Assert.True(json.GetProperty("compression").GetBoolean());
        Assert.Equal(5, json.GetProperty("subscriptionCount").GetInt32());   // AAPL quote, trade, book; MSFT quote, trade
        Assert.Equal(2, json.GetProperty("symbolCount").GetInt32());
        Assert.Equal(
            """[{"symbol":"AAPL","channels":["quote","trade","book"],"bookDepth":5},{"symbol":"MSFT","channels":["quote","trade"]}]""",
            json.GetProperty("subscriptions").GetRawText());
        Assert.Equal(2, json.GetProperty("messagesReceived").GetInt64());

        Assert.Equal("msgpack", pack.GetProperty("encoding").GetString());
        Assert.False(pack.GetProperty("compression").GetBoolean());
        Assert.Equal(1, pack.GetProperty("subscriptionCount").GetInt32());
        Assert.Equal("""[{"symbol":"AAPL","channels":["quote"]}]""", pack.GetProperty("subscriptions").GetRawText());

        foreach (JsonElement session in sessions)
        {
            Assert.False(session.GetProperty("closing").GetBoolean());
            Assert.InRange(session.GetProperty("connectedAt").GetDateTime(), before.AddSeconds(-30), before);
            Assert.InRange(session.GetProperty("ageSeconds").GetDouble(), 0, 30);
            Assert.InRange(session.GetProperty("queueFrames").GetInt32(), 0, session.GetProperty("queueMaxFrames").GetInt32());
            Assert.True(session.GetProperty("queueBytes").GetInt64() >= 0);
            Assert.Equal(0, session.GetProperty("conflated").GetInt64());
            Assert.Equal(0, session.GetProperty("dropped").GetInt64());
            Assert.StartsWith("127.0.0.1:", session.GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
        }

        JsonElement one = await GetJsonAsync(http, "/admin/sessions/" + packId, server.Token);
        Assert.Equal(packId, one.GetProperty("id").GetString());
        Assert.Equal("msgpack", one.GetProperty("encoding").GetString());

        JsonElement limited = await GetJsonAsync(http, "/admin/sessions?limit=1", server.Token);
        Assert.Equal(2, limited.GetProperty("total").GetInt32());
        Assert.Equal(jsonId, Assert.Single(limited.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString()); // oldest first

        using HttpResponseMessage unknown = await http.GetAsync("/admin/sessions/ffffffffffffffff", server.Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown_session", (await ReadJsonAsync(unknown, server.Token)).GetProperty("error").GetString());
        using HttpResponseMessage badLimit = await http.GetAsync("/admin/sessions?limit=0", server.Token);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task Disconnect_ClosesTheClientWith1008_AndTheSessionLeavesTheList()
    {
        await using ServerScope server = await StartAsync();
        using HttpClient http = CreateHttp(server, Token);
        ClientWebSocket kicked = await server.ConnectAsync();
        ClientWebSocket stays = await server.ConnectAsync();
        string kickedId = await ReadSessionIdAsync(kicked, messagePack: false, server.Token);
        string staysId = await ReadSessionIdAsync(stays, messagePack: false, server.Token);
        await server.WaitForSessionCountAsync(2);

        using HttpResponseMessage delete = await http.DeleteAsync("/admin/sessions/" + kickedId, server.Token);

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        JsonElement accepted = await ReadJsonAsync(delete, server.Token);
        Assert.Equal(1008, accepted.GetProperty("closeCode").GetInt32());
        (WebSocketMessageType type, _, _) = await kicked.ReceiveMessageAsync(server.Token);
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, kicked.CloseStatus);
        Assert.Equal("disconnected by operator", kicked.CloseStatusDescription);
        await kicked.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, server.Token);

        await server.WaitForSessionCountAsync(1);
        JsonElement list = await GetJsonAsync(http, "/admin/sessions", server.Token);
        Assert.Equal(staysId, Assert.Single(list.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString());
        using HttpResponseMessage again = await http.DeleteAsync("/admin/sessions/" + kickedId, server.Token);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        // The other client was not touched.
        await stays.SendTextAsync("""{"op":"ping","id":7}""", server.Token);
        Assert.Equal("pong", (await stays.ReceiveJsonAsync(server.Token)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task TopSymbols_RanksBySubscribingSessions_MostFirst()
    {
        await using ServerScope server = await StartAsync();
        using HttpClient http = CreateHttp(server, Token);
        ClientWebSocket first = await server.ConnectAsync();
        ClientWebSocket second = await server.ConnectAsync();
        await ReadSessionIdAsync(first, messagePack: false, server.Token);
        await ReadSessionIdAsync(second, messagePack: false, server.Token);

        // MSFT: two sessions (one of them on two channels, still one subscriber); AAPL: one. Alphabetical order would
        // put AAPL first, subscription counting would give MSFT 3.
        await SubscribeAsync(first, false, """{"op":"subscribe","id":1,"symbols":["AAPL","MSFT"],"channels":["quote","trade"]}""", server.Token);
        await SubscribeAsync(second, false, """{"op":"subscribe","id":1,"symbols":["MSFT"]}""", server.Token);

        JsonElement top = await GetJsonAsync(http, "/admin/symbols/top", server.Token);
        Assert.Equal(2, top.GetProperty("sessions").GetInt32());
        Assert.Equal(
            """[{"symbol":"MSFT","subscribers":2},{"symbol":"AAPL","subscribers":1}]""",
            top.GetProperty("symbols").GetRawText());

        JsonElement limited = await GetJsonAsync(http, "/admin/symbols/top?limit=1", server.Token);
        Assert.Equal("MSFT", Assert.Single(limited.GetProperty("symbols").EnumerateArray()).GetProperty("symbol").GetString());
        using HttpResponseMessage badLimit = await http.GetAsync("/admin/symbols/top?limit=many", server.Token);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    // No feed: symbols are known but nothing updates, so clients only get the replies the tests wait for.
    private static Task<ServerScope> StartAsync() =>
        ServerScope.StartAsync(o =>
        {
            o.Feed = ServerOptions.FeedNone;
            o.AdminToken = Token;
        });

    private static HttpClient CreateHttp(ServerScope server, string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Host.Port}"), Timeout = ServerScope.TestTimeout };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync(path, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response, cancellationToken);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> ReadSessionIdAsync(ClientWebSocket client, bool messagePack, CancellationToken cancellationToken)
    {
        JsonNode welcome = await ReceiveTypeAsync(client, messagePack, "welcome", cancellationToken);
        return welcome["session"]!.GetValue<string>();
    }

    /// <summary>Sends a subscribe (as MessagePack on a MessagePack connection) and waits for its <c>subscribed</c> reply.</summary>
    private static async Task SubscribeAsync(ClientWebSocket client, bool messagePack, string command, CancellationToken cancellationToken)
    {
        if (messagePack)
        {
            await client.SendAsync(MessagePackJson.Encode(JsonNode.Parse(command)!), WebSocketMessageType.Binary, true, cancellationToken);
        }
        else
        {
            await client.SendTextAsync(command, cancellationToken);
        }

        JsonNode reply = await ReceiveTypeAsync(client, messagePack, "subscribed", cancellationToken);
        Assert.Empty(reply["rejected"]!.AsArray());
    }

    private static async Task<JsonNode> ReceiveTypeAsync(ClientWebSocket client, bool messagePack, string type, CancellationToken cancellationToken)
    {
        while (true)
        {
            (WebSocketMessageType kind, byte[] data, _) = await client.ReceiveMessageAsync(cancellationToken);
            Assert.Equal(messagePack ? WebSocketMessageType.Binary : WebSocketMessageType.Text, kind);
            JsonNode message = messagePack ? MessagePackJson.Decode(data)! : JsonNode.Parse(Encoding.UTF8.GetString(data))!;
            string? received = message["type"]?.GetValue<string>();
            Assert.True(received is "heartbeat" or "status" || received == type, $"expected {type}, got {message.ToJsonString()}");
            if (received == type)
            {
                return message;
            }
        }
    }
}
